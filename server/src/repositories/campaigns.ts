import type { Knex } from 'knex';
import { decodeCursor } from '#kit/cursor.js';

export type CampaignStatus = 'draft' | 'scheduled' | 'running' | 'paused' | 'completed' | 'cancelled';
export type RecipientStatus = 'pending' | 'queued' | 'sent' | 'delivered' | 'read' | 'failed' | 'skipped';

export interface CampaignRow {
  id: string;
  name: string;
  connection_id: string;
  template_id: string | null;
  template_params: Record<string, ParamSource>;
  audience: Record<string, unknown>;
  status: CampaignStatus;
  pause_reason: string | null;
  pause_detail: Record<string, unknown> | null;
  scheduled_at: Date | null;
  started_at: Date | null;
  /** When someone last resumed it: the failure window counts from then. */
  resumed_at: Date | null;
  audience_frozen_at: Date | null;
  completed_at: Date | null;
  cancelled_at: Date | null;
  rate_per_second: number | null;
  send_window: { days: number[]; from: string; to: string; timezone: string } | null;
  daily_cap: number | null;
  exclude_open_conversations: boolean;
  require_consent: boolean;
  team_id: string | null;
  flow_id: string | null;
  attribution_hours: number;
  parent_campaign_id: string | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
  waiting_reason: string | null;
  waiting_until: Date | null;
}

export type ParamSource = { kind: 'text'; value: string } | { kind: 'contact_field'; field: string } | { kind: 'column'; column: string };

export interface RecipientRow {
  id: string;
  campaign_id: string;
  contact_id: string;
  variables: Record<string, string>;
  status: RecipientStatus;
  reason: string | null;
  message_id: string | null;
  error_code: string | null;
  error_title: string | null;
  not_before: Date | null;
  attempted_at: Date | null;
  sent_at: Date | null;
  delivered_at: Date | null;
  read_at: Date | null;
  failed_at: Date | null;
  replied_at: Date | null;
  opted_out_at: Date | null;
}

const JSON_COLUMNS = ['template_params', 'audience', 'pause_detail', 'send_window'] as const;
const encode = (patch: Partial<CampaignRow>) => {
  const out: Record<string, unknown> = { ...patch };
  for (const k of JSON_COLUMNS) if (k in out && out[k] !== null && out[k] !== undefined) out[k] = JSON.stringify(out[k]);
  return out;
};

export async function insertCampaign(db: Knex, row: Partial<CampaignRow>): Promise<CampaignRow> {
  const [created] = await db('campaigns').insert(encode(row)).returning('*');
  return created;
}

export async function findCampaign(db: Knex, id: string): Promise<CampaignRow | undefined> {
  return db('campaigns').where({ id }).first();
}

export async function lockCampaign(trx: Knex.Transaction, id: string): Promise<CampaignRow | undefined> {
  return trx('campaigns').where({ id }).forUpdate().first();
}

export async function updateCampaign(db: Knex, id: string, patch: Partial<CampaignRow>): Promise<CampaignRow> {
  const [row] = await db('campaigns').where({ id }).update(encode({ ...patch, updated_at: patch.updated_at ?? new Date() })).returning('*');
  return row;
}

/** Newest first, keyset-paged on (created_at, id). */
export async function listCampaigns(db: Knex, o: { status?: string[]; cursor?: string; limit: number }): Promise<CampaignRow[]> {
  const q = db('campaigns').orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(o.limit + 1);
  if (o.status?.length) q.whereIn('status', o.status);
  if (o.cursor) {
    const c = decodeCursor(o.cursor, 'uuid');
    q.whereRaw('(created_at, id) < (?, ?)', [c.at, c.id]);
  }
  return q;
}

/**
 * A recipient as shown: the stored row, with delivered/read (and a failure Meta reported after accepting
 * it) read from its message — the message row is the one that Meta's status webhooks move forward.
 */
export const EFFECTIVE_STATUS = `case when r.status = 'sent' and m.status in ('delivered', 'read', 'failed') then m.status else r.status end`;

export function recipientViews(db: Knex, campaignId: string): Knex.QueryBuilder {
  return db('campaign_recipients as r')
    .join('contacts as ct', 'ct.id', 'r.contact_id')
    .leftJoin('messages as m', 'm.id', 'r.message_id')
    .where('r.campaign_id', campaignId)
    .select(
      'r.id', 'r.contact_id', 'r.reason', 'r.attempted_at', 'r.sent_at', 'r.replied_at', 'r.opted_out_at', 'r.not_before',
      db.raw(`${EFFECTIVE_STATUS} as status`),
      db.raw('coalesce(r.error_code, m.error_code) as error_code'), db.raw('coalesce(r.error_title, m.error_title) as error_title'),
      db.raw('coalesce(r.delivered_at, m.delivered_at) as delivered_at'), db.raw('coalesce(r.read_at, m.read_at) as read_at'),
      db.raw(`coalesce(r.failed_at, case when m.status = 'failed' then m.failed_at end) as failed_at`),
      'ct.name as contact_name', 'ct.profile_name as contact_profile_name', 'ct.external_id as contact_phone',
    );
}

export interface RecipientView {
  id: string; contact_id: string; status: RecipientStatus; reason: string | null; error_code: string | null; error_title: string | null;
  attempted_at: Date | null; sent_at: Date | null; delivered_at: Date | null; read_at: Date | null; failed_at: Date | null;
  replied_at: Date | null; opted_out_at: Date | null; not_before: Date | null;
  contact_name: string | null; contact_profile_name: string | null; contact_phone: string;
}

export async function listRecipients(db: Knex, campaignId: string, o: { status?: RecipientStatus; afterId?: string; limit: number }): Promise<RecipientView[]> {
  const q = recipientViews(db, campaignId).orderBy('r.id').limit(o.limit);
  if (o.status) q.whereRaw(`${EFFECTIVE_STATUS} = ?`, [o.status]);
  if (o.afterId) q.where('r.id', '>', o.afterId);
  return q;
}

export interface Progress {
  audience: number; pending: number; queued: number; attempted: number; sent: number; delivered: number; read: number;
  failed: number; skipped: number; replied: number; optedOut: number;
  failedByCode: Array<{ code: string; title: string | null; count: number }>;
  skippedByReason: Array<{ reason: string; count: number }>;
}

/**
 * Counts from the rows, one grouped scan of the campaign's recipients with their messages. `sent`,
 * `delivered` and `read` are a funnel (a read message was sent and delivered too); `optedOut` counts the
 * recipients who opted out after the campaign reached them.
 */
export async function campaignProgress(db: Knex, campaign: Pick<CampaignRow, 'id' | 'connection_id'>): Promise<Progress> {
  const rows = await db.raw(
    `select ${EFFECTIVE_STATUS} as status, coalesce(r.error_code, m.error_code) as code, coalesce(r.error_title, m.error_title) as title, r.reason,
            count(*)::int as n, count(r.replied_at)::int as replied,
            count(*) filter (where r.sent_at is not null and exists (select 1 from opt_outs o where o.connection_id = ? and o.contact_id = r.contact_id and o.at >= r.sent_at))::int as opted
       from campaign_recipients r left join messages m on m.id = r.message_id and r.status = 'sent'
      where r.campaign_id = ?
      group by 1, 2, 3, 4`,
    [campaign.connection_id, campaign.id],
  );
  const p: Progress = { audience: 0, pending: 0, queued: 0, attempted: 0, sent: 0, delivered: 0, read: 0, failed: 0, skipped: 0, replied: 0, optedOut: 0, failedByCode: [], skippedByReason: [] };
  const byCode = new Map<string, { code: string; title: string | null; count: number }>();
  const byReason = new Map<string, number>();
  for (const r of rows.rows as Array<{ status: RecipientStatus; code: string | null; title: string | null; reason: string | null; n: number; replied: number; opted: number }>) {
    p.audience += r.n;
    p.replied += r.replied;
    p.optedOut += r.opted;
    if (r.status === 'pending') p.pending += r.n;
    if (r.status === 'queued') p.queued += r.n;
    if (r.status === 'skipped') {
      p.skipped += r.n;
      byReason.set(r.reason ?? 'unknown', (byReason.get(r.reason ?? 'unknown') ?? 0) + r.n);
    }
    if (['queued', 'sent', 'delivered', 'read', 'failed'].includes(r.status)) p.attempted += r.n;
    if (['sent', 'delivered', 'read'].includes(r.status)) p.sent += r.n;
    if (['delivered', 'read'].includes(r.status)) p.delivered += r.n;
    if (r.status === 'read') p.read += r.n;
    if (r.status === 'failed') {
      p.failed += r.n;
      const key = r.code ?? 'unknown';
      const e = byCode.get(key) ?? { code: key, title: r.title, count: 0 };
      e.count += r.n;
      byCode.set(key, e);
    }
  }
  p.failedByCode = [...byCode.values()].sort((a, b) => b.count - a.count);
  p.skippedByReason = [...byReason.entries()].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count);
  return p;
}

/** Anything still to do: a pending row, or one queued whose send has not ended. */
export async function hasUnfinishedRecipients(db: Knex, campaignId: string): Promise<boolean> {
  const row = await db('campaign_recipients').where({ campaign_id: campaignId }).whereIn('status', ['pending', 'queued']).first('id');
  return !!row;
}
