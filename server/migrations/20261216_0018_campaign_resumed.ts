import type { Knex } from 'knex';

/**
 * When a campaign was last resumed: the failure window that paused it starts again from there, so the
 * failures someone has already looked at do not pause it a second time at the next send.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('campaigns', (t) => {
    t.timestamp('resumed_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('campaigns', (t) => {
    t.dropColumn('resumed_at');
  });
}
