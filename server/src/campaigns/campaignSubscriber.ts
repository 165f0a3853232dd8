import type { Deps } from '../deps.js';
import type { StoredEvent, Subscriber } from '../events/domainEvents.js';
import { pushConversation } from '../realtime/conversationEvents.js';
import { markProgress } from './progress.js';

/** Meta's codes that pause a campaign at once, or count toward the failure window. */
const SPAM_LIMIT = '131048';
const ECOSYSTEM = '131049';
/** The sliding window: more than FAILURE_SHARE of the last WINDOW sends failed (or hit 131048/131049) pauses. */
export const FAILURE_WINDOW = 200;
export const FAILURE_SHARE = 0.05;
const PAUSING_TEMPLATE_STATUSES = new Set(['PAUSED', 'DISABLED']);

type Ev<T extends StoredEvent['type']> = Extract<StoredEvent, { type: T }>;

/**
 * The campaign engine's ears, in the worker (at least once, in commit order; every change here is
 * guarded by the row's current status, so a batch delivered twice changes nothing the second time):
 * - message.sent / message.failed of campaign messages move the recipient from queued to sent or failed
 *   (with Meta's code and title), never backwards (a send in doubt that Meta confirms becomes sent); delivered
 *   and read are read from the message itself;
 * - bad signals pause the running campaigns they concern, with the cause: 131048 at once; more than 5%
 *   failures (or 131049) in the last 200 sends; the template PAUSED or DISABLED by Meta; the number's
 *   quality RED;
 * - message.received marks a reply within the campaign's attribution window.
 */
export function campaignSubscriber(deps: Deps): Subscriber {
  return {
    name: 'campaigns',
    types: ['message.sent', 'message.failed', 'message.received', 'template.status_changed', 'connection.quality_changed'],
    handle: async (events) => {
      const sent = events.filter((e): e is Ev<'message.sent'> => e.type === 'message.sent' && e.origin === 'campaign');
      const failed = events.filter((e): e is Ev<'message.failed'> => e.type === 'message.failed' && e.origin === 'campaign');
      const touched = new Set<string>();
      if (sent.length) for (const id of await markSent(deps, sent)) touched.add(id);
      if (failed.length) {
        const { campaigns, spam } = await markFailed(deps, failed);
        for (const id of campaigns) touched.add(id);
        for (const [id, code] of spam) await autoPause(deps, { id }, 'spam_limit', { code, title: 'Limite de spam atingido: envios restringidos pela Meta' });
        for (const id of campaigns) await checkFailureWindow(deps, id);
      }
      for (const id of touched) await markProgress(deps, id);
      for (const e of events) {
        if (e.type === 'message.received') await noteReply(deps, e);
        if (e.type === 'template.status_changed' && PAUSING_TEMPLATE_STATUSES.has(String(e.status).toUpperCase())) {
          await autoPause(deps, { template_id: e.templateId }, 'template_paused', { templateId: e.templateId, status: e.status });
        }
        if (e.type === 'connection.quality_changed' && String(e.quality).toUpperCase() === 'RED') {
          await autoPause(deps, { connection_id: e.connectionId }, 'quality_red', { connectionId: e.connectionId, quality: e.quality });
        }
      }
    },
  };
}

/** A recipient whose send was in doubt is sent after all when Meta's status webhook names it (commands/reconcileSend.ts). */
async function markSent(deps: Deps, events: Ev<'message.sent'>[]): Promise<string[]> {
  const res = await deps.db.raw(
    `update campaign_recipients r set status = 'sent', sent_at = v.at, failed_at = null, error_code = null, error_title = null
       from (select unnest(?::uuid[]) as id, unnest(?::timestamptz[]) as at) v
      where r.message_id = v.id and (r.status = 'queued' or (r.status = 'failed' and r.error_code = 'send_in_doubt'))
      returning r.campaign_id`,
    [events.map((e) => e.messageId), events.map((e) => e.at)],
  );
  return [...new Set((res.rows as Array<{ campaign_id: string }>).map((r) => r.campaign_id))];
}

async function markFailed(deps: Deps, events: Ev<'message.failed'>[]): Promise<{ campaigns: string[]; spam: Map<string, string> }> {
  const final = events.filter((e) => e.final);
  // A retried send stays queued; only the codes that speak of the number's standing are kept on the row.
  const transient = events.filter((e) => !e.final && (e.code === SPAM_LIMIT || e.code === ECOSYSTEM));
  const campaigns = new Set<string>();
  const spam = new Map<string, string>();
  const apply = async (list: Ev<'message.failed'>[], isFinal: boolean) => {
    if (!list.length) return;
    const res = await deps.db.raw(
      `update campaign_recipients r set
          status = case when ? then 'failed' else r.status end,
          failed_at = case when ? then v.at else r.failed_at end,
          error_code = v.code, error_title = v.title
         from (select unnest(?::uuid[]) as id, unnest(?::timestamptz[]) as at, unnest(?::text[]) as code, unnest(?::text[]) as title) v
        where r.message_id = v.id and r.status = 'queued'
        returning r.campaign_id, v.code`,
      [isFinal, isFinal, list.map((e) => e.messageId), list.map((e) => e.at), list.map((e) => e.code), list.map((e) => e.title ?? '')] as never,
    );
    for (const r of res.rows as Array<{ campaign_id: string; code: string }>) {
      campaigns.add(r.campaign_id);
      if (r.code === SPAM_LIMIT) spam.set(r.campaign_id, r.code);
    }
  };
  await apply(final, true);
  await apply(transient, false);
  return { campaigns: [...campaigns], spam };
}

/** More than 5% of the last 200 sends failed or hit 131048/131049: the campaign pauses (failure_rate). */
export async function checkFailureWindow(deps: Deps, campaignId: string): Promise<boolean> {
  // The window starts again when someone resumes the campaign: what they already saw does not count twice.
  const since: Date = (await deps.db('campaigns').where({ id: campaignId }).first('resumed_at'))?.resumed_at ?? new Date(0);
  const res = await deps.db.raw(
    `select count(*)::int as n,
            (count(*) filter (where w.status = 'failed' or w.error_code in (?, ?)))::int as bad,
            coalesce(json_object_agg(w.error_code, 1) filter (where w.error_code is not null), '{}') as codes
       from (select status, error_code from campaign_recipients
              where campaign_id = ? and attempted_at is not null and attempted_at > ?
              order by attempted_at desc, id desc limit ?) w`,
    [SPAM_LIMIT, ECOSYSTEM, campaignId, since, FAILURE_WINDOW],
  );
  const { n, bad, codes } = res.rows[0] as { n: number; bad: number; codes: Record<string, number> };
  if (bad <= FAILURE_WINDOW * FAILURE_SHARE) return false;
  const byCode = await deps.db.raw(
    `select error_code as code, count(*)::int as count from (
       select status, error_code from campaign_recipients where campaign_id = ? and attempted_at is not null and attempted_at > ? order by attempted_at desc, id desc limit ?) w
      where w.error_code is not null group by 1 order by 2 desc`,
    [campaignId, since, FAILURE_WINDOW],
  );
  void codes;
  return autoPause(deps, { id: campaignId }, 'failure_rate', { window: n, failures: bad, threshold: FAILURE_SHARE, byCode: byCode.rows });
}

/** Pauses the running campaigns matching `where`, with the cause; true when one was paused. */
export async function autoPause(deps: Deps, where: Record<string, string>, reason: string, detail: Record<string, unknown>): Promise<boolean> {
  const now = deps.now();
  const paused = await deps.db('campaigns').where(where).where({ status: 'running' })
    .update({ status: 'paused', pause_reason: reason, pause_detail: JSON.stringify({ ...detail, at: now.toISOString() }), waiting_reason: null, waiting_until: null, updated_at: now })
    .returning('id');
  for (const p of paused) {
    deps.log.warn({ campaignId: p.id, reason }, 'campaign paused automatically');
    await markProgress(deps, p.id);
  }
  return paused.length > 0;
}

/**
 * A customer's message within attribution_hours of a campaign send marks that recipient replied (the
 * latest such send). When the reply opened a new conversation (none was open: the campaign's own was
 * created resolved) and nobody holds it, it moves to the campaign's team's queue.
 * A campaign naming a flow (campaigns.flow_id) has that flow started by the bot runtime, which hears the
 * same message (commands/botTurn.ts, campaignFlowFor).
 */
async function noteReply(deps: Deps, e: Ev<'message.received'>): Promise<void> {
  const at = new Date(e.at);
  const hit = await deps.db('campaign_recipients as r').join('campaigns as c', 'c.id', 'r.campaign_id')
    .where('r.contact_id', e.contactId).whereNotNull('r.sent_at').where('r.sent_at', '<=', at)
    .whereRaw(`r.sent_at > ?::timestamptz - c.attribution_hours * interval '1 hour'`, [at])
    .orderBy('r.sent_at', 'desc').first('r.id', 'r.campaign_id', 'r.replied_at', 'r.sent_at', 'c.team_id');
  if (!hit) return;
  if (!hit.replied_at) {
    const n = await deps.db('campaign_recipients').where({ id: hit.id }).whereNull('replied_at').update({ replied_at: at });
    if (n) await markProgress(deps, hit.campaign_id);
  }
  if (!hit.team_id) return;
  const conv = await deps.db('conversations').where({ id: e.conversationId }).first('id', 'team_id', 'assignee_id', 'created_at', 'status');
  if (!conv || conv.status !== 'open' || conv.assignee_id || conv.team_id === hit.team_id || conv.created_at < hit.sent_at) return;
  const moved = await deps.db('conversations').where({ id: conv.id }).whereNull('assignee_id').update({ team_id: hit.team_id });
  if (moved) await pushConversation(deps, conv.id, { team_id: conv.team_id, assignee_id: null });
}
