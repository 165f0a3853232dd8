import type { Knex } from 'knex';
import { LIVE_STATUSES, type SessionState, type SessionStatus } from '../bots/engine.js';
import type { FlowDefinition, FlowSettings } from '../bots/flowDefinition.js';
import type { FlowRow } from './flows.js';

export interface BotSessionRow {
  id: string;
  conversation_id: string;
  flow_id: string;
  version_id: string;
  node_id: string;
  variables: Record<string, unknown>;
  status: SessionStatus;
  reason: string | null;
  due_at: Date | null;
  retries: number;
  reminders: number;
  visits: Record<string, number>;
  steps: number;
  burst_at: Date | null;
  fast_replies: number;
  callback_token_hash: string | null;
  started_at: Date;
  updated_at: Date;
  ended_at: Date | null;
}

/** A flow that may start sessions now: live, or in test, with a published version. */
export type StartableFlow = Pick<FlowRow, 'id' | 'name' | 'connection_ids' | 'trigger' | 'priority' | 'is_fallback' | 'test_phone' | 'exit_keywords' | 'settings'>
  & { status: 'test' | 'live'; version_id: string };

export const isLive = (status: SessionStatus) => (LIVE_STATUSES as readonly string[]).includes(status);

export async function startableFlows(db: Knex): Promise<StartableFlow[]> {
  return db('flows')
    .whereNull('deleted_at').whereIn('status', ['test', 'live']).whereNotNull('published_version_id')
    .orderBy([{ column: 'priority', order: 'asc' }, { column: 'name', order: 'asc' }])
    .select('id', 'name', 'connection_ids', 'trigger', 'priority', 'is_fallback', 'status', 'test_phone', 'exit_keywords', 'settings', 'published_version_id as version_id');
}

export async function findVersionDefinition(db: Knex, versionId: string): Promise<FlowDefinition | undefined> {
  return (await db('flow_versions').where({ id: versionId }).first('definition'))?.definition;
}

export type FlowRuntime = { id: string; settings: Partial<FlowSettings>; exit_keywords: string[]; deleted_at: Date | null };

/** The flow's settings and exit keywords as they are now (a session keeps its version, not these). */
export async function findFlowRuntime(db: Knex, flowId: string): Promise<FlowRuntime | undefined> {
  return (await findFlowRuntimes(db, [flowId])).get(flowId);
}

export async function findFlowRuntimes(db: Knex, flowIds: string[]): Promise<Map<string, FlowRuntime>> {
  if (!flowIds.length) return new Map();
  const rows: FlowRuntime[] = await db('flows').whereIn('id', [...new Set(flowIds)]).select('id', 'settings', 'exit_keywords', 'deleted_at');
  return new Map(rows.map((r) => [r.id, r]));
}

export async function lockLiveSession(trx: Knex.Transaction, conversationId: string): Promise<BotSessionRow | undefined> {
  return trx('bot_sessions').where({ conversation_id: conversationId }).whereIn('status', LIVE_STATUSES).forUpdate().first();
}

/** Sessions row-locked for this transaction, in id order; by id. Lock their conversations first (lockConversations). */
export async function lockSessions(trx: Knex.Transaction, ids: string[]): Promise<Map<string, BotSessionRow>> {
  if (!ids.length) return new Map();
  const rows: BotSessionRow[] = await trx('bot_sessions').whereIn('id', ids).orderBy('id').forUpdate();
  return new Map(rows.map((r) => [r.id, r]));
}

export async function findSession(db: Knex, id: string): Promise<BotSessionRow | undefined> {
  return db('bot_sessions').where({ id }).first();
}

export async function insertSession(trx: Knex.Transaction, row: Omit<BotSessionRow, 'id' | 'callback_token_hash' | 'ended_at' | 'reason' | 'due_at' | 'steps' | 'fast_replies' | 'retries' | 'reminders'>): Promise<BotSessionRow> {
  const [inserted] = await trx('bot_sessions')
    .insert({ ...row, variables: JSON.stringify(row.variables), visits: JSON.stringify(row.visits) })
    .returning('*');
  return inserted;
}

/** A step's outcome for one session: every column a step may change, as it is to be stored. */
export type SessionWrite = Pick<BotSessionRow, 'id' | 'node_id' | 'status' | 'reason' | 'variables' | 'visits' | 'retries' | 'reminders' | 'due_at' | 'steps'
  | 'updated_at' | 'ended_at' | 'burst_at' | 'fast_replies' | 'callback_token_hash'>;

/** The row a step leaves: its state, the next timer's absolute time, and what it keeps of the session as it was. */
export function sessionWrite(
  session: BotSessionRow, state: SessionState,
  extra: { due: Date | null; now: Date; steps: number; burstAt?: Date | null; fastReplies?: number; callbackTokenHash?: string | null },
): SessionWrite {
  const live = isLive(state.status);
  return {
    id: session.id, node_id: state.nodeId, status: state.status, reason: state.reason, variables: state.variables, visits: state.visits,
    retries: state.retries, reminders: state.reminders, due_at: live ? extra.due : null, steps: extra.steps,
    updated_at: extra.now, ended_at: live ? null : extra.now,
    burst_at: extra.burstAt !== undefined ? extra.burstAt : session.burst_at,
    fast_replies: extra.fastReplies ?? session.fast_replies,
    callback_token_hash: !live ? null : extra.callbackTokenHash !== undefined ? extra.callbackTokenHash : session.callback_token_hash,
  };
}

/** Writes the steps of several sessions in one statement. */
export async function saveSessionStates(trx: Knex.Transaction, writes: SessionWrite[]): Promise<void> {
  if (!writes.length) return;
  await trx.raw(
    `update bot_sessions s set node_id = v.node_id, status = v.status, reason = v.reason, variables = v.variables, visits = v.visits,
       retries = v.retries, reminders = v.reminders, due_at = v.due_at, steps = v.steps, updated_at = v.updated_at, ended_at = v.ended_at,
       burst_at = v.burst_at, fast_replies = v.fast_replies, callback_token_hash = v.callback_token_hash
     from (values ${writes.map(() => '(?::uuid, ?::text, ?::text, ?::text, ?::jsonb, ?::jsonb, ?::int, ?::int, ?::timestamptz, ?::int, ?::timestamptz, ?::timestamptz, ?::timestamptz, ?::int, ?::text)').join(', ')})
       as v(id, node_id, status, reason, variables, visits, retries, reminders, due_at, steps, updated_at, ended_at, burst_at, fast_replies, callback_token_hash)
     where s.id = v.id`,
    writes.flatMap((w) => [w.id, w.node_id, w.status, w.reason, JSON.stringify(w.variables), JSON.stringify(w.visits), w.retries, w.reminders,
      w.due_at, w.steps, w.updated_at, w.ended_at, w.burst_at, w.fast_replies, w.callback_token_hash]),
  );
}

/** Ends a live session from outside the flow (a person took over, the plan lost the feature). */
export async function stopSession(trx: Knex.Transaction, id: string, status: 'handed_off' | 'ended', reason: string, now: Date): Promise<void> {
  await trx('bot_sessions').where({ id }).whereIn('status', LIVE_STATUSES)
    .update({ status, reason, due_at: null, callback_token_hash: null, updated_at: now, ended_at: now });
}

/**
 * Whether a customer message in this conversation could meet the bot: a session runs in it, a flow could
 * start, or some calendar has an out-of-office reply. One statement; false lets ingest's common case skip
 * the bot's transaction.
 */
export async function mayMeetBot(db: Knex, conversationId: string): Promise<boolean> {
  const { rows } = await db.raw(
    `select exists (select 1 from conversations where id = ? and bot_session_id is not null)
         or exists (select 1 from flows where deleted_at is null and status in ('test','live') and published_version_id is not null)
         or exists (select 1 from business_calendars where (out_of_office->>'enabled')::boolean) as may`,
    [conversationId],
  );
  return rows[0].may === true;
}

/** The flow of the campaign this contact's message answers (its latest send within the attribution window), if it names one. */
export async function campaignFlowFor(db: Knex, contactId: string, at: Date): Promise<string | null> {
  const row = await db('campaign_recipients as r').join('campaigns as c', 'c.id', 'r.campaign_id')
    .where('r.contact_id', contactId).whereNotNull('r.sent_at').where('r.sent_at', '<=', at)
    .whereRaw(`r.sent_at > ?::timestamptz - c.attribution_hours * interval '1 hour'`, [at])
    .orderBy('r.sent_at', 'desc').first('c.flow_id');
  return row?.flow_id ?? null;
}

/** Sessions whose timer is due, oldest first. */
export async function dueSessions(db: Knex, now: Date, limit: number): Promise<{ id: string; conversation_id: string; due_at: Date }[]> {
  return db('bot_sessions').where('due_at', '<=', now).orderBy('due_at').limit(limit).select('id', 'conversation_id', 'due_at');
}

export async function findSessionByCallback(db: Knex, tokenHash: string): Promise<BotSessionRow | undefined> {
  return db('bot_sessions').where({ callback_token_hash: tokenHash }).first();
}

/** One row per customer message the bot took: false when it was taken already (a job run twice). */
export async function takeInput(trx: Knex.Transaction, messageId: string, conversationId: string): Promise<boolean> {
  const rows = await trx('bot_inputs').insert({ message_id: messageId, conversation_id: conversationId, outcome: 'pending' }).onConflict('message_id').ignore().returning('message_id');
  return rows.length === 1;
}

export async function noteInput(trx: Knex.Transaction, messageId: string, outcome: string, sessionId: string | null): Promise<void> {
  await trx('bot_inputs').where({ message_id: messageId }).update({ outcome, session_id: sessionId });
}

export async function deleteOldInputs(db: Knex, before: Date, limit: number): Promise<number> {
  return db('bot_inputs').whereIn('message_id', db('bot_inputs').where('created_at', '<', before).limit(limit).select('message_id')).delete();
}
