import crypto from 'node:crypto';
import { canonicalJson } from '#protocol/canonicalJson.js';
import type { Fingerprint } from '../repositories/installations.js';

/** MAC order is not meaningful; sort them so the same machine always hashes the same. */
export function fingerprintHash(f: Fingerprint): string {
  const normal = { machineId: f.machineId, hostname: f.hostname, macs: [...f.macs].map((m) => m.toLowerCase()).sort(), cpu: f.cpu };
  return crypto.createHash('sha256').update(canonicalJson(normal)).digest('hex');
}
