import type { Knex } from 'knex';

/**
 * Messaging: connections to Meta, the durable webhook inbox, contacts, conversations, messages,
 * statuses that arrive before their message, and quick replies.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('connections', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('channel').notNullable();
    t.text('name').notNullable();
    /** WhatsApp: the phone number id; Instagram: the account (page-scoped IG user) id. Routes webhooks. */
    t.text('external_id').notNullable();
    t.text('business_account_id');
    t.text('display_phone_number');
    /** New conversations of this connection belong to this team. */
    t.uuid('team_id').references('teams.id').onDelete('set null');
    /** AES-256-GCM box of { accessToken, appSecret, verifyToken }; never leaves the server. */
    t.text('secrets').notNullable();
    /** Sends per second for this connection; null means the appliance default. */
    t.integer('send_rate_per_second');
    t.text('status').notNullable().defaultTo('untested');
    t.text('last_error');
    t.timestamp('last_tested_at', { useTz: true });
    t.integer('signature_failures').notNullable().defaultTo(0);
    t.timestamp('last_signature_failure_at', { useTz: true });
    t.timestamp('deleted_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`alter table connections add constraint connections_channel_check check (channel in ('whatsapp','instagram'))`);
  await knex.raw(`create unique index connections_external_unique on connections (channel, external_id) where deleted_at is null`);

  // Raw webhook bodies, written before Meta gets its 200: the durable record the workers process.
  await knex.schema.createTable('webhook_events', (t) => {
    t.bigIncrements('id').primary();
    t.uuid('connection_id').notNullable();
    t.text('channel').notNullable();
    t.binary('raw').notNullable();
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('processed_at', { useTz: true });
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('last_error');
  });
  await knex.raw(`create index webhook_events_pending on webhook_events (id) where processed_at is null`);
  await knex.raw(`create index webhook_events_processed on webhook_events (processed_at) where processed_at is not null`);

  await knex.schema.createTable('contacts', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('connection_id').notNullable().references('connections.id');
    /** WhatsApp: the wa_id as last seen (what we send to); Instagram: the IG-scoped user id. */
    t.text('external_id').notNullable();
    /** What makes two ids one person: the wa_id with the Brazilian mobile ninth digit restored. */
    t.text('match_key').notNullable();
    t.text('name');
    t.text('profile_name');
    t.specificType('tags', 'text[]').notNullable().defaultTo('{}');
    t.jsonb('custom_fields').notNullable().defaultTo('{}');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['connection_id', 'match_key']);
  });
  await knex.raw(`create index contacts_tags on contacts using gin (tags)`);

  await knex.schema.createTable('conversations', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('connection_id').notNullable().references('connections.id');
    t.uuid('contact_id').notNullable().references('contacts.id');
    t.uuid('team_id').references('teams.id').onDelete('set null');
    t.uuid('assignee_id').references('users.id').onDelete('set null');
    t.text('status').notNullable().defaultTo('open');
    t.timestamp('last_message_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('last_message_preview');
    /** The customer's last message: the 24-hour customer-service window runs from here. */
    t.timestamp('last_inbound_at', { useTz: true });
    t.integer('unread_count').notNullable().defaultTo(0);
    t.timestamp('resolved_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`alter table conversations add constraint conversations_status_check check (status in ('open','resolved'))`);
  // One open conversation per contact: ingest finds it or opens it, and concurrent workers agree.
  await knex.raw(`create unique index conversations_one_open on conversations (contact_id) where status = 'open'`);
  // The inbox lists newest first; each queue has an index whose order is the listing's order.
  await knex.raw(`create index conversations_by_status on conversations (status, last_message_at desc, id desc)`);
  await knex.raw(`create index conversations_by_team on conversations (team_id, status, last_message_at desc, id desc)`);
  await knex.raw(`create index conversations_by_assignee on conversations (assignee_id, status, last_message_at desc, id desc)`);
  await knex.raw(`create index conversations_unassigned on conversations (team_id, status, last_message_at desc, id desc) where assignee_id is null`);
  await knex.raw(`create index conversations_contact on conversations (contact_id)`);

  await knex.schema.createTable('messages', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('conversation_id').notNullable().references('conversations.id');
    t.uuid('connection_id').notNullable().references('connections.id');
    /** in: from the customer; out: to the customer; note: internal, never sent. */
    t.text('direction').notNullable();
    /** customer, agent, business_app (echo), bot, campaign. */
    t.text('origin').notNullable();
    t.uuid('sender_user_id').references('users.id').onDelete('set null');
    t.text('provider_message_id');
    /** The dashboard's idempotency key for a send, so a retried POST does not send twice. */
    t.text('client_id');
    t.text('type').notNullable();
    t.text('body');
    /** Type-specific content: location, contacts, reaction, interactive reply, template, context. */
    t.jsonb('payload');
    t.text('status').notNullable();
    t.text('error_code');
    t.text('error_title');
    t.text('error_detail');
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('media_provider_id');
    t.text('media_mime');
    t.bigInteger('media_size');
    t.text('media_sha256');
    t.text('media_filename');
    t.text('media_path');
    /** pending, stored, failed (for inbound downloads); null when the message has no media. */
    t.text('media_status');
    t.text('media_error');
    /** When it happened: the provider's timestamp for inbound, our clock for outbound. Orders the thread. */
    t.timestamp('at', { useTz: true }).notNullable();
    t.timestamp('sent_at', { useTz: true });
    t.timestamp('delivered_at', { useTz: true });
    t.timestamp('read_at', { useTz: true });
    t.timestamp('failed_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`alter table messages add constraint messages_direction_check check (direction in ('in','out','note'))`);
  // Idempotency: Meta redelivers; the provider's id is stored once per connection.
  await knex.raw(`create unique index messages_provider_unique on messages (connection_id, provider_message_id) where provider_message_id is not null`);
  await knex.raw(`create unique index messages_client_unique on messages (conversation_id, client_id) where client_id is not null`);
  await knex.raw(`create index messages_thread on messages (conversation_id, at desc, id desc)`);
  await knex.raw(`create index messages_health on messages (connection_id, direction, created_at desc)`);
  await knex.raw(`create index messages_failed on messages (connection_id, failed_at desc) where status = 'failed'`);
  await knex.raw(`create index messages_queued on messages (connection_id) where status = 'queued'`);

  // A status webhook can beat its message (Meta's statuses race our own send bookkeeping): kept here and
  // applied when the message gets its provider id.
  await knex.schema.createTable('pending_statuses', (t) => {
    t.uuid('connection_id').notNullable();
    t.text('provider_message_id').notNullable();
    t.text('status').notNullable();
    t.timestamp('at', { useTz: true }).notNullable();
    t.jsonb('error');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['connection_id', 'provider_message_id', 'status']);
  });

  await knex.schema.createTable('quick_replies', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('shortcut').notNullable();
    t.text('text').notNullable();
    t.uuid('created_by').references('users.id').onDelete('set null');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`create unique index quick_replies_shortcut on quick_replies (lower(shortcut))`);
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['quick_replies', 'pending_statuses', 'messages', 'conversations', 'contacts', 'webhook_events', 'connections']) {
    await knex.schema.dropTable(table);
  }
}
