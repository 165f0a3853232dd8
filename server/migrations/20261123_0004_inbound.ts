import type { Knex } from 'knex';

/**
 * Inbound processing:
 * - webhook_events.next_attempt_at: after a failed attempt the sweeper waits (doubling per attempt)
 *   before trying the event again, so a failing event does not take a worker every sweep;
 * - the sweeper also re-queues media downloads stuck in `pending` (their job lost with Redis); the
 *   partial index keeps that periodic look cheap however large messages grows.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('webhook_events', (t) => {
    t.timestamp('next_attempt_at', { useTz: true });
  });
  await knex.raw(`create index messages_media_pending on messages (created_at) where media_status = 'pending'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`drop index messages_media_pending`);
  await knex.schema.alterTable('webhook_events', (t) => {
    t.dropColumn('next_attempt_at');
  });
}
