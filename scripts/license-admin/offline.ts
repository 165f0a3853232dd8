/** The commands that make no request: an admin token for ADMIN_TOKENS, and a service signing key. */
import crypto from 'node:crypto';
import path from 'node:path';
import type { Args } from './args.js';
import { kv, out } from './format.js';

const NAME = /^[a-z0-9_.-]{1,40}$/; // as license-service/src/config.ts accepts in ADMIN_TOKENS

export function hashToken(args: Args, json: boolean): void {
  const name = args.str('name') ?? 'admin';
  if (!NAME.test(name)) args.fail(`--name must be 1-40 of a-z, 0-9, '_', '.', '-', got '${name}'`);
  const token = crypto.randomBytes(32).toString('base64url');
  const entry = `${name}:${crypto.createHash('sha256').update(token).digest('hex')}`;
  if (json) {
    out(JSON.stringify({ name, token, adminTokensEntry: entry }, null, 2));
    return;
  }
  out(`Admin token for '${name}' (shown only this once; keep it in a password manager):`);
  out();
  out(`  ${token}`);
  out();
  out(`Add this entry to the service's ADMIN_TOKENS (comma-separated) and restart the service:`);
  out();
  out(`  ${entry}`);
  out();
  out('The service keeps only the hash. Use the token through the LICENSE_ADMIN_TOKEN environment variable.');
}

export async function generateKey(args: Args, json: boolean): Promise<void> {
  const dir = path.resolve(args.need('dir'));
  // Loaded here only: node-forge is slow to import and no other command needs it.
  const { generateSigningKey } = await import('../../license-service/src/lib/keyring.js');
  const key = generateSigningKey(dir);
  const privatePath = path.join(dir, `${key.kid}.private.pem`);
  const publicPath = path.join(dir, `${key.kid}.public.pem`);
  if (json) {
    out(JSON.stringify({ kid: key.kid, privateKeyPath: privatePath, publicKeyPath: publicPath }, null, 2));
    return;
  }
  out('Signing key generated.');
  out();
  kv([
    ['key id', key.kid],
    ['public key', publicPath],
    ['private key', `${privatePath} (mode 0600; never copy it off this machine)`],
  ]);
  out();
  out(`Point the service's SIGNING_KEYS_DIR at ${dir}: it signs new leases with the newest key there unless`);
  out('SIGNING_KEY_ID names another. Appliances must trust the public key before it signs their leases.');
}
