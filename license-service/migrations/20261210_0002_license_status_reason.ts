import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // The vendor's own words when it suspends or revokes a license ("invoice 2291 overdue"). Kept on the
  // license row, so the heartbeat's one query reads it and a refusal can tell the customer why.
  await knex.schema.alterTable('licenses', (t) => {
    t.text('status_reason');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('licenses', (t) => {
    t.dropColumn('status_reason');
  });
}
