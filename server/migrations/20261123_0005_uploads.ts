import type { Knex } from 'knex';

/**
 * Outbound sending: files attendants upload before sending them, and the send bookkeeping on messages
 * (when the next attempt is due, which worker holds the send, how often Meta's spam limit pushed it back).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('uploads', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('uploader_user_id').references('users.id').onDelete('set null');
    /** Relative to the media root (messaging/mediaStore.ts), like messages.media_path. */
    t.text('path').notNullable();
    t.text('mime').notNullable();
    t.bigInteger('size').notNullable();
    t.text('sha256').notNullable();
    t.text('filename');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.alterTable('messages', (t) => {
    /** A queued send waiting for a retry or reschedule is not attempted before this. */
    t.timestamp('next_attempt_at', { useTz: true });
    /** A worker is talking to Meta about this message until then; others keep off. */
    t.timestamp('claimed_until', { useTz: true });
    /** Times Meta's spam / ecosystem limits (131048, 131049) pushed this send back. */
    t.integer('spam_deferrals').notNullable().defaultTo(0);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('messages', (t) => {
    t.dropColumn('next_attempt_at');
    t.dropColumn('claimed_until');
    t.dropColumn('spam_deferrals');
  });
  await knex.schema.dropTable('uploads');
}
