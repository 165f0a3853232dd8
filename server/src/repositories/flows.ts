import type { Knex } from 'knex';
import { pageQuery } from '#kit/cursor.js';
import type { FlowDefinition, FlowSettings, FlowTrigger } from '../bots/flowDefinition.js';

export type FlowStatus = 'off' | 'test' | 'live';

export interface FlowRow {
  id: string;
  name: string;
  connection_ids: string[];
  trigger: FlowTrigger;
  priority: number;
  is_fallback: boolean;
  status: FlowStatus;
  test_phone: string | null;
  exit_keywords: string[];
  settings: Partial<FlowSettings>;
  draft: FlowDefinition;
  published_version_id: string | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

/** A flow as listed: its live version (number, when, by whom) and whether the draft differs from it. */
export interface FlowListRow extends Omit<FlowRow, 'draft'> {
  version_number: number | null;
  version_published_at: Date | null;
  version_published_by: string | null;
  version_publisher_name: string | null;
  /** No version yet counts as changed: there is something to publish. */
  draft_changed: boolean;
}
export type FlowFullRow = FlowListRow & { draft: FlowDefinition };

export interface FlowVersionRow {
  id: string;
  flow_id: string;
  version: number;
  definition: FlowDefinition;
  published_by: string | null;
  published_at: Date;
  publisher_name?: string | null;
}

export type SessionCounts = { running: number; waiting: number; handedOff: number; ended: number; failed: number };
export const LIVE_SESSION_STATUSES = ['running', 'waiting_answer', 'waiting_time', 'waiting_webhook', 'waiting_callback'] as const;
const WAITING = new Set<string>(LIVE_SESSION_STATUSES.filter((s) => s !== 'running'));

/** Every column but the draft (the list never carries definitions), with the live version joined. */
const LIST_COLUMNS = [
  'f.id', 'f.name', 'f.connection_ids', 'f.trigger', 'f.priority', 'f.is_fallback', 'f.status', 'f.test_phone', 'f.exit_keywords',
  'f.settings', 'f.published_version_id', 'f.created_by', 'f.created_at', 'f.updated_at', 'f.deleted_at',
  'v.version as version_number', 'v.published_at as version_published_at', 'v.published_by as version_published_by',
  'pu.name as version_publisher_name',
];

const flowsJoined = (db: Knex) =>
  db('flows as f')
    .leftJoin('flow_versions as v', 'v.id', 'f.published_version_id')
    .leftJoin('users as pu', 'pu.id', 'v.published_by')
    .select(...LIST_COLUMNS, db.raw('(v.definition is null or v.definition <> f.draft) as draft_changed'))
    .whereNull('f.deleted_at');

/** Flows are a short, hand-made list: one capped page, in the order triggers are tried. */
export async function listFlows(db: Knex, limit: number): Promise<FlowListRow[]> {
  return flowsJoined(db).orderBy([{ column: 'f.priority' }, { column: 'f.name' }, { column: 'f.id' }]).limit(limit);
}

export async function findFlow(db: Knex, id: string): Promise<FlowFullRow | undefined> {
  return flowsJoined(db).select('f.draft').where('f.id', id).first();
}

/** Locks the flow's row for the transaction (publish, rollback, status): changes to one flow queue up. */
export async function lockFlow(trx: Knex.Transaction, id: string): Promise<FlowRow | undefined> {
  return trx('flows').where({ id }).whereNull('deleted_at').forUpdate().first();
}

export interface FlowFields {
  name: string;
  connectionIds: string[];
  trigger: FlowTrigger;
  priority: number;
  isFallback: boolean;
  exitKeywords: string[];
  settings: FlowSettings;
  draft: FlowDefinition;
}

const columns = (f: Partial<FlowFields>) => ({
  ...(f.name !== undefined ? { name: f.name } : {}),
  ...(f.connectionIds !== undefined ? { connection_ids: f.connectionIds } : {}),
  ...(f.trigger !== undefined ? { trigger: JSON.stringify(f.trigger) } : {}),
  ...(f.priority !== undefined ? { priority: f.priority } : {}),
  ...(f.isFallback !== undefined ? { is_fallback: f.isFallback } : {}),
  ...(f.exitKeywords !== undefined ? { exit_keywords: f.exitKeywords } : {}),
  ...(f.settings !== undefined ? { settings: JSON.stringify(f.settings) } : {}),
  ...(f.draft !== undefined ? { draft: JSON.stringify(f.draft) } : {}),
});

export async function insertFlow(db: Knex, f: FlowFields & { createdBy: string | null }): Promise<string> {
  const [row] = await db('flows').insert({ ...columns(f), status: 'off', created_by: f.createdBy }).returning('id');
  return row.id;
}

/** One UPDATE by primary key: the editor's autosave of the draft costs this and nothing more. */
export async function updateFlow(db: Knex, id: string, patch: Partial<FlowFields>): Promise<boolean> {
  return (await db('flows').where({ id }).whereNull('deleted_at').update({ ...columns(patch), updated_at: db.fn.now() })) > 0;
}

export async function setFlowState(db: Knex, id: string, s: { status?: FlowStatus; testPhone?: string | null; publishedVersionId?: string }): Promise<void> {
  await db('flows').where({ id }).update({
    ...(s.status !== undefined ? { status: s.status } : {}),
    ...(s.testPhone !== undefined ? { test_phone: s.testPhone } : {}),
    ...(s.publishedVersionId !== undefined ? { published_version_id: s.publishedVersionId } : {}),
    updated_at: db.fn.now(),
  });
}

/** Soft delete: versions and sessions stay (sessions in flight finish on their version). */
export async function softDeleteFlow(db: Knex, id: string, at: Date): Promise<boolean> {
  return (await db('flows').where({ id }).whereNull('deleted_at').update({ deleted_at: at, status: 'off', updated_at: db.fn.now() })) > 0;
}

/** Names in use that start like `name`, lowercased (for "Nome (2)"). */
export async function flowNamesLike(db: Knex, name: string): Promise<Set<string>> {
  const rows: Array<{ n: string }> = await db('flows').whereNull('deleted_at')
    .whereRaw(`lower(name) like ? escape '\\'`, [name.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`) + '%'])
    .select(db.raw('lower(name) as n'));
  return new Set(rows.map((r) => r.n));
}

export async function insertVersion(trx: Knex.Transaction, v: { flowId: string; definition: FlowDefinition; publishedBy: string | null; at: Date }): Promise<FlowVersionRow> {
  // The caller holds the flow's row lock, so max + 1 is taken by one transaction at a time.
  const [row] = await trx('flow_versions').insert({
    flow_id: v.flowId,
    version: trx.raw('(select coalesce(max(version), 0) + 1 from flow_versions where flow_id = ?)', [v.flowId]),
    definition: JSON.stringify(v.definition),
    published_by: v.publishedBy,
    published_at: v.at,
  }).returning('*');
  return row;
}

const versionsJoined = (db: Knex) =>
  db('flow_versions as v').leftJoin('users as u', 'u.id', 'v.published_by').select('v.id', 'v.flow_id', 'v.version', 'v.published_by', 'v.published_at', 'u.name as publisher_name');

export async function findVersion(db: Knex, flowId: string, versionId: string): Promise<FlowVersionRow | undefined> {
  return versionsJoined(db).where({ 'v.id': versionId, 'v.flow_id': flowId }).first();
}

/** Versions of one flow, newest first (publishing is by hand: hundreds at most). */
export async function listVersions(db: Knex, flowId: string, limit: number): Promise<FlowVersionRow[]> {
  return versionsJoined(db).where('v.flow_id', flowId).orderBy('v.version', 'desc').limit(limit);
}

export async function sessionCounts(db: Knex, flowIds: string[]): Promise<Map<string, SessionCounts>> {
  const out = new Map<string, SessionCounts>(flowIds.map((id) => [id, { running: 0, waiting: 0, handedOff: 0, ended: 0, failed: 0 }]));
  if (!flowIds.length) return out;
  const rows: Array<{ flow_id: string; status: string; n: number }> = await db('bot_sessions')
    .whereIn('flow_id', flowIds).groupBy('flow_id', 'status').select('flow_id', 'status', db.raw('count(*)::int as n'));
  for (const r of rows) {
    const c = out.get(r.flow_id)!;
    if (r.status === 'running') c.running += r.n;
    else if (WAITING.has(r.status)) c.waiting += r.n;
    else if (r.status === 'handed_off') c.handedOff += r.n;
    else if (r.status === 'ended') c.ended += r.n;
    else if (r.status === 'failed') c.failed += r.n;
  }
  return out;
}

export interface BotSessionListRow {
  id: string;
  conversation_id: string;
  contact_id: string;
  contact_name: string | null;
  contact_external_id: string;
  channel: 'whatsapp' | 'instagram';
  version: number;
  status: string;
  reason: string | null;
  node_id: string;
  started_at: Date;
  updated_at: Date;
  ended_at: Date | null;
}

/** A flow's sessions, newest first, one index range per page (bot_sessions_by_flow). */
export async function listFlowSessions(db: Knex, flowId: string, o: { statuses?: readonly string[]; cursor?: string; limit: number }): Promise<BotSessionListRow[]> {
  const q = db('bot_sessions as s')
    .join('conversations as c', 'c.id', 's.conversation_id')
    .join('contacts as ct', 'ct.id', 'c.contact_id')
    .join('connections as cn', 'cn.id', 'c.connection_id')
    .join('flow_versions as v', 'v.id', 's.version_id')
    .where('s.flow_id', flowId)
    .select('s.id', 's.conversation_id', 'ct.id as contact_id', db.raw('coalesce(ct.name, ct.profile_name) as contact_name'),
      'ct.external_id as contact_external_id', 'cn.channel', 'v.version', 's.status', 's.reason', 's.node_id', 's.started_at', 's.updated_at', 's.ended_at');
  if (o.statuses) q.whereIn('s.status', o.statuses);
  return pageQuery(q, 's.started_at', 's.id', o.cursor, o.limit);
}

/** What validateFlow needs to know of this appliance for one definition: its teams, active users, uploads named. */
export async function flowReferences(db: Knex, uploadIds: string[]): Promise<{ teamIds: Set<string>; userIds: Set<string>; uploadIds: Set<string> }> {
  const [teams, users, uploads] = await Promise.all([
    db('teams').select('id').limit(10_000),
    db('users').whereNull('disabled_at').select('id').limit(10_000),
    uploadIds.length ? db('uploads').whereIn('id', uploadIds).select('id') : Promise.resolve([]),
  ]);
  const ids = (rows: Array<{ id: string }>) => new Set(rows.map((r) => r.id));
  return { teamIds: ids(teams), userIds: ids(users), uploadIds: ids(uploads) };
}

export async function countLiveConnections(db: Knex, ids: string[]): Promise<number> {
  if (!ids.length) return 0;
  const [row] = await db('connections').whereIn('id', ids).whereNull('deleted_at').count<{ count: string }[]>('* as count');
  return Number(row!.count);
}
