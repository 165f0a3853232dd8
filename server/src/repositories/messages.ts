import type { Knex } from 'knex';
import { nextDeliveryState, type DeliveryUpdate } from '../messaging/deliveryState.js';

export type Direction = 'in' | 'out' | 'note';
export type MessageStatus = 'received' | 'queued' | 'sent' | 'delivered' | 'read' | 'failed' | 'note';
export type DeliveryStatus = 'sent' | 'delivered' | 'read' | 'failed';

export interface MessageRow {
  id: string;
  conversation_id: string;
  connection_id: string;
  direction: Direction;
  origin: 'customer' | 'agent' | 'business_app' | 'bot' | 'campaign';
  sender_user_id: string | null;
  provider_message_id: string | null;
  client_id: string | null;
  type: string;
  body: string | null;
  payload: Record<string, unknown> | null;
  status: MessageStatus;
  error_code: string | null;
  error_title: string | null;
  error_detail: string | null;
  attempts: number;
  media_provider_id: string | null;
  media_mime: string | null;
  media_size: string | number | null;
  media_sha256: string | null;
  media_filename: string | null;
  media_path: string | null;
  media_status: 'pending' | 'stored' | 'failed' | null;
  media_error: string | null;
  at: Date;
  sent_at: Date | null;
  delivered_at: Date | null;
  read_at: Date | null;
  failed_at: Date | null;
  created_at: Date;
}

export type NewMessage = Partial<MessageRow> &
  Pick<MessageRow, 'conversation_id' | 'connection_id' | 'direction' | 'origin' | 'type' | 'status' | 'at'>;

/**
 * Stores a message once: a provider id (or a dashboard client id) seen before returns null instead of a
 * second row. This is what makes Meta's redeliveries harmless.
 */
export async function insertMessage(db: Knex, m: NewMessage): Promise<MessageRow | null> {
  return (await insertMessages(db, [m]))[0] ?? null;
}

/** Many at once; those already stored (by provider id) are left out of the result. */
export async function insertMessages(db: Knex, list: NewMessage[]): Promise<MessageRow[]> {
  if (!list.length) return [];
  const rows = list.map((m) => ({ ...m, payload: m.payload === undefined || m.payload === null ? null : JSON.stringify(m.payload) }));
  return db('messages').insert(rows).returning('*')
    .onConflict(db.raw('(connection_id, provider_message_id) where provider_message_id is not null')).ignore();
}

/** Which of these provider ids are stored already for the connection. */
export async function storedProviderIds(db: Knex, connectionId: string, ids: string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const rows = await db('messages').where({ connection_id: connectionId }).whereIn('provider_message_id', ids).select('provider_message_id');
  return new Set(rows.map((r) => r.provider_message_id as string));
}

export async function findMessage(db: Knex, id: string): Promise<MessageRow | undefined> {
  return db('messages').where({ id }).first();
}

export async function updateMessage(db: Knex, id: string, patch: Partial<MessageRow>): Promise<MessageRow> {
  const [row] = await db('messages').where({ id }).update(patch).returning('*');
  return row;
}

/**
 * Applies a delivery status under a row lock, so two statuses of one message processed at once cannot
 * undo each other. Returns null when the message is not stored yet (keep the status pending then).
 */
export async function applyDeliveryStatus(
  trx: Knex.Transaction,
  connectionId: string,
  providerMessageId: string,
  u: DeliveryUpdate,
): Promise<{ message: MessageRow; changed: boolean } | null> {
  const current: MessageRow | undefined = await trx('messages')
    .where({ connection_id: connectionId, provider_message_id: providerMessageId }).forUpdate().first();
  if (!current) return null;
  const patch = nextDeliveryState(current, u);
  if (!patch) return { message: current, changed: false };
  return { message: await updateMessage(trx, current.id, patch), changed: true };
}

/** Keeps a status whose message is not stored yet; applied when the message gets its provider id. */
export async function keepPendingStatus(
  db: Knex,
  s: { connectionId: string; providerMessageId: string; status: DeliveryStatus; at: Date; error?: unknown },
): Promise<void> {
  await db('pending_statuses')
    .insert({ connection_id: s.connectionId, provider_message_id: s.providerMessageId, status: s.status, at: s.at, error: s.error ? JSON.stringify(s.error) : null })
    .onConflict(['connection_id', 'provider_message_id', 'status']).ignore();
}

/**
 * Serialises, per provider message id, "is the message there? else keep the status aside" against
 * "take the statuses kept aside": without it a status could be kept just after the sender looked, and
 * wait forever. Held until the transaction ends.
 */
export async function lockProviderMessageId(trx: Knex, connectionId: string, providerMessageId: string): Promise<void> {
  await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`atendo:msg:${connectionId}:${providerMessageId}`]);
}

/** Takes (and deletes) the statuses that waited for this message. Call inside a transaction. */
export async function takePendingStatuses(db: Knex, connectionId: string, providerMessageId: string) {
  await lockProviderMessageId(db, connectionId, providerMessageId);
  return db('pending_statuses').where({ connection_id: connectionId, provider_message_id: providerMessageId }).del()
    .returning(['status', 'at', 'error']) as Promise<Array<{ status: DeliveryStatus; at: Date; error: { code: string; title: string | null; detail: string | null } | null }>>;
}

// ───────── outbound sends (commands/sendMessage.ts, commands/deliverMessage.ts) ─────────

/** A message with the send bookkeeping of migration 0005. */
export interface OutboundMessageRow extends MessageRow {
  next_attempt_at: Date | null;
  claimed_until: Date | null;
  spam_deferrals: number;
}

/**
 * An outbound message of the same conversation, written before this one and still waiting to go now or
 * within a minute (a throttled retry); one rescheduled further ahead (a spam-limit hour) holds nothing back.
 */
export async function earlierQueuedMessage(db: Knex, m: Pick<MessageRow, 'id' | 'conversation_id' | 'at'>, now: Date): Promise<boolean> {
  const row = await db('messages')
    .where({ conversation_id: m.conversation_id, direction: 'out', status: 'queued' })
    .where('at', '<', m.at).whereNot('id', m.id)
    .where((q) => q.whereNull('next_attempt_at').orWhere('next_attempt_at', '<=', new Date(now.getTime() + 60_000)))
    .first('id');
  return !!row;
}

export async function findMessageByClientId(db: Knex, conversationId: string, clientId: string): Promise<MessageRow | undefined> {
  return db('messages').where({ conversation_id: conversationId, client_id: clientId }).first();
}

/** Stores an outbound message once per dashboard client id: a client id seen before returns null. */
export async function insertOutboundMessage(db: Knex, m: NewMessage): Promise<MessageRow | null> {
  return (await insertOutboundMessages(db, [m]))[0] ?? null;
}

/** Several in one statement; a clientId stored already is skipped (it is not among the rows returned). */
export async function insertOutboundMessages(db: Knex, ms: NewMessage[]): Promise<MessageRow[]> {
  if (!ms.length) return [];
  const rows = ms.map((m) => ({ ...m, payload: m.payload === undefined || m.payload === null ? null : JSON.stringify(m.payload) }));
  return db('messages').insert(rows).returning('*')
    .onConflict(db.raw('(conversation_id, client_id) where client_id is not null')).ignore();
}

/** The outbound message still waiting to be sent, row-locked for this transaction; undefined otherwise. */
export async function lockQueuedMessage(trx: Knex.Transaction, id: string): Promise<OutboundMessageRow | undefined> {
  return trx('messages').where({ id, direction: 'out', status: 'queued' }).forUpdate().first();
}

export async function findOutboundMessage(db: Knex, id: string): Promise<OutboundMessageRow | undefined> {
  return db('messages').where({ id, direction: 'out' }).first();
}

export async function updateOutboundMessage(db: Knex, id: string, patch: Partial<OutboundMessageRow>): Promise<OutboundMessageRow> {
  const [row] = await db('messages').where({ id }).update(patch).returning('*');
  return row;
}

/**
 * Queued sends nobody is working on and whose time has come long ago: their job was lost (Redis
 * restarted, the web process died between commit and enqueue). Backed by the partial index on queued.
 */
export async function strandedQueuedMessages(db: Knex, before: Date, limit: number): Promise<string[]> {
  const rows = await db('messages').where({ status: 'queued', direction: 'out' })
    .where((w) => w.whereNull('claimed_until').orWhere('claimed_until', '<', before))
    .where(db.raw('coalesce(next_attempt_at, created_at) < ?', [before]))
    .limit(limit).select('id');
  return rows.map((r: { id: string }) => r.id);
}

/** Pending statuses whose message never came (Instagram reads of mids never stored, lost sends): dropped after a while. */
export async function deleteStalePendingStatuses(db: Knex, before: Date, batch: number): Promise<number> {
  const res = await db.raw(
    `delete from pending_statuses where ctid in (select ctid from pending_statuses where created_at < ? limit ?)`,
    [before, batch],
  );
  return res.rowCount ?? 0;
}

/** Inbound media still `pending` since before `before`: their download job was lost (index messages_media_pending). */
export async function listStuckMedia(db: Knex, before: Date, limit: number): Promise<string[]> {
  const rows = await db('messages').where({ media_status: 'pending' }).where('created_at', '<', before)
    .orderBy('created_at').limit(limit).select('id');
  return rows.map((r) => r.id as string);
}

/**
 * Ends an inbound media download (stored or failed) if it is still pending, so two jobs racing on one
 * message cannot both write. Returns the updated row, or undefined when another one finished first.
 */
export async function finishMediaDownload(
  db: Knex,
  id: string,
  patch: Pick<Partial<MessageRow>, 'media_status' | 'media_path' | 'media_size' | 'media_mime' | 'media_error'>,
): Promise<MessageRow | undefined> {
  const [row] = await db('messages').where({ id, media_status: 'pending' }).update(patch).returning('*');
  return row;
}

export async function lockOutboundMessage(trx: Knex.Transaction, id: string): Promise<OutboundMessageRow | undefined> {
  return trx('messages').where({ id }).forUpdate().first();
}

/**
 * Instagram echoes our own sends by webhook; one that arrives before the worker stored Meta's id was
 * stored as a business-app message. Removed so the id lands on the message we sent (returns how many).
 */
export async function removeEarlyEcho(trx: Knex.Transaction, connectionId: string, providerMessageId: string, keepId: string): Promise<number> {
  return trx('messages')
    .where({ connection_id: connectionId, provider_message_id: providerMessageId, origin: 'business_app', direction: 'out' })
    .whereNot({ id: keepId }).del();
}
