import type { Knex } from 'knex';
import { migrateFromList } from '#kit/migrations.js';
import * as initial from './20261123_0001_initial.js';
import * as licenseStatusReason from './20261210_0002_license_status_reason.js';
import * as clientTaxIdUnique from './20261210_0003_client_tax_id_unique.js';

/** The license service's migrations, in order. */
export function migrateLatest(db: Knex): Promise<void> {
  return migrateFromList(db, {
    '20261123_0001_initial': initial,
    '20261210_0002_license_status_reason': licenseStatusReason,
    '20261210_0003_client_tax_id_unique': clientTaxIdUnique,
  });
}
