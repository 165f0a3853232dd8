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
