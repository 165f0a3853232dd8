import type { Knex } from 'knex';

/**
 * When the contact's external id was last seen from the customer. Workers process events in parallel,
 * so "the form last seen" must be decided by the message's time, not by which worker wrote last.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('contacts', (t) => {
    t.timestamp('external_id_seen_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('contacts', (t) => {
    t.dropColumn('external_id_seen_at');
  });
}
