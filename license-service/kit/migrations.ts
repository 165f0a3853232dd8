import type { Knex } from 'knex';

/**
 * Runs migrations from an explicit, ordered list of modules rather than a folder scan, so they run the
 * same from source, a test or an image.
 */
export async function migrateFromList(db: Knex, migrations: Record<string, Knex.Migration>): Promise<void> {
  const source: Knex.MigrationSource<string> = {
    getMigrations: async () => Object.keys(migrations),
    getMigrationName: (name) => name,
    getMigration: async (name) => migrations[name]!,
  };
  await db.migrate.latest({ migrationSource: source, tableName: 'knex_migrations' });
}
