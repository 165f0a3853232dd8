import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // The vendor's words that came with a definitive refusal ("invoice 2291 overdue"), shown to the
  // customer beside the refusal's code; cleared, like definitive_error, by the next valid lease.
  await knex.schema.alterTable('license_state', (t) => {
    t.text('definitive_reason');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('license_state', (t) => {
    t.dropColumn('definitive_reason');
  });
}
