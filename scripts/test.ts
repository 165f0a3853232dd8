/**
 * `npm test` after the typecheck: starts one real PostgreSQL for the whole run, prepares migrated
 * template databases (each test file clones one: fast, isolated), runs ava, and always stops PostgreSQL
 * and removes its data — on success, failure, or Ctrl-C. Redis servers are started per test file.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPostgres } from './services/postgres.js';
import { ensureRedisServer } from './services/redis.js';
import { prepareTemplates } from './services/testDatabases.js';

async function main(): Promise<number> {
  ensureRedisServer(); // install once up front rather than racing in parallel test files
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'atendo-test-'));
  const pg = await startPostgres({ dataDir: path.join(root, 'pg') });
  const cleanup = async () => {
    await pg.stop().catch(() => {});
    fs.rmSync(root, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  process.once('SIGTERM', () => void cleanup().then(() => process.exit(143)));
  try {
    await prepareTemplates(pg.url());

    const args = process.argv.slice(2);
    const code = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, [path.resolve('node_modules/ava/entrypoints/cli.mjs'), ...args], {
        stdio: 'inherit',
        env: { ...process.env, ATENDO_TEST_PG_URL: pg.url(), ATENDO_TEST_TMP: root },
      });
      child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
    });
    return code;
  } finally {
    await cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`test runner failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
