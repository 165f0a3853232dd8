import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import forge from 'node-forge';
import { publicKeyId } from '#protocol/requestSigning.js';

export interface SigningKey {
  kid: string;
  privateKey: crypto.KeyObject;
  publicKeyPem: string;
  createdAt: Date;
}

export interface Keyring {
  /** The key that signs new leases. */
  active: SigningKey;
  /** Every key whose public half appliances may still trust (for rotation). */
  all: SigningKey[];
}

export type SigningAlgorithm = 'ed25519' | 'rsa';

/**
 * Generates a service signing key with node-forge and writes it as PEM, the private half with mode 0600.
 * Ed25519 is the default: signing a lease costs ~25 µs against ~220 µs for RSA-2048, and lease signing
 * was a quarter of the heartbeat's CPU (scripts/bench/heartbeat.ts). forge makes the Ed25519 key but has
 * no PEM writer for it, so node:crypto encodes it; RSA keys (older keyrings) still load and sign.
 */
export function generateSigningKey(dir: string, algorithm: SigningAlgorithm = 'ed25519'): SigningKey {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { privatePem, publicPem } = algorithm === 'rsa' ? forgeRsaPems() : forgeEd25519Pems();
  const kid = publicKeyId(crypto.createPublicKey(publicPem));
  fs.writeFileSync(path.join(dir, `${kid}.private.pem`), privatePem, { mode: 0o600, flag: 'wx' });
  fs.writeFileSync(path.join(dir, `${kid}.public.pem`), publicPem, { mode: 0o644, flag: 'wx' });
  return { kid, privateKey: crypto.createPrivateKey(privatePem), publicKeyPem: publicPem, createdAt: new Date() };
}

function forgeRsaPems() {
  const pair = forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
  return { privatePem: forge.pki.privateKeyToPem(pair.privateKey), publicPem: forge.pki.publicKeyToPem(pair.publicKey) };
}

function forgeEd25519Pems() {
  const pair = forge.pki.ed25519.generateKeyPair();
  const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
  const jwk = { kty: 'OKP', crv: 'Ed25519', d: b64url(pair.privateKey.subarray(0, 32)), x: b64url(pair.publicKey) };
  const privateKey = crypto.createPrivateKey({ key: jwk, format: 'jwk' });
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: crypto.createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** Loads every key in the directory. Refuses private keys readable by others: they sign every lease. */
export function loadKeyring(dir: string, activeKid?: string): Keyring {
  if (!fs.existsSync(dir)) throw new Error(`SIGNING_KEYS_DIR ${dir} does not exist; create a key with \`license-admin keys generate\``);
  const all: SigningKey[] = [];
  for (const file of fs.readdirSync(dir)) {
    const m = /^([0-9a-f]{32})\.private\.pem$/.exec(file);
    if (!m) continue;
    const full = path.join(dir, file);
    const stat = fs.statSync(full);
    if ((stat.mode & 0o077) !== 0) {
      throw new Error(`signing key ${full} is readable by group/others (mode ${(stat.mode & 0o777).toString(8)}); chmod 600 it`);
    }
    const privateKey = crypto.createPrivateKey(fs.readFileSync(full, 'utf8'));
    const publicKeyPem = crypto.createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
    const kid = publicKeyId(crypto.createPublicKey(publicKeyPem));
    if (kid !== m[1]) throw new Error(`signing key ${full} is named ${m[1]} but its key id is ${kid}`);
    all.push({ kid, privateKey, publicKeyPem, createdAt: stat.mtime });
  }
  if (all.length === 0) throw new Error(`no signing key in ${dir}; create one with \`license-admin keys generate\``);
  all.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  // With several keys, which one signs is a deliberate choice: a new key must reach appliances before it
  // signs, so "the newest file" would cut every appliance off the moment the next key is generated.
  if (all.length > 1 && !activeKid) {
    throw new Error(`${dir} holds ${all.length} signing keys; set SIGNING_KEY_ID to the one that signs (${all.map((k) => k.kid).join(', ')})`);
  }
  const active = activeKid ? all.find((k) => k.kid === activeKid) : all[0];
  if (!active) throw new Error(`SIGNING_KEY_ID ${activeKid} is not in ${dir}`);
  return { active, all };
}
