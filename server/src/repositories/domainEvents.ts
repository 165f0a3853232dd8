import type { Knex } from 'knex';
import type { DomainEvent, StoredEvent } from '../events/domainEvents.js';

/** Records events inside the caller's transaction: they exist exactly when the change does. */
export async function recordEvents(trx: Knex | Knex.Transaction, events: DomainEvent[]): Promise<void> {
  if (!events.length) return;
  await trx('domain_events').insert(events.map((e) => ({ type: e.type, conversation_id: e.conversationId, payload: JSON.stringify(e) })));
}

export interface Cursor { tx: string; lastId: string }

/** Takes a subscriber's cursor for this transaction, or null when another worker holds it right now. */
export async function lockCursor(trx: Knex.Transaction, subscriber: string): Promise<Cursor | null> {
  const take = () => trx('event_cursors').where({ subscriber }).forUpdate().skipLocked().first('tx', 'last_id');
  let row = await take();
  if (!row && !(await trx('event_cursors').where({ subscriber }).first('subscriber'))) {
    // A new subscriber starts from the oldest event kept.
    await trx('event_cursors').insert({ subscriber }).onConflict('subscriber').ignore();
    row = await take();
  }
  return row ? { tx: String(row.tx), lastId: String(row.last_id) } : null;
}

/**
 * The events after the cursor whose transactions are all finished, in (tx, id) order: no later commit
 * can land before them (see the migration).
 */
export async function eventsAfter(trx: Knex.Transaction, cursor: Cursor, types: string[], limit: number): Promise<{ events: StoredEvent[]; last: Cursor | null }> {
  const rows = await trx('domain_events')
    .whereRaw('tx < pg_snapshot_xmin(pg_current_snapshot())')
    .whereRaw('(tx, id) > (?::xid8, ?::bigint)', [cursor.tx, cursor.lastId])
    .orderBy([{ column: 'tx' }, { column: 'id' }])
    .limit(limit)
    .select('id', 'tx', 'type', 'payload', 'created_at');
  const last = rows.length ? { tx: String(rows[rows.length - 1].tx), lastId: String(rows[rows.length - 1].id) } : null;
  const wanted = new Set(types);
  return {
    events: rows.filter((r) => wanted.has(r.type)).map((r) => ({ ...(r.payload as DomainEvent), id: String(r.id), recordedAt: r.created_at as Date })),
    last,
  };
}

export async function moveCursor(trx: Knex.Transaction, subscriber: string, to: Cursor): Promise<void> {
  await trx('event_cursors').where({ subscriber }).update({ tx: to.tx, last_id: to.lastId, updated_at: trx.fn.now() });
}

/** Deletes events older than `before` that every subscriber named has passed. */
export async function deleteDeliveredEvents(db: Knex, subscribers: string[], before: Date, limit: number): Promise<number> {
  const res = await db.raw(
    `delete from domain_events where id in (
       select e.id from domain_events e
       where e.created_at < ?
         and not exists (select 1 from event_cursors c where c.subscriber = any(?) and (e.tx, e.id) > (c.tx, c.last_id))
         and (select count(*) from event_cursors c where c.subscriber = any(?)) = ?
       limit ?)`,
    [before, subscribers, subscribers, subscribers.length, limit],
  );
  return res.rowCount ?? 0;
}
