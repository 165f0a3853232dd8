import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { publicKeyId } from '../../../license-service/protocol/requestSigning.js';

/** Lease verification keys by key id. */
export type TrustedKeys = ReadonlyMap<string, crypto.KeyObject>;

export function trustedKeysFromPems(pems: string[]): TrustedKeys {
  return new Map(pems.map((pem) => {
    const key = crypto.createPublicKey(pem);
    return [publicKeyId(key), key] as const;
  }));
}

/**
 * The vendor's public keys, shipped inside the build (server/src/license/vendor-keys/*.pem). This is the
 * only trust source of the production entry points: no environment variable or data file adds a key.
 * Tests and the local demo pass their own keys to createApp/buildDeps from code that is not part of the
 * production image (server/src/entry/dev*.ts, test/), see server/README section "Trust".
 */
export function vendorTrustedKeys(): TrustedKeys {
  const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'vendor-keys');
  const pems = fs.existsSync(dir)
    ? fs.readdirSync(dir).filter((f) => f.endsWith('.pem')).map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
    : [];
  return trustedKeysFromPems(pems);
}
