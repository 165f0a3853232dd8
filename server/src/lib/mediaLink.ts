import crypto from 'node:crypto';

/**
 * Links Meta can fetch an outbound attachment from without a session (Instagram takes attachments only
 * by URL): `/public-media/<messageId>?exp=<unix seconds>&sig=<HMAC>`. The HMAC key is derived from
 * ENCRYPTION_KEY, so a link cannot be forged or stretched, and it dies at `exp`.
 */
export const MEDIA_LINK_TTL_SECONDS = 60 * 60;

function keyOf(encryptionKey: string): Buffer {
  return crypto.createHash('sha256').update(`atendo:media-link:${encryptionKey}`).digest();
}

const signatureOf = (encryptionKey: string, messageId: string, exp: number) =>
  crypto.createHmac('sha256', keyOf(encryptionKey)).update(`${messageId}.${exp}`).digest('base64url');

export function mediaLink(publicUrl: string, encryptionKey: string, messageId: string, now: Date): string {
  const exp = Math.floor(now.getTime() / 1000) + MEDIA_LINK_TTL_SECONDS;
  return `${publicUrl}/public-media/${messageId}?exp=${exp}&sig=${signatureOf(encryptionKey, messageId, exp)}`;
}

export function mediaLinkValid(encryptionKey: string, messageId: string, exp: string, sig: string, now: Date): boolean {
  const expires = Number(exp);
  if (!Number.isInteger(expires) || expires * 1000 < now.getTime()) return false;
  const expected = Buffer.from(signatureOf(encryptionKey, messageId, expires));
  const given = Buffer.from(sig);
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}
