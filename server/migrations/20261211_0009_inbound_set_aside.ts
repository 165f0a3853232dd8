import type { Knex } from 'knex';

/**
 * Webhook items that could not be stored (an id past its limit, a value PostgreSQL refuses) are kept
 * here, alone, with their reason, for the connection's health view; the rest of their body is stored.
 * Also puts right timestamps stored before they were bounded: a message dated centuries ahead pinned its
 * conversation to the top of the inbox and made the presenters throw.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('inbound_set_aside', (t) => {
    t.bigIncrements('id');
    t.uuid('connection_id').notNullable().references('connections.id');
    t.bigInteger('webhook_event_id').notNullable();
    /** message or status. */
    t.text('kind').notNullable();
    t.text('provider_id');
    t.text('reason').notNullable();
    /** The parsed item, cleaned and cut, so it can be looked at (and replayed by hand if ever needed). */
    t.jsonb('item');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`create index inbound_set_aside_recent on inbound_set_aside (connection_id, created_at desc)`);

  await knex.raw(`update messages set at = created_at where at > created_at + interval '1 day'`);
  await knex.raw(`update conversations c set last_message_at = greatest(c.created_at, coalesce((select max(m.at) from messages m where m.conversation_id = c.id), c.created_at))
                  where c.last_message_at > now() + interval '1 day'`);
  await knex.raw(`update conversations set last_inbound_at = least(last_inbound_at, last_message_at) where last_inbound_at > now() + interval '1 day'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('inbound_set_aside');
}
