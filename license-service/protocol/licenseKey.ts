import crypto from 'node:crypto';

/**
 * License keys: `ATD-XXXXX-XXXXX-XXXXX-XXXXX-XXXXX`.
 * 25 Crockford base32 characters after the prefix: 21 random (105 bits) and 4 check characters: a
 * CRC-20 (primitive polynomial x^20 + x^3 + 1) over the random part. A CRC of degree 20 catches every
 * burst of up to 20 bits, so every single mistyped character (5 bits) and every swap of two neighbours
 * (10 bits) is rejected offline, before any request; other garbles slip through once in ~10^6.
 * Crockford's alphabet has no I, L, O or U, and normalisation reads I/L as 1 and O as 0.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const PREFIX = 'ATD';
const DATA_CHARS = 21;
const CHECK_CHARS = 4;

export type LicenseKeyCheck =
  | { ok: true; normalized: string }
  | { ok: false; reason: 'format' | 'checksum' };

/** What to tell a person whose key failed checkLicenseKey. */
export function licenseKeyProblem(reason: 'format' | 'checksum'): string {
  return reason === 'checksum' ? 'the license key has a typo (its check characters do not match)' : 'this is not an Atendo license key';
}

export function generateLicenseKey(): string {
  const bytes = crypto.randomBytes(DATA_CHARS);
  let data = '';
  for (let i = 0; i < DATA_CHARS; i++) data += ALPHABET[bytes[i]! & 31];
  return format(data + checkChars(data));
}

/** Validates a key as typed by a person: case, spaces and dashes do not matter. */
export function checkLicenseKey(input: string): LicenseKeyCheck {
  if (typeof input !== 'string' || input.length > 80) return { ok: false, reason: 'format' };
  let s = input.toUpperCase().replace(/[\s-]/g, '');
  if (!s.startsWith(PREFIX)) return { ok: false, reason: 'format' };
  s = s.slice(PREFIX.length).replace(/O/g, '0').replace(/[IL]/g, '1');
  if (s.length !== DATA_CHARS + CHECK_CHARS) return { ok: false, reason: 'format' };
  for (const ch of s) if (!ALPHABET.includes(ch)) return { ok: false, reason: 'format' };
  const data = s.slice(0, DATA_CHARS);
  if (checkChars(data) !== s.slice(DATA_CHARS)) return { ok: false, reason: 'checksum' };
  return { ok: true, normalized: format(s) };
}

/** What the service stores instead of the key: the key is high-entropy, so a plain hash is safe. */
export function hashLicenseKey(normalized: string): string {
  return crypto.createHash('sha256').update(normalized).digest('hex');
}

/** The short part shown in lists, so an admin can tell keys apart without the service keeping them. */
export function licenseKeySuffix(normalized: string): string {
  return normalized.slice(-5);
}

const CRC_POLY = 0x00009; // x^20 + x^3 + 1 without its x^20 term

function checkChars(data: string): string {
  let bits = 0;
  for (const ch of data) {
    const v = ALPHABET.indexOf(ch);
    for (let b = 4; b >= 0; b--) {
      const top = ((bits >> 19) & 1) ^ ((v >> b) & 1);
      bits = (bits << 1) & 0xfffff;
      if (top) bits ^= CRC_POLY;
    }
  }
  let out = '';
  for (let i = CHECK_CHARS - 1; i >= 0; i--) out += ALPHABET[(bits >> (i * 5)) & 31];
  return out;
}

function format(chars25: string): string {
  const groups = chars25.match(/.{5}/g) ?? [];
  return [PREFIX, ...groups].join('-');
}
