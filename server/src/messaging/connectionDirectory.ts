import type { Deps } from '../deps.js';
import { encryptionKeyMissing } from '../lib/secretBox.js';
import { findConnection, type ConnectionRow, type ConnectionSecrets } from '../repositories/connections.js';

export interface OpenConnection {
  row: ConnectionRow;
  secrets: ConnectionSecrets;
}

const TTL_MS = 5_000;
const cache = new Map<string, { at: number; value: OpenConnection | null }>();

/**
 * A connection with its secrets opened, cached for a few seconds per process: webhooks arrive by the
 * thousand per second and each would otherwise read and decrypt the same row. A change made in this
 * process is seen at once (forgetConnection); one made elsewhere within TTL_MS.
 */
export async function openConnection(deps: Deps, id: string): Promise<OpenConnection | null> {
  const hit = cache.get(id);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.value;
  const row = await findConnection(deps.db, id);
  const value = row ? { row, secrets: openSecrets(deps, row) } : null;
  cache.set(id, { at: Date.now(), value });
  return value;
}

export function openSecrets(deps: Deps, row: ConnectionRow): ConnectionSecrets {
  if (!deps.secrets) throw encryptionKeyMissing();
  return deps.secrets.open<ConnectionSecrets>(row.secrets, row.id);
}

export function forgetConnection(id: string): void {
  cache.delete(id);
}
