import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import forge from 'node-forge';
import { publicKeyId } from '#protocol/requestSigning.js';

export interface InstallationKey {
  privateKey: crypto.KeyObject;
  publicKeyPem: string;
  keyId: string;
}

/**
 * The installation's identity: an RSA-2048 pair made with node-forge at first activation. The private
 * half lives in DATA_DIR/license/installation.key with mode 0600 — a file, never a database row, so
 * database dumps and support bundles cannot carry it.
 */
export function loadOrCreateInstallationKey(dataDir: string): InstallationKey {
  const dir = path.join(dataDir, 'license');
  const file = path.join(dir, 'installation.key');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const pair = forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
    fs.writeFileSync(file, forge.pki.privateKeyToPem(pair.privateKey), { mode: 0o600, flag: 'wx' });
  }
  return loadInstallationKey(dataDir);
}

export function loadInstallationKey(dataDir: string): InstallationKey {
  const file = path.join(dataDir, 'license', 'installation.key');
  const mode = fs.statSync(file).mode & 0o777;
  if (mode & 0o077) throw new Error(`${file} is readable by group/others (mode ${mode.toString(8)}); chmod 600 it`);
  const privateKey = crypto.createPrivateKey(fs.readFileSync(file, 'utf8'));
  const publicKey = crypto.createPublicKey(privateKey);
  return {
    privateKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    keyId: publicKeyId(publicKey),
  };
}
