import test from 'ava';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { clockEnv } from '../../installer/src/runtime/clockEnv.js';
import { generateSigningKey } from '../../license-service/src/lib/keyring.js';

test('the production entry points trust only compiled-in vendor keys: a key directory in the environment does nothing', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evil-keys-'));
  try {
    generateSigningKey(dir); // a key the customer controls
    for (const entry of ['web.ts', 'worker.ts', 'cli.ts']) {
      const res = spawnSync(process.execPath, ['--import', 'tsx', path.resolve('server/src/entry', entry), 'license-status'], {
        env: { PATH: process.env.PATH ?? '', ...clockEnv(), ATENDO_DEV_TRUSTED_KEYS_DIR: dir, ATENDO_TRUSTED_KEYS_DIR: dir, NODE_ENV: 'production' },
        encoding: 'utf8',
        timeout: 20_000,
      });
      t.is(res.status, 78, entry);
      t.regex(res.stderr, /carries no vendor license key/, entry);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
