import type { Knex } from 'knex';
import { pageQuery } from '#kit/cursor.js';
import { whereVisible } from '../policies/conversations.js';
import type { Actor } from '../policies/roles.js';
import { conversationViews, type ConversationView } from './conversations.js';
import type { MessageRow } from './messages.js';

/** `bot`: a bot flow is handling it now (a running session: bot_session_id, index conversations_bot). */
export type Queue = 'unassigned' | 'mine' | 'team' | 'bot' | 'all';
export type StatusFilter = 'open' | 'resolved' | 'all';

export interface InboxQuery {
  queue: Queue;
  status: StatusFilter;
  connectionId?: string;
  tag?: string;
  q?: string;
  cursor?: string;
  limit: number;
}

/**
 * One index-shaped slice of the listing: equality on assignee and/or team (undefined = any). Every
 * conversations_* index is (assignee | team | nothing, status, last_message_at desc, id desc), so a slice
 * plus one status is a single ordered range scan that stops after a page.
 */
interface Slice {
  assignee?: string | null;
  team?: string;
}

/**
 * Slices whose union covers what the actor sees (policies/conversations.ts canSeeConversation). They only
 * shape the scans: whereVisible is applied to the rows they return, so visibility is decided by the policy.
 */
function visibleSlices(actor: Actor): Slice[] {
  if (actor.role === 'admin') return [{}];
  const own: Slice = { assignee: actor.id };
  if (actor.role === 'supervisor') return [own, ...actor.teamIds.map((team) => ({ team }))];
  return [own, ...actor.teamIds.map((team) => ({ assignee: null, team }))];
}

function queueSlices(actor: Actor, queue: Queue): Slice[] {
  if (queue === 'mine') return [{ assignee: actor.id }];
  if (queue === 'unassigned') return [{ assignee: null }];
  if (queue === 'team' && actor.role !== 'admin') return actor.teamIds.map((team) => ({ team }));
  // bot: no slice of its own (any assignee, any team); for an admin the one scan is conversations_bot.
  return [{}];
}

function meet(a: Slice, b: Slice): Slice | null {
  if (a.assignee !== undefined && b.assignee !== undefined && a.assignee !== b.assignee) return null;
  if (a.team !== undefined && b.team !== undefined && a.team !== b.team) return null;
  return { assignee: a.assignee !== undefined ? a.assignee : b.assignee, team: a.team ?? b.team };
}

/**
 * The one definition of each queue, as a SQL condition on alias `c` (null for `all`: every visible row).
 * Raw SQL so that the listing (WHERE) and the counts (FILTER) share it; visibility is not part of it.
 */
export function queueCondition(actor: Actor, queue: Queue): { sql: string; bindings: string[] } | null {
  if (queue === 'mine') return { sql: 'c.assignee_id = ?', bindings: [actor.id] };
  if (queue === 'unassigned') return { sql: 'c.assignee_id is null', bindings: [] };
  if (queue === 'team') {
    if (actor.role === 'admin') return { sql: 'c.team_id is not null', bindings: [] };
    if (!actor.teamIds.length) return { sql: 'false', bindings: [] };
    return { sql: `c.team_id in (${actor.teamIds.map(() => '?').join(', ')})`, bindings: actor.teamIds };
  }
  // Exactly the predicate of the partial index conversations_bot, so an admin's listing is its range scan.
  if (queue === 'bot') return { sql: 'c.bot_session_id is not null', bindings: [] };
  return null;
}

/** The queue's own condition, applied to every slice (slices narrow; they never decide membership). */
function whereQueue(q: Knex.QueryBuilder, actor: Actor, queue: Queue): void {
  const cond = queueCondition(actor, queue);
  if (cond) q.whereRaw(cond.sql, cond.bindings);
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

function whereFilters(q: Knex.QueryBuilder, f: InboxQuery): void {
  if (f.connectionId) q.where('c.connection_id', f.connectionId);
  if (f.tag || f.q) q.join('contacts as ct', 'ct.id', 'c.contact_id');
  if (f.tag) q.whereRaw('ct.tags @> array[?]::text[]', [f.tag]);
  if (f.q) {
    const text = `%${likeEscape(f.q)}%`;
    const digits = f.q.replace(/\D/g, '');
    q.where((w) => {
      w.whereRaw(`ct.name ilike ? escape '\\'`, [text]).orWhereRaw(`ct.profile_name ilike ? escape '\\'`, [text]);
      // Phone search on digits only, so "+55 (11) 9999-8888" finds 551199998888; match_key has the ninth digit.
      if (digits.length >= 3) w.orWhere('ct.external_id', 'like', `%${digits}%`).orWhere('ct.match_key', 'like', `%${digits}%`);
    });
  }
}

/**
 * A page of the inbox, newest activity first. Each (slice, status) is scanned on its own index with the
 * cursor and a limit, and the union is merged: the first page costs a few short index scans whatever the
 * table size, where one OR-ed query would read and sort every visible row.
 */
export async function listInbox(db: Knex, actor: Actor, f: InboxQuery): Promise<ConversationView[]> {
  const q = inboxQuery(db, actor, f);
  return q ? q : [];
}

/** The listing's query (null when the actor's queue is empty by definition); the bench EXPLAINs it. */
export function inboxQuery(db: Knex, actor: Actor, f: InboxQuery): Knex.QueryBuilder | null {
  if (f.queue === 'team' && actor.role !== 'admin' && !actor.teamIds.length) return null;
  const slices: Slice[] = [];
  for (const v of visibleSlices(actor)) {
    for (const s of queueSlices(actor, f.queue)) {
      const m = meet(v, s);
      if (m) slices.push(m);
    }
  }
  const statuses = f.status === 'all' ? (['open', 'resolved'] as const) : [f.status];
  const scans = slices.flatMap((slice) => statuses.map((status) => {
    const q = db('conversations as c').select('c.id', 'c.last_message_at').where('c.status', status);
    if (slice.assignee === null) q.whereNull('c.assignee_id');
    else if (slice.assignee !== undefined) q.where('c.assignee_id', slice.assignee);
    if (slice.team !== undefined) q.where('c.team_id', slice.team);
    whereQueue(q, actor, f.queue);
    whereFilters(q, f);
    return pageQuery(q, 'c.last_message_at', 'c.id', f.cursor, f.limit);
  }));
  if (!scans.length) return null;
  // UNION (not ALL): a supervisor's own conversation in their team comes from two slices.
  const page = scans.length === 1
    ? scans[0]!.as('p')
    : pageQuery(db.select('u.id', 'u.last_message_at').from(db.union(scans, true).as('u')), 'u.last_message_at', 'u.id', undefined, f.limit).as('p');
  // The policy decides what is returned: every row passes whereVisible. It is applied here, to the page,
  // because inside the scans its OR (redundant with each slice) makes the planner misjudge row counts and
  // trade the ordered index scan for a bitmap scan and a sort of the whole slice. Slices never exceed it,
  // so it removes nothing in practice; were they ever wider, a page would come out short, never leak.
  return whereVisible(conversationViews(db).join(page, 'p.id', 'c.id'), actor, 'c')
    .orderBy([{ column: 'c.last_message_at', order: 'desc' }, { column: 'c.id', order: 'desc' }]);
}

export type QueueCounts = Record<Queue, { total: number; unread: number }>;
const QUEUES: Queue[] = ['unassigned', 'mine', 'team', 'bot', 'all'];

/**
 * How many conversations each queue holds for the actor, and how many of those have unread messages.
 * One pass over the visible set (whereVisible: index scans on the actor's slices, or all rows of the
 * status for an admin), each queue a FILTER on the same condition its listing uses.
 */
export async function countInbox(db: Knex, actor: Actor, status: StatusFilter): Promise<QueueCounts> {
  const row: Record<string, number> = await inboxCountsQuery(db, actor, status).first();
  return Object.fromEntries(QUEUES.map((k) => [k, { total: row[`${k}_total`]!, unread: row[`${k}_unread`]! }])) as QueueCounts;
}

/** The counts' query: one row, `<queue>_total` and `<queue>_unread` per queue (exported for EXPLAIN). */
export function inboxCountsQuery(db: Knex, actor: Actor, status: StatusFilter): Knex.QueryBuilder {
  const q = db('conversations as c');
  if (status !== 'all') q.where('c.status', status);
  whereVisible(q, actor, 'c');
  for (const queue of QUEUES) {
    const cond = queueCondition(actor, queue);
    const where = cond ? `(${cond.sql})` : 'true';
    const bindings = cond?.bindings ?? [];
    q.select(
      db.raw(`count(*) filter (where ${where})::int as ??`, [...bindings, `${queue}_total`]),
      db.raw(`count(*) filter (where ${where} and c.unread_count > 0)::int as ??`, [...bindings, `${queue}_unread`]),
    );
  }
  return q;
}

/** A contact's conversations, past and current, that the actor sees: newest activity first, cursor-paged. */
export async function listContactConversations(
  db: Knex, actor: Actor, contactId: string, cursor: string | undefined, limit: number,
): Promise<Array<ConversationView & { message_count: number }>> {
  // A contact has a handful of conversations (conversations_contact); counting each one's thread is an
  // index-only scan of messages_thread.
  const q = conversationViews(db)
    .select(db.raw('(select count(*)::int from messages m where m.conversation_id = c.id) as message_count'))
    .where('c.contact_id', contactId);
  whereVisible(q, actor, 'c');
  return pageQuery(q, 'c.last_message_at', 'c.id', cursor, limit);
}

/** The thread, newest first, keyset on (at, id) over messages_thread. */
export async function listThread(db: Knex, conversationId: string, cursor: string | undefined, limit: number): Promise<MessageRow[]> {
  return pageQuery(db('messages as m').select('m.*').where('m.conversation_id', conversationId), 'm.at', 'm.id', cursor, limit);
}

/** Does the actor see at least one conversation of this contact? (the contact's visibility) */
export async function contactVisibleTo(db: Knex, actor: Actor, contactId: string): Promise<boolean> {
  if (actor.role === 'admin') return true;
  const q = db('conversations as c').where('c.contact_id', contactId).select('c.id').first();
  whereVisible(q, actor, 'c');
  return !!(await q);
}

/** The contact's open conversation, if any (at most one: conversations_one_open). */
export async function findOpenConversationOfContact(db: Knex, contactId: string): Promise<{ id: string; team_id: string | null; assignee_id: string | null } | undefined> {
  return db('conversations').where({ contact_id: contactId, status: 'open' }).first('id', 'team_id', 'assignee_id');
}
