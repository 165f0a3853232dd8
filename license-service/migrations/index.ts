import type { Knex } from 'knex';
import { migrateFromList } from '../kit/migrations.js';
import * as initial from './20261123_0001_initial.js';

/** The license service's migrations, in order. */
export function migrateLatest(db: Knex): Promise<void> {
  return migrateFromList(db, {
    '20261123_0001_initial': initial,
  });
}
