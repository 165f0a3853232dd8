import type { Knex } from 'knex';
import { taxIdKey } from '#kit/taxId.js';

/**
 * One client per tax id. `tax_id` keeps the spelling the admin API stored (Brazilian ids compact; other
 * countries' as typed); `tax_id_key` is the comparison form (taxIdKey: upper case, letters and digits
 * only) and carries the unique index. Clients that already share a key keep theirs on the oldest one
 * only: the later duplicates get no key (so the index can exist) and an audit entry naming both, for
 * the vendor to merge or correct them. Nothing is deleted.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('clients', (t) => {
    t.text('tax_id_key');
  });
  const rows: { id: string; tax_id: string }[] = await knex('clients').whereNotNull('tax_id').select('id', 'tax_id').orderBy([{ column: 'created_at' }, { column: 'id' }]);
  const firstByKey = new Map<string, string>();
  for (const r of rows) {
    const key = taxIdKey(r.tax_id);
    if (!key) continue;
    const first = firstByKey.get(key);
    if (first) {
      await knex('audit_events').insert({
        kind: 'admin', action: 'client.tax_id_duplicate', actor: 'migration', subject_type: 'client', subject_id: r.id,
        detail: JSON.stringify({ taxId: r.tax_id, sameAsClient: first }),
      });
      continue;
    }
    firstByKey.set(key, r.id);
    await knex('clients').where({ id: r.id }).update({ tax_id_key: key });
  }
  await knex.raw('create unique index clients_tax_id_key_unique on clients (tax_id_key) where tax_id_key is not null');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists clients_tax_id_key_unique');
  await knex.schema.alterTable('clients', (t) => {
    t.dropColumn('tax_id_key');
  });
}
