import crypto from 'node:crypto';
import { AppError } from '../errors.js';

/**
 * AES-256-GCM for provider secrets at rest. Format `v1.<iv>.<tag>.<ciphertext>` (base64url), so a later
 * key or algorithm can be told apart. The additional data binds a box to its row: a box copied onto
 * another connection does not open.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(hexKey: string) {
    this.key = Buffer.from(hexKey, 'hex');
    if (this.key.length !== 32) throw new Error('ENCRYPTION_KEY must be 32 bytes');
  }

  seal(plain: unknown, boundTo: string): string {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(boundTo));
    const data = Buffer.concat([cipher.update(JSON.stringify(plain), 'utf8'), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), data].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
  }

  open<T>(box: string, boundTo: string): T {
    const [version, iv, tag, data] = box.split('.');
    if (version !== 'v1' || !iv || !tag || data === undefined) throw secretUnreadable();
    try {
      const decipher = crypto.createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(boundTo));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      const plain = Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]);
      return JSON.parse(plain.toString('utf8')) as T;
    } catch {
      throw secretUnreadable();
    }
  }
}

const secretUnreadable = () =>
  new AppError(500, 'secret_unreadable', 'a stored secret could not be decrypted: was ENCRYPTION_KEY changed?');

export const encryptionKeyMissing = () =>
  new AppError(503, 'encryption_key_missing', 'ENCRYPTION_KEY is not configured; provider secrets cannot be stored');
