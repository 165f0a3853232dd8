import type { Knex } from 'knex';
import * as initial from './20261123_0001_initial.js';

/** The migrations, in order. Listed by hand so they run the same from source, a test or an image. */
const migrations: Record<string, Knex.Migration> = {
  '20261123_0001_initial': initial,
};

const source: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name]!,
};

export async function migrateLatest(db: Knex): Promise<void> {
  await db.migrate.latest({ migrationSource: source, tableName: 'knex_migrations' });
}
