import type { Knex } from 'knex';

/**
 * Chatbot flows: the flow (its trigger, the connections it runs on, the draft the editor changes), its
 * immutable published versions, the bot session of a conversation, and a ledger of the customer messages
 * the bot has taken (one row per message: a job run twice finds it taken).
 *
 * The conversation learns two bot facts, kept beside the inbox's own columns so its queues stay one index
 * scan: `human_since` (a person owns it; the bot stays quiet until resolve or hand-back) and
 * `bot_session_id` (the session running now, for the inbox's "Robô" queue and badge).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('flows', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('name').notNullable();
    /** The connections it runs on; empty means every connection. */
    t.specificType('connection_ids', 'uuid[]').notNullable().defaultTo('{}');
    /** { type, keywords?, payload? } (bots/flowDefinition.ts FlowTrigger). */
    t.jsonb('trigger').notNullable();
    /** Lower runs first when several flows' triggers match. */
    t.integer('priority').notNullable().defaultTo(100);
    /** The flow that starts when no other trigger matches (one at most). */
    t.boolean('is_fallback').notNullable().defaultTo(false);
    /** off: never starts; test: only for `test_phone`; live: for everyone. */
    t.text('status').notNullable().defaultTo('off');
    t.text('test_phone');
    /** What a customer sends to leave (accent- and case-insensitive). */
    t.specificType('exit_keywords', 'text[]').notNullable().defaultTo('{sair}');
    /** { burstMs } and the like (bots/flowDefinition.ts FlowSettings). */
    t.jsonb('settings').notNullable().defaultTo('{}');
    /** The definition the editor changes ({ nodes, edges }); publishing copies it into a version. */
    t.jsonb('draft').notNullable();
    t.uuid('published_version_id');
    t.uuid('created_by').references('users.id').onDelete('set null');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('deleted_at', { useTz: true });
  });
  await knex.raw(`alter table flows add constraint flows_status_check check (status in ('off','test','live'))`);
  await knex.raw(`create unique index flows_one_fallback on flows (is_fallback) where is_fallback and deleted_at is null`);
  await knex.raw(`create unique index flows_name on flows (lower(name)) where deleted_at is null`);

  await knex.schema.createTable('flow_versions', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('flow_id').notNullable().references('flows.id');
    t.integer('version').notNullable();
    t.jsonb('definition').notNullable();
    t.uuid('published_by').references('users.id').onDelete('set null');
    t.timestamp('published_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['flow_id', 'version']);
  });
  await knex.raw(`alter table flows add constraint flows_published_version_fk foreign key (published_version_id) references flow_versions(id)`);

  await knex.schema.createTable('bot_sessions', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('conversation_id').notNullable().references('conversations.id');
    t.uuid('flow_id').notNullable().references('flows.id');
    /** The version it started on: it runs on it until it ends, whatever is published meanwhile. */
    t.uuid('version_id').notNullable().references('flow_versions.id');
    t.text('node_id').notNullable();
    t.jsonb('variables').notNullable().defaultTo('{}');
    /** running, waiting_answer, waiting_time, waiting_webhook, waiting_callback, handed_off, ended, failed. */
    t.text('status').notNullable();
    /** Why it ended, handed off or failed (a stable code: completed, exit_keyword, loop_guard, human_took_over…). */
    t.text('reason');
    /** The next timer (delay, answer timeout, reminder, webhook timeout): claimed by the worker when due. */
    t.timestamp('due_at', { useTz: true });
    /** Invalid answers and reminders spent at the current node. */
    t.integer('retries').notNullable().defaultTo(0);
    t.integer('reminders').notNullable().defaultTo(0);
    /** Visits per node id, for the loop guard. */
    t.jsonb('visits').notNullable().defaultTo('{}');
    /** Bot messages sent so far: each one's send-once key is (session, step). */
    t.integer('steps').notNullable().defaultTo(0);
    /** When the customer message that started the current burst arrived (messages soon after are absorbed). */
    t.timestamp('burst_at', { useTz: true });
    /** Quick customer messages in a row, for telling a bot on the other side. */
    t.integer('fast_replies').notNullable().defaultTo(0);
    /** sha256 of the async webhook's one-time callback token. */
    t.text('callback_token_hash');
    t.timestamp('started_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.timestamp('ended_at', { useTz: true });
  });
  await knex.raw(`alter table bot_sessions add constraint bot_sessions_status_check check (status in
    ('running','waiting_answer','waiting_time','waiting_webhook','waiting_callback','handed_off','ended','failed'))`);
  // One live session per conversation: two workers starting a flow at once cannot both win.
  await knex.raw(`create unique index bot_sessions_one_live on bot_sessions (conversation_id)
    where status in ('running','waiting_answer','waiting_time','waiting_webhook','waiting_callback')`);
  await knex.raw(`create index bot_sessions_due on bot_sessions (due_at) where due_at is not null`);
  await knex.raw(`create index bot_sessions_by_flow on bot_sessions (flow_id, started_at desc, id desc)`);
  await knex.raw(`create unique index bot_sessions_callback on bot_sessions (callback_token_hash) where callback_token_hash is not null`);

  await knex.schema.createTable('bot_inputs', (t) => {
    t.uuid('message_id').primary();
    t.uuid('conversation_id').notNullable();
    t.uuid('session_id');
    /** turn, absorbed (part of a burst), ignored:<why>. */
    t.text('outcome').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`create index bot_inputs_created on bot_inputs (created_at)`);

  await knex.schema.alterTable('conversations', (t) => {
    t.timestamp('human_since', { useTz: true });
    t.uuid('bot_session_id');
    /** The closed period (its start, ISO) an out-of-office reply was sent for: once per period. */
    t.text('ooo_period');
    /** When someone last handed it back to the bot: takeover events older than this are history. */
    t.timestamp('bot_handed_back_at', { useTz: true });
  });
  await knex.raw(`create index conversations_bot on conversations (status, last_message_at desc, id desc) where bot_session_id is not null`);

  // The bot runtime hears what happens from now on: the history kept in the outbox is not replayed to it.
  await knex.raw(`insert into event_cursors (subscriber, tx, last_id) values ('bots', pg_current_xact_id(), 0) on conflict (subscriber) do nothing`);
}

export async function down(knex: Knex): Promise<void> {
  await knex('event_cursors').where({ subscriber: 'bots' }).delete();
  await knex.raw(`drop index conversations_bot`);
  await knex.schema.alterTable('conversations', (t) => {
    t.dropColumn('human_since');
    t.dropColumn('bot_session_id');
    t.dropColumn('ooo_period');
    t.dropColumn('bot_handed_back_at');
  });
  await knex.schema.dropTable('bot_inputs');
  await knex.schema.dropTable('bot_sessions');
  await knex.raw(`alter table flows drop constraint flows_published_version_fk`);
  await knex.schema.dropTable('flow_versions');
  await knex.schema.dropTable('flows');
}
