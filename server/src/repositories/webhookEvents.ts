import type { Knex } from 'knex';
import type { Channel } from './connections.js';

/**
 * The durable webhook inbox. A body is stored here before Meta gets its 200, and processed from here.
 *
 * Why a PostgreSQL table and not bee-queue alone: Meta does not resend what we acknowledged, so the
 * acknowledged body must survive anything. Redis keeps its data in memory (our compose runs it without
 * fsync on every write, and a restart or eviction may lose acknowledged jobs); PostgreSQL is the system
 * of record, is backed up with everything else, and is the only thing the acknowledgement depends on.
 * The bee-queue job is just a fast wake-up; the worker's sweeper finds any event whose job was lost.
 */
export interface WebhookEventRow {
  id: string;
  connection_id: string;
  channel: Channel;
  raw: Buffer;
  received_at: Date;
  processed_at: Date | null;
  attempts: number;
  last_error: string | null;
  next_attempt_at: Date | null;
}

export async function insertWebhookEvent(db: Knex, e: { connectionId: string; channel: Channel; raw: Buffer }): Promise<string> {
  const [row] = await db('webhook_events').insert({ connection_id: e.connectionId, channel: e.channel, raw: e.raw }).returning('id');
  return String(row.id);
}

/**
 * The event, row-locked for this transaction, if nobody has processed it and nobody is processing it
 * now (skip locked): a second worker given the same event returns at once instead of waiting.
 */
export async function lockUnprocessedEvent(trx: Knex.Transaction, id: string): Promise<WebhookEventRow | undefined> {
  return trx('webhook_events').where({ id }).whereNull('processed_at').forUpdate().skipLocked().first();
}

/** Up to `limit` due events (oldest first), row-locked for this transaction; events others hold are skipped. */
export async function lockDueEvents(trx: Knex.Transaction, limit: number): Promise<WebhookEventRow[]> {
  return trx('webhook_events')
    .whereNull('processed_at')
    .where((w) => w.whereNull('next_attempt_at').orWhere('next_attempt_at', '<=', trx.fn.now()))
    .orderBy('id').limit(limit).forUpdate().skipLocked();
}

export async function markEventsProcessed(db: Knex, ids: string[]): Promise<void> {
  if (ids.length) await db('webhook_events').whereIn('id', ids).update({ processed_at: db.fn.now(), last_error: null });
}

export async function markEventProcessed(db: Knex, id: string, lastError: string | null = null): Promise<void> {
  await db('webhook_events').where({ id }).update({ processed_at: db.fn.now(), last_error: lastError });
}

/**
 * Counts a failed attempt and holds the event back from the sweeper for a while (1 s doubling per
 * attempt, at most `maxDelayMs`). Returns the attempts so far (0 when the event is already processed).
 */
export async function noteEventFailure(db: Knex, id: string, error: string, maxDelayMs: number): Promise<number> {
  const rows = await db('webhook_events').where({ id }).whereNull('processed_at')
    .update({
      attempts: db.raw('attempts + 1'),
      last_error: error.slice(0, 1000),
      next_attempt_at: db.raw(`now() + make_interval(secs => least(1000 * power(2, attempts), ?) / 1000.0)`, [maxDelayMs]),
    }).returning('attempts');
  return rows[0]?.attempts ?? 0;
}

/**
 * Unprocessed events received more than `minAgeMs` ago (their job should have run by then) whose retry
 * time has come, oldest first. Uses the partial index on pending events.
 */
export async function listDueEvents(db: Knex, minAgeMs: number, limit: number): Promise<string[]> {
  const rows = await db('webhook_events')
    .whereNull('processed_at')
    .whereRaw(`received_at < now() - make_interval(secs => ? / 1000.0)`, [minAgeMs])
    .where((w) => w.whereNull('next_attempt_at').orWhere('next_attempt_at', '<=', db.fn.now()))
    .orderBy('id').limit(limit).select('id');
  return rows.map((r) => String(r.id));
}

/** Deletes up to `batch` processed events older than `before`; returns how many went. */
export async function deleteProcessedEvents(db: Knex, before: Date, batch: number): Promise<number> {
  return db('webhook_events')
    .whereIn('id', db('webhook_events').where('processed_at', '<', before).orderBy('processed_at').limit(batch).select('id'))
    .del();
}

