import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDb } from '#kit/db.js';
import { migrateLatest as migrateLicenseService } from '../../license-service/migrations/index.js';
import { migrateLatest as migrateServer } from '../../server/migrations/index.js';
import { createDatabase, dropDatabase, startPostgres, type RunningPostgres } from './postgres.js';

/** Migrated template databases; each test file clones one (CREATE DATABASE … TEMPLATE: milliseconds). */
export const TEMPLATES = {
  licenseService: { name: 'tpl_license_service', migrate: migrateLicenseService },
  server: { name: 'tpl_server', migrate: migrateServer },
} as const;

export async function prepareTemplates(adminUrl: string): Promise<void> {
  for (const t of Object.values(TEMPLATES)) {
    await createDatabase(adminUrl, t.name);
    const db = createDb(adminUrl.replace(/\/[^/]*$/, `/${t.name}`));
    try {
      await t.migrate(db);
    } finally {
      await db.destroy();
    }
  }
}

let ownPostgres: Promise<RunningPostgres> | null = null;

/** The PostgreSQL of this test run (scripts/test.ts), or one of our own when a file is run alone. */
async function adminPgUrl(): Promise<string> {
  if (process.env.ATENDO_TEST_PG_URL) return process.env.ATENDO_TEST_PG_URL;
  ownPostgres ??= (async () => {
    const pg = await startPostgres({ dataDir: path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'atendo-pg-')), 'data') });
    await prepareTemplates(pg.url());
    return pg;
  })();
  return (await ownPostgres).url();
}

/** A fresh database for one test file, cloned from a migrated template; drop() removes it. */
export async function cloneTestDatabase(template: keyof typeof TEMPLATES): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = await adminPgUrl();
  const name = `t_${template.toLowerCase()}_${crypto.randomBytes(6).toString('hex')}`;
  await createDatabase(adminUrl, name, TEMPLATES[template].name);
  return { url: adminUrl.replace(/\/[^/]*$/, `/${name}`), drop: () => dropDatabase(adminUrl, name).catch(() => {}) };
}
