import test from 'ava';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateSigningKey, loadKeyring } from '../src/lib/keyring.js';

const entry = path.resolve('license-service/src/entry/web.ts');

function start(env: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', entry], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
}

const validEnv = () => ({
  DATABASE_URL: 'postgres://u:p@127.0.0.1:1/db',
  REDIS_URL: 'redis://127.0.0.1:1',
  ADMIN_TOKENS: `ops:${crypto.createHash('sha256').update('x').digest('hex')}`,
  SIGNING_KEYS_DIR: '/nonexistent',
});

test('a missing variable stops the process and names it', (t) => {
  const { DATABASE_URL: _omit, ...env } = validEnv();
  const res = start(env);
  t.is(res.status, 78);
  t.regex(res.stderr, /DATABASE_URL/);
});

test('a malformed variable stops the process and names it', (t) => {
  const bad = start({ ...validEnv(), ADMIN_TOKENS: 'ops:plaintext-token', PORT: 'eighty' });
  t.is(bad.status, 78);
  t.regex(bad.stderr, /ADMIN_TOKENS: each entry must be name:sha256hex/);
  t.regex(bad.stderr, /PORT/);
});

test('signing keys readable by others are refused; 0600 keys load', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keys-'));
  try {
    const key = generateSigningKey(dir);
    const file = path.join(dir, `${key.kid}.private.pem`);
    t.is(fs.statSync(file).mode & 0o777, 0o600);
    t.is(loadKeyring(dir).active.kid, key.kid);
    fs.chmodSync(file, 0o644);
    t.throws(() => loadKeyring(dir), { message: /readable by group\/others/ });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('new signing keys are Ed25519; an RSA key (an older keyring) still signs leases that verify', async (t) => {
  const { signLease, verifyLease } = await import('#protocol/lease.js');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keys-'));
  try {
    const ed = generateSigningKey(dir);
    t.is(ed.privateKey.asymmetricKeyType, 'ed25519');
    const rsa = generateSigningKey(dir, 'rsa');
    t.is(rsa.privateKey.asymmetricKeyType, 'rsa');
    t.throws(() => loadKeyring(dir), { message: /holds 2 signing keys; set SIGNING_KEY_ID/ }, 'with two keys, which signs is chosen, never guessed');
    const ring = loadKeyring(dir, rsa.kid);
    const trusted = new Map(ring.all.map((k) => [k.kid, crypto.createPublicKey(k.publicKeyPem)]));
    const lease = { format: 1, licenseId: 'l', seq: 1, notAfter: 'x', issuedAt: 'y', gracePeriodSeconds: 1, plan: {} } as never;
    for (const key of [ed, rsa]) {
      const env = signLease(lease, ring.all.find((k) => k.kid === key.kid)!);
      t.is(env.alg, key === ed ? 'EdDSA' : 'RS256');
      t.true(verifyLease(env, trusted).ok);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
