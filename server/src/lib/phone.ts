/**
 * Phone numbers as WhatsApp ids (wa_id: digits only, country code first).
 *
 * Brazil added a ninth digit to mobile numbers (2012–2016), but WhatsApp accounts created before it
 * still carry the old 12-digit id: Meta may deliver `5511 8765 4321` from a customer whom the
 * business knows (and sends to) as `5511 9 8765 4321`. Both forms are one person, so contacts are
 * matched on the 13-digit form: 55 + DDD + 8 digits starting 6–9 (mobile ranges) gets the 9 inserted.
 * Landlines (first digit 2–5) have no ninth digit and are left alone.
 */
export function digitsOnly(phone: string): string {
  return phone.replace(/\D/g, '');
}

const BR_OLD_MOBILE = /^55([1-9][1-9])([6-9]\d{7})$/;

/** The key that makes the 12- and 13-digit forms of a Brazilian mobile one contact. */
export function whatsAppMatchKey(waId: string): string {
  const digits = digitsOnly(waId);
  const old = BR_OLD_MOBILE.exec(digits);
  return old ? `55${old[1]}9${old[2]}` : digits;
}

/** Brazil's area codes (Anatel): 67 of them. */
const BR_DDD = new Set(
  '11 12 13 14 15 16 17 18 19 21 22 24 27 28 31 32 33 34 35 37 38 41 42 43 44 45 46 47 48 49 51 53 54 55 61 62 63 64 65 66 67 68 69 71 73 74 75 77 79 81 82 83 84 85 86 87 88 89 91 92 93 94 95 96 97 98 99'.split(' '),
);

export type PhoneInput =
  | { ok: true; waId: string; matchKey: string }
  | { ok: false; reason: 'phone_missing' | 'phone_invalid' };

/**
 * A phone number as people type it (spreadsheets, forms: "+55 (11) 98765-4321", "11 98765 4321",
 * "0xx11987654321", "5511987654321") as the WhatsApp id to send to, or why not. A number of 10 or 11
 * digits is Brazilian (DDD + number) and gets 55; a leading 0 (long-distance prefix) or 00 (international)
 * is dropped. Brazilian numbers must have a valid DDD and 8 digits (landline, 2–5) or 9 digits starting
 * 9 (mobile); an old 8-digit mobile (6–9) gets its ninth digit. Other countries: 8 to 15 digits.
 */
export function normalizePhoneNumber(raw: string | null | undefined): PhoneInput {
  const text = (raw ?? '').trim();
  if (!text) return { ok: false, reason: 'phone_missing' };
  if (/[a-z]/i.test(text.replace(/^(tel|whatsapp|wa)\s*:?/i, '').replace(/\s*(x|ext\.?|ramal)\s*\d+$/i, ''))) return { ok: false, reason: 'phone_invalid' };
  let digits = digitsOnly(text);
  const international = text.startsWith('+') || digits.startsWith('00');
  if (digits.startsWith('00')) digits = digits.slice(2);
  else if (!international && digits.startsWith('0')) {
    // 0 + DDD + number, or 0 + carrier code + DDD + number (0xx11 9…): national long-distance dialling.
    digits = digits.slice(1);
    if (digits.length === 12 || digits.length === 13) digits = digits.slice(2);
  }
  if (!international && (digits.length === 10 || digits.length === 11)) digits = `55${digits}`;
  if (digits.startsWith('55')) {
    const m = /^55([1-9][1-9])(\d{8,9})$/.exec(digits);
    if (!m || !BR_DDD.has(m[1]!)) return { ok: false, reason: 'phone_invalid' };
    const local = m[2]!;
    if (local.length === 9 && local[0] !== '9') return { ok: false, reason: 'phone_invalid' };
    if (local.length === 8 && !/^[2-9]/.test(local)) return { ok: false, reason: 'phone_invalid' };
    const key = whatsAppMatchKey(digits);
    return { ok: true, waId: key, matchKey: key };
  }
  if (!/^[1-9]\d{7,14}$/.test(digits)) return { ok: false, reason: 'phone_invalid' };
  return { ok: true, waId: digits, matchKey: whatsAppMatchKey(digits) };
}
