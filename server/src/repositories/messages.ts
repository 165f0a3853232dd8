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
  const row = { ...m, payload: m.payload === undefined || m.payload === null ? null : JSON.stringify(m.payload) };
  const q = db('messages').insert(row).returning('*');
  const rows = await q.onConflict(db.raw('(connection_id, provider_message_id) where provider_message_id is not null')).ignore();
  return rows[0] ?? null;
}

export async function findMessage(db: Knex, id: string): Promise<MessageRow | undefined> {
  return db('messages').where({ id }).first();
}

export async function findMessageByProviderId(db: Knex, connectionId: string, providerMessageId: string): Promise<MessageRow | undefined> {
  return db('messages').where({ connection_id: connectionId, provider_message_id: providerMessageId }).first();
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

/** Takes (and deletes) the statuses that waited for this message. */
export async function takePendingStatuses(db: Knex, connectionId: string, providerMessageId: string) {
  return db('pending_statuses').where({ connection_id: connectionId, provider_message_id: providerMessageId }).del()
    .returning(['status', 'at', 'error']) as Promise<Array<{ status: DeliveryStatus; at: Date; error: { code: string; title: string | null; detail: string | null } | null }>>;
}
