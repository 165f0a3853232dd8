import type { Knex } from 'knex';

export type Channel = 'whatsapp' | 'instagram';

export interface ConnectionRow {
  id: string;
  channel: Channel;
  name: string;
  external_id: string;
  business_account_id: string | null;
  display_phone_number: string | null;
  team_id: string | null;
  secrets: string;
  send_rate_per_second: number | null;
  status: 'untested' | 'ok' | 'error';
  last_error: string | null;
  last_tested_at: Date | null;
  signature_failures: number;
  last_signature_failure_at: Date | null;
  deleted_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** The decrypted part of a connection. Lives only in memory, never in logs or responses. */
export interface ConnectionSecrets {
  accessToken: string;
  appSecret: string;
  verifyToken: string;
}

export async function insertConnection(db: Knex, row: Partial<ConnectionRow> & Pick<ConnectionRow, 'id' | 'channel' | 'name' | 'external_id' | 'secrets'>): Promise<ConnectionRow> {
  const [created] = await db('connections').insert(row).returning('*');
  return created;
}

export async function findConnection(db: Knex, id: string): Promise<ConnectionRow | undefined> {
  return db('connections').where({ id }).whereNull('deleted_at').first();
}

/** The connections not removed, by id. */
export async function findConnections(db: Knex, ids: string[]): Promise<Map<string, ConnectionRow>> {
  if (!ids.length) return new Map();
  const rows: ConnectionRow[] = await db('connections').whereIn('id', [...new Set(ids)]).whereNull('deleted_at');
  return new Map(rows.map((r) => [r.id, r]));
}

export async function findConnectionByExternalId(db: Knex, channel: Channel, externalId: string): Promise<ConnectionRow | undefined> {
  return db('connections').where({ channel, external_id: externalId }).whereNull('deleted_at').first();
}

/** Connections are a short list per appliance (the plan allows a handful), listed whole. */
export async function listConnections(db: Knex): Promise<ConnectionRow[]> {
  return db('connections').whereNull('deleted_at').orderBy('created_at').limit(1000);
}

export async function countConnections(db: Knex): Promise<number> {
  const [row] = await db('connections').whereNull('deleted_at').count<{ count: string }[]>('* as count');
  return Number(row!.count);
}

export async function updateConnection(db: Knex, id: string, patch: Partial<ConnectionRow>): Promise<void> {
  await db('connections').where({ id }).update({ ...patch, updated_at: db.fn.now() });
}

export async function markDeleted(db: Knex, id: string, at: Date): Promise<void> {
  await db('connections').where({ id }).update({ deleted_at: at, updated_at: db.fn.now() });
}

export async function recordSignatureFailure(db: Knex, id: string, at: Date): Promise<void> {
  await db('connections').where({ id }).update({ signature_failures: db.raw('signature_failures + 1'), last_signature_failure_at: at });
}

/** The numbers behind "is WhatsApp working?": computed from the messages, so ingest writes no hot row. */
export async function connectionActivity(db: Knex, id: string, since: Date) {
  const [lastIn, lastOut, errors, queued] = await Promise.all([
    db('messages').where({ connection_id: id, direction: 'in' }).orderBy('created_at', 'desc').first('created_at'),
    db('messages').where({ connection_id: id, direction: 'out' }).whereNotNull('sent_at').orderBy('created_at', 'desc').first('sent_at'),
    db('messages').where({ connection_id: id, status: 'failed' }).where('failed_at', '>=', since)
      .groupBy('error_code').select('error_code').count<{ error_code: string | null; count: string }[]>('* as count'),
    db('messages').where({ connection_id: id, status: 'queued' }).count<{ count: string }[]>('* as count'),
  ]);
  return {
    lastInboundAt: (lastIn?.created_at as Date | undefined) ?? null,
    lastOutboundAt: (lastOut?.sent_at as Date | undefined) ?? null,
    sendErrors: errors.map((e) => ({ code: e.error_code, count: Number(e.count) })),
    queued: Number(queued[0]!.count),
  };
}
