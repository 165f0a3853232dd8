import crypto from 'node:crypto';
import { publicKeyId } from '#protocol/requestSigning.js';
import { VENDOR_PUBLIC_KEYS } from './vendorKeys.js';

/** Lease verification keys by key id. */
export type TrustedKeys = ReadonlyMap<string, crypto.KeyObject>;

export function trustedKeysFromPems(pems: string[]): TrustedKeys {
  return new Map(pems.map((pem) => {
    const key = crypto.createPublicKey(pem);
    return [publicKeyId(key), key] as const;
  }));
}

/**
 * The only trust source of the production entry points: the vendor keys compiled into the build.
 * Tests pass their own keys to startWeb/buildDeps; the local demo uses server/src/entry/dev.ts, which must
 * not be part of production images (README, "Trust").
 */
export function vendorTrustedKeys(): TrustedKeys {
  return trustedKeysFromPems([...VENDOR_PUBLIC_KEYS]);
}
