import type { Knex } from 'knex';

/**
 * What scheduled messages need beyond the campaigns contract (20261214_0013): the recurrence's anchor
 * (the first occurrence's time, so a monthly item on the 31st comes back on the 31st after February's
 * 28th instead of drifting), the index of the occurrence now pending (the send-once key
 * `schedule:<id>:<occurrence>`), why and by whom it was cancelled, and the indexes its lists page over.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('scheduled_messages', (t) => {
    t.timestamp('anchor_at', { useTz: true });
    /** The occurrence now pending; only ever grows, so `schedule:<id>:<occurrence>` is never reused. */
    t.integer('occurrence').notNullable().defaultTo(0);
    /** The occurrence anchor_at is the time of (an edit re-anchors the series at the occurrence then pending). */
    t.integer('anchor_occurrence').notNullable().defaultTo(0);
    /** How many occurrences were passed over, too late to go out (downtime past max_lateness). */
    t.integer('skipped').notNullable().defaultTo(0);
    t.text('cancel_reason');
    t.uuid('cancelled_by').references('users.id').onDelete('set null');
    t.timestamp('cancelled_at', { useTz: true });
  });
  await knex.raw(`update scheduled_messages set anchor_at = send_at where anchor_at is null`);
  await knex.raw(`alter table scheduled_messages alter column anchor_at set not null`);
  await knex.raw(`alter table scheduled_messages add constraint scheduled_messages_status_check
    check (status in ('pending', 'sending', 'sent', 'failed', 'cancelled', 'expired'))`);
  await knex.raw(`alter table scheduled_messages add constraint scheduled_messages_recurrence_check
    check (recurrence in ('none', 'daily', 'weekly', 'monthly'))`);
  await knex.raw(`create index scheduled_messages_conversation on scheduled_messages (conversation_id, send_at, id)`);
  await knex.raw(`create index scheduled_messages_by_status on scheduled_messages (status, send_at, id)`);
  await knex.raw(`create index scheduled_messages_by_time on scheduled_messages (send_at, id)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`drop index scheduled_messages_conversation`);
  await knex.raw(`drop index scheduled_messages_by_status`);
  await knex.raw(`drop index scheduled_messages_by_time`);
  await knex.raw(`alter table scheduled_messages drop constraint scheduled_messages_status_check`);
  await knex.raw(`alter table scheduled_messages drop constraint scheduled_messages_recurrence_check`);
  await knex.schema.alterTable('scheduled_messages', (t) => {
    for (const c of ['anchor_at', 'occurrence', 'anchor_occurrence', 'skipped', 'cancel_reason', 'cancelled_by', 'cancelled_at']) t.dropColumn(c);
  });
}
