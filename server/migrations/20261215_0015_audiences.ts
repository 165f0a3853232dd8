import type { Knex } from 'knex';

/**
 * Audiences (audiences/audienceQuery.ts): the indexes their set-based queries and listings use. Tags
 * already have a GIN index (0003); custom fields get one for `equals` (containment); last activity is
 * the newest customer message of a contact's conversations; the opt-out ledger and the imports are
 * listed newest first per connection.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`create index contacts_custom_fields on contacts using gin (custom_fields jsonb_path_ops)`);
  await knex.raw(`create index conversations_contact_activity on conversations (contact_id, last_inbound_at desc)`);
  await knex.raw(`create index opt_outs_by_connection on opt_outs (connection_id, at desc, id desc)`);
  await knex.raw(`create index contact_imports_list on contact_imports (created_at desc, id desc)`);
  await knex.raw(`create index contact_imports_by_connection on contact_imports (connection_id, created_at desc, id desc)`);
  await knex.raw(`create index contact_import_rows_line on contact_import_rows (import_id, line)`);
}

export async function down(knex: Knex): Promise<void> {
  for (const i of ['contact_import_rows_line', 'contact_imports_by_connection', 'contact_imports_list', 'opt_outs_by_connection', 'conversations_contact_activity', 'contacts_custom_fields']) {
    await knex.raw(`drop index ${i}`);
  }
}
