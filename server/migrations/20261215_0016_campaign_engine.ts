import type { Knex } from 'knex';

/**
 * The campaign engine's own bookkeeping (server/src/campaigns):
 * - a campaign waiting for capacity (portfolio limit, send window, daily cap) says why and until when, so
 *   the dispatcher skips it without scanning its pending rows every tick;
 * - the sliding failure window reads the last sends of a campaign by attempted_at;
 * - the business portfolio's moving 24-hour unique-user count: one row per (portfolio, contact) with the
 *   last business-initiated send (a template outside the customer's window), written in the transaction
 *   that queues the send, whoever sends it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('campaigns', (t) => {
    /** portfolio_limit, outside_window, daily_cap: nothing is claimed before waiting_until. */
    t.text('waiting_reason');
    t.timestamp('waiting_until', { useTz: true });
  });
  await knex.raw(`create index campaign_recipients_attempted on campaign_recipients (campaign_id, attempted_at desc) where attempted_at is not null`);
  await knex.raw(`create index campaigns_template on campaigns (template_id) where status in ('scheduled','running')`);
  await knex.schema.createTable('portfolio_business_sends', (t) => {
    t.text('portfolio_id').notNullable().references('messaging_portfolios.id').onDelete('cascade');
    t.uuid('contact_id').notNullable().references('contacts.id').onDelete('cascade');
    t.timestamp('last_at', { useTz: true }).notNullable();
    t.primary(['portfolio_id', 'contact_id']);
  });
  await knex.raw(`create index portfolio_business_sends_recent on portfolio_business_sends (portfolio_id, last_at)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('portfolio_business_sends');
  await knex.raw(`drop index campaigns_template`);
  await knex.raw(`drop index campaign_recipients_attempted`);
  await knex.schema.alterTable('campaigns', (t) => {
    t.dropColumn('waiting_reason');
    t.dropColumn('waiting_until');
  });
}
