import crypto from 'node:crypto';

/**
 * Appliance requests are signed over the exact bytes of the body (RSASSA-PKCS1-v1_5 with SHA-256, or
 * Ed25519 when the key is Ed25519). The body carries the purpose, installation, timestamp and nonce,
 * so the signature covers everything that matters and a request cannot be replayed or re-aimed.
 */
export const SIGNATURE_HEADER = 'x-atendo-signature';

export function signBody(body: string | Buffer, privateKey: crypto.KeyObject | string): string {
  const key = typeof privateKey === 'string' ? crypto.createPrivateKey(privateKey) : privateKey;
  const alg = key.asymmetricKeyType === 'ed25519' ? null : 'sha256';
  return crypto.sign(alg, Buffer.from(body), key).toString('base64');
}

export function verifyBody(body: Buffer, signatureB64: string, publicKey: crypto.KeyObject): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signatureB64) || signatureB64.length > 1400) return false;
  const alg = publicKey.asymmetricKeyType === 'ed25519' ? null : 'sha256';
  try {
    return crypto.verify(alg, body, publicKey, Buffer.from(signatureB64, 'base64'));
  } catch {
    return false;
  }
}

/** The key id of a public key: SHA-256 of its DER (SubjectPublicKeyInfo), hex, first 32 characters. */
export function publicKeyId(publicKey: crypto.KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return crypto.createHash('sha256').update(der).digest('hex').slice(0, 32);
}
