import type { Knex } from 'knex';

/**
 * Reaching customers first: WhatsApp message templates synced from the Graph API, the opt-out ledger and
 * consent records (LGPD), CSV contact imports, campaigns with a durable row per recipient, and scheduled
 * messages. Every due time is a column claimed by the worker (never a timer or a delayed job per row), so
 * a crash or a restart neither loses nor repeats a send.
 */
export async function up(knex: Knex): Promise<void> {
  // The business portfolio's 24-hour unique-user messaging limit (250, 2,000, 10,000, 100,000, unlimited),
  // shared by every number of the portfolio: configured by the admin or read from the Graph API.
  await knex.schema.createTable('messaging_portfolios', (t) => {
    t.text('id').primary();
    t.text('name');
    /** Unique customers per moving 24 hours for business-initiated sends; null = unlimited. */
    t.integer('daily_limit');
    /** configured, graph */
    t.text('source').notNullable().defaultTo('configured');
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.alterTable('connections', (t) => {
    /** The business portfolio the number belongs to (its messaging limit is shared); null = its own, unlimited. */
    t.text('portfolio_id').references('messaging_portfolios.id').onDelete('set null');
    /** GREEN, YELLOW, RED, UNKNOWN (phone_number_quality_update webhooks, or the Graph API). */
    t.text('quality_rating');
    /** A number also used in the WhatsApp Business app: Meta holds it at 20 messages per second. */
    t.boolean('coexistence').notNullable().defaultTo(false);
  });

  await knex.schema.createTable('message_templates', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('connection_id').notNullable().references('connections.id');
    /** Meta's template id. */
    t.text('provider_id');
    t.text('name').notNullable();
    t.text('language').notNullable();
    /** MARKETING, UTILITY, AUTHENTICATION. */
    t.text('category').notNullable();
    /** APPROVED, PENDING, REJECTED, PAUSED, DISABLED, IN_APPEAL, … as Meta says. */
    t.text('status').notNullable();
    /** GREEN, YELLOW, RED, UNKNOWN. */
    t.text('quality');
    /** Meta's components (HEADER, BODY, FOOTER, BUTTONS) with their examples, as listed. */
    t.jsonb('components').notNullable().defaultTo('[]');
    t.text('rejected_reason');
    t.timestamp('synced_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['connection_id', 'name', 'language']);
  });

  // One row per (connection, contact) that said stop; removed (and audited) when they opt back in.
  await knex.schema.createTable('opt_outs', (t) => {
    t.bigIncrements('id');
    t.uuid('connection_id').notNullable().references('connections.id');
    t.uuid('contact_id').notNullable().references('contacts.id');
    t.timestamp('at', { useTz: true }).notNullable();
    /** keyword, button, manual, import */
    t.text('source').notNullable();
    /** The word or button payload, or who recorded it. */
    t.text('detail');
    t.uuid('message_id');
    t.uuid('recorded_by').references('users.id').onDelete('set null');
    t.unique(['connection_id', 'contact_id']);
  });
  await knex.raw(`create index opt_outs_recent on opt_outs (at desc, id desc)`);

  // Consent to business-initiated messages and its legal basis (LGPD art. 7), per connection and contact.
  await knex.schema.createTable('consents', (t) => {
    t.bigIncrements('id');
    t.uuid('connection_id').notNullable().references('connections.id');
    t.uuid('contact_id').notNullable().references('contacts.id');
    /** consent, contract, legal_obligation, legitimate_interest, credit_protection, … (LGPD art. 7). */
    t.text('legal_basis').notNullable();
    t.timestamp('granted_at', { useTz: true }).notNullable();
    /** manual, import, keyword */
    t.text('source').notNullable();
    t.text('evidence');
    t.bigInteger('import_id');
    t.uuid('recorded_by').references('users.id').onDelete('set null');
    t.unique(['connection_id', 'contact_id']);
  });

  await knex.schema.createTable('contact_imports', (t) => {
    t.bigIncrements('id');
    t.uuid('connection_id').notNullable().references('connections.id');
    t.text('filename');
    /** { phone: 'celular', columns: { nome: 'Nome', … }, encoding, separator, tags, consent } as used. */
    t.jsonb('mapping').notNullable();
    t.integer('total_rows').notNullable().defaultTo(0);
    t.integer('imported').notNullable().defaultTo(0);
    t.integer('merged').notNullable().defaultTo(0);
    t.integer('invalid').notNullable().defaultTo(0);
    /** The first rows refused, each { line, reason }. */
    t.jsonb('errors').notNullable().defaultTo('[]');
    t.uuid('created_by').references('users.id').onDelete('set null');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  // The rows of an import as a campaign audience: the contact and the row's own columns (template parameters).
  await knex.schema.createTable('contact_import_rows', (t) => {
    t.bigInteger('import_id').notNullable().references('contact_imports.id').onDelete('cascade');
    t.integer('line').notNullable();
    t.uuid('contact_id').notNullable().references('contacts.id');
    t.jsonb('columns').notNullable().defaultTo('{}');
    t.primary(['import_id', 'contact_id']);
  });

  await knex.schema.createTable('campaigns', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('name').notNullable();
    t.uuid('connection_id').notNullable().references('connections.id');
    t.uuid('template_id').references('message_templates.id');
    /** Per template parameter: { kind: 'text', value } | { kind: 'contact_field', field } | { kind: 'column', column }. */
    t.jsonb('template_params').notNullable().defaultTo('{}');
    /** { kind: 'filter', tags, fields, channel, lastActivityDays, openConversation } | { kind: 'import', importId }. */
    t.jsonb('audience').notNullable().defaultTo('{}');
    /** draft, scheduled, running, paused, completed, cancelled. */
    t.text('status').notNullable().defaultTo('draft');
    /** Why it is paused: manual, template_paused, quality_red, spam_limit, failure_rate, license_restricted. */
    t.text('pause_reason');
    t.jsonb('pause_detail');
    t.timestamp('scheduled_at', { useTz: true });
    t.timestamp('started_at', { useTz: true });
    t.timestamp('audience_frozen_at', { useTz: true });
    t.timestamp('completed_at', { useTz: true });
    t.timestamp('cancelled_at', { useTz: true });
    /** Messages per second for this campaign; null = the number's (80, 20 for coexistence). */
    t.integer('rate_per_second');
    /** { days: [1..7], from: 'HH:MM', to: 'HH:MM', timezone } or null for any time. */
    t.jsonb('send_window');
    t.integer('daily_cap');
    t.boolean('exclude_open_conversations').notNullable().defaultTo(true);
    t.boolean('require_consent').notNullable().defaultTo(true);
    /** Replies open (or join) a conversation in this team's queue, or start this flow. */
    t.uuid('team_id').references('teams.id').onDelete('set null');
    t.uuid('flow_id').references('flows.id').onDelete('set null');
    t.integer('attribution_hours').notNullable().defaultTo(72);
    /** "Retry failed" makes a child campaign of the retriable failures. */
    t.uuid('parent_campaign_id').references('campaigns.id');
    t.uuid('created_by').references('users.id').onDelete('set null');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`alter table campaigns add constraint campaigns_status_check check (status in ('draft','scheduled','running','paused','completed','cancelled'))`);
  await knex.raw(`create index campaigns_active on campaigns (status) where status in ('scheduled','running')`);
  await knex.raw(`create index campaigns_list on campaigns (created_at desc, id desc)`);

  // The durable state of a campaign: one row per recipient, the send-once key (campaign, contact).
  await knex.schema.createTable('campaign_recipients', (t) => {
    t.bigIncrements('id');
    t.uuid('campaign_id').notNullable().references('campaigns.id');
    t.uuid('contact_id').notNullable().references('contacts.id');
    /** The row's own values (an import's columns) for the template parameters. */
    t.jsonb('variables').notNullable().defaultTo('{}');
    /** pending, queued, sent, delivered, read, failed, skipped — never backwards. */
    t.text('status').notNullable().defaultTo('pending');
    /** Skipped: opted_out, no_consent, invalid_number, open_conversation…; pending: why it waits (portfolio_limit, outside_window, daily_cap). */
    t.text('reason');
    t.uuid('message_id');
    t.text('error_code');
    t.text('error_title');
    /** A pending row waiting for capacity is not looked at before this. */
    t.timestamp('not_before', { useTz: true });
    t.timestamp('attempted_at', { useTz: true });
    t.timestamp('sent_at', { useTz: true });
    t.timestamp('delivered_at', { useTz: true });
    t.timestamp('read_at', { useTz: true });
    t.timestamp('failed_at', { useTz: true });
    t.timestamp('replied_at', { useTz: true });
    t.timestamp('opted_out_at', { useTz: true });
    t.unique(['campaign_id', 'contact_id']);
  });
  await knex.raw(`create index campaign_recipients_pending on campaign_recipients (campaign_id, id) where status = 'pending'`);
  await knex.raw(`create index campaign_recipients_by_status on campaign_recipients (campaign_id, status, id)`);
  await knex.raw(`create unique index campaign_recipients_message on campaign_recipients (message_id) where message_id is not null`);
  await knex.raw(`create index campaign_recipients_contact on campaign_recipients (contact_id, sent_at desc)`);

  await knex.schema.createTable('scheduled_messages', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('connection_id').notNullable().references('connections.id');
    t.uuid('contact_id').notNullable().references('contacts.id');
    t.uuid('conversation_id').references('conversations.id');
    /** { type: 'text', text } | { type: media, uploadId, caption } | { type: 'template', template }. */
    t.jsonb('content').notNullable();
    /** Sent instead when the 24-hour window is closed at send time; null = fail with outside_service_window. */
    t.jsonb('fallback_template');
    t.timestamp('send_at', { useTz: true }).notNullable();
    /** none, daily, weekly, monthly */
    t.text('recurrence').notNullable().defaultTo('none');
    t.timestamp('repeat_until', { useTz: true });
    /** How late it may still go out (after downtime); later it expires. */
    t.integer('max_lateness_seconds').notNullable().defaultTo(3600);
    t.boolean('cancel_if_customer_writes').notNullable().defaultTo(false);
    /** pending, sending, sent, failed, cancelled, expired */
    t.text('status').notNullable().defaultTo('pending');
    t.text('error_code');
    t.text('error_detail');
    t.uuid('last_message_id');
    t.timestamp('last_sent_at', { useTz: true });
    t.integer('occurrences').notNullable().defaultTo(0);
    t.uuid('created_by').references('users.id').onDelete('set null');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`create index scheduled_messages_due on scheduled_messages (send_at) where status = 'pending'`);
  await knex.raw(`create index scheduled_messages_contact on scheduled_messages (contact_id, send_at)`);
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['scheduled_messages', 'campaign_recipients', 'campaigns', 'contact_import_rows', 'contact_imports', 'consents', 'opt_outs', 'message_templates']) {
    await knex.schema.dropTable(table);
  }
  await knex.schema.alterTable('connections', (t) => {
    t.dropColumn('portfolio_id');
    t.dropColumn('quality_rating');
    t.dropColumn('coexistence');
  });
  await knex.schema.dropTable('messaging_portfolios');
}
