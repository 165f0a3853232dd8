import type { Knex } from 'knex';

/**
 * The outbox of domain events ("a message was received", "a conversation was resolved"), written in the
 * same transaction as the change and delivered at least once to each subscriber in the worker.
 *
 * Delivery follows a per-subscriber cursor over (tx, id), where tx is the writing transaction's id: ids
 * are taken at insert but become visible at commit, so a cursor over ids alone would step over an event
 * whose transaction committed late. A reader only takes events of transactions older than every one still
 * running (pg_snapshot_xmin), and any transaction that commits later has a larger tx than all of those.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('domain_events', (t) => {
    t.bigIncrements('id');
    t.specificType('tx', 'xid8').notNullable().defaultTo(knex.raw('pg_current_xact_id()'));
    t.text('type').notNullable();
    t.uuid('conversation_id');
    t.jsonb('payload').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`create index domain_events_order on domain_events (tx, id)`);
  await knex.raw(`create index domain_events_created on domain_events (created_at)`);
  await knex.schema.createTable('event_cursors', (t) => {
    t.text('subscriber').primary();
    t.specificType('tx', 'xid8').notNullable().defaultTo(knex.raw(`'0'::xid8`));
    t.bigInteger('last_id').notNullable().defaultTo(0);
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('event_cursors');
  await knex.schema.dropTable('domain_events');
}
