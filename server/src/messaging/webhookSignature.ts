import crypto from 'node:crypto';

/**
 * Meta signs every webhook POST: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the exact body bytes
 * with the app secret>`. The check runs on the raw bytes (a re-serialised JSON has other bytes) and in
 * constant time, so the header cannot be guessed byte by byte from response timings.
 */
export function verifyWebhookSignature(raw: Buffer, header: string | undefined, appSecret: string): boolean {
  const match = /^sha256=([0-9a-f]{64})$/i.exec(header?.trim() ?? '');
  if (!match) return false;
  const expected = crypto.createHmac('sha256', appSecret).update(raw).digest();
  const given = Buffer.from(match[1]!, 'hex');
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

/** Constant-time comparison of two strings (the GET verification's verify token). */
export function sameSecret(given: string, expected: string): boolean {
  // Hashing first gives equal-length buffers without revealing the expected length.
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}
