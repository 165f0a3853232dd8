import type { Knex } from 'knex';
import { decodeCursor } from '#kit/cursor.js';
import type { Actor } from '../policies/roles.js';
import type { OutboundContent } from '../commands/sendMessage.js';
import type { TemplateInput } from '../routes/outbound/schema.js';
import type { Recurrence } from '../schedules/recurrence.js';

export type ScheduleStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'cancelled' | 'expired';
export type ScheduledContent = Exclude<OutboundContent, { type: 'interactive' }>;

export interface ScheduledMessageRow {
  id: string;
  connection_id: string;
  contact_id: string;
  conversation_id: string | null;
  content: ScheduledContent;
  fallback_template: TemplateInput | null;
  send_at: Date;
  anchor_at: Date;
  occurrence: number;
  anchor_occurrence: number;
  recurrence: Recurrence;
  repeat_until: Date | null;
  max_lateness_seconds: number;
  cancel_if_customer_writes: boolean;
  status: ScheduleStatus;
  error_code: string | null;
  error_detail: string | null;
  last_message_id: string | null;
  last_sent_at: Date | null;
  occurrences: number;
  skipped: number;
  cancel_reason: string | null;
  cancelled_by: string | null;
  cancelled_at: Date | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

/** A row with what lists show beside it: the contact, the connection, who scheduled it. */
export interface ScheduledMessageView extends ScheduledMessageRow {
  contact_name: string | null;
  contact_profile_name: string | null;
  contact_external_id: string;
  connection_name: string;
  channel: 'whatsapp' | 'instagram';
  created_by_name: string | null;
  /** The visibility scope: the conversation's team, or the connection's for an item without one yet. */
  scope_team_id: string | null;
  scope_assignee_id: string | null;
}

const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));

export async function insertScheduledMessage(db: Knex, row: Omit<Partial<ScheduledMessageRow>, 'content' | 'fallback_template'> & {
  connection_id: string; contact_id: string; content: ScheduledContent; fallback_template: TemplateInput | null; send_at: Date;
}): Promise<ScheduledMessageRow> {
  const [inserted] = await db('scheduled_messages')
    .insert({ ...row, anchor_at: row.anchor_at ?? row.send_at, content: json(row.content), fallback_template: json(row.fallback_template) })
    .returning('*');
  return inserted;
}

function views(db: Knex): Knex.QueryBuilder {
  return db('scheduled_messages as sm')
    .leftJoin('conversations as c', 'c.id', 'sm.conversation_id')
    .join('connections as cn', 'cn.id', 'sm.connection_id')
    .join('contacts as ct', 'ct.id', 'sm.contact_id')
    .leftJoin('users as u', 'u.id', 'sm.created_by')
    .select(
      'sm.*', 'ct.name as contact_name', 'ct.profile_name as contact_profile_name', 'ct.external_id as contact_external_id',
      'cn.name as connection_name', 'cn.channel', 'u.name as created_by_name',
      db.raw('coalesce(c.team_id, cn.team_id) as scope_team_id'), 'c.assignee_id as scope_assignee_id',
    );
}

/**
 * The conversation policy (policies/conversations.ts) as SQL on an item: its conversation's team and
 * assignee, or for an item with no conversation yet its connection's team, unassigned.
 */
function whereVisibleItem(q: Knex.QueryBuilder, actor: Actor): Knex.QueryBuilder {
  if (actor.role === 'admin') return q;
  const teams = actor.teamIds;
  return q.where((w) => {
    w.where('c.assignee_id', actor.id);
    if (!teams.length) return;
    if (actor.role === 'supervisor') w.orWhereRaw(`coalesce(c.team_id, cn.team_id) = any(?)`, [teams]);
    else w.orWhere((u) => u.whereNull('c.assignee_id').whereRaw(`coalesce(c.team_id, cn.team_id) = any(?)`, [teams]));
  });
}

export async function findScheduledMessageView(db: Knex, id: string): Promise<ScheduledMessageView | undefined> {
  return views(db).where('sm.id', id).first();
}

export async function findScheduledMessage(db: Knex, id: string): Promise<ScheduledMessageRow | undefined> {
  return db('scheduled_messages').where({ id }).first();
}

export async function lockScheduledMessage(trx: Knex.Transaction, id: string): Promise<ScheduledMessageRow | undefined> {
  return trx('scheduled_messages').where({ id }).forUpdate().first();
}

export interface ScheduleListQuery {
  conversationId?: string;
  status?: ScheduleStatus;
  cursor?: string;
  limit: number;
}

/**
 * What the actor sees, cursor-paged on (send_at, id): pending items soonest first (what goes out next),
 * any other list newest first. Backed by scheduled_messages_conversation, _by_status and _by_time.
 */
export async function listScheduledMessages(db: Knex, actor: Actor, f: ScheduleListQuery): Promise<ScheduledMessageView[]> {
  const ascending = f.status === 'pending';
  const q = whereVisibleItem(views(db), actor);
  if (f.conversationId) q.where('sm.conversation_id', f.conversationId);
  if (f.status) q.where('sm.status', f.status);
  if (f.cursor) {
    const c = decodeCursor(f.cursor, 'uuid');
    q.whereRaw(`(sm.send_at, sm.id) ${ascending ? '>' : '<'} (?, ?)`, [c.at, c.id]);
  }
  const order = ascending ? 'asc' : 'desc';
  return q.orderBy([{ column: 'sm.send_at', order }, { column: 'sm.id', order }]).limit(f.limit + 1);
}

export async function updateScheduledMessage(db: Knex, id: string, patch: Record<string, unknown>): Promise<ScheduledMessageRow> {
  const p: Record<string, unknown> = { ...patch };
  if ('content' in p) p.content = json(p.content);
  if ('fallback_template' in p) p.fallback_template = json(p.fallback_template);
  const [row] = await db('scheduled_messages').where({ id }).update(p).returning('*');
  return row;
}

/** Ids of pending items due at `now` — every one, however late (no lower bound: a worker that was down catches up). */
export async function dueScheduledIds(db: Knex, now: Date, limit: number): Promise<string[]> {
  const rows = await db('scheduled_messages').where('status', 'pending').where('send_at', '<=', now).orderBy('send_at').limit(limit).select('id');
  return rows.map((r: { id: string }) => r.id);
}

/** The item claimed for this transaction, if still pending and due and no other worker holds it. */
export async function claimDueScheduled(trx: Knex.Transaction, id: string, now: Date): Promise<ScheduledMessageRow | undefined> {
  return trx('scheduled_messages').where({ id, status: 'pending' }).where('send_at', '<=', now).forUpdate().skipLocked().first();
}

/** The contact's latest customer message time, over all its conversations (the window is the contact's). */
export async function lastInboundOfContact(db: Knex, contactId: string): Promise<Date | null> {
  const row = await db('conversations').where({ contact_id: contactId }).max('last_inbound_at as at').first();
  return (row?.at as Date | null) ?? null;
}

/** Pending items of the contact that are cancelled when the customer writes, made at or before `at`. */
export async function cancelOnCustomerMessage(db: Knex, contactId: string, at: Date, now: Date): Promise<ScheduledMessageRow[]> {
  return db('scheduled_messages')
    .where({ contact_id: contactId, status: 'pending', cancel_if_customer_writes: true })
    .where('created_at', '<=', at)
    .update({ status: 'cancelled', cancel_reason: 'customer_wrote', cancelled_at: now, updated_at: now })
    .returning('*');
}
