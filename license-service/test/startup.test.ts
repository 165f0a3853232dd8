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
