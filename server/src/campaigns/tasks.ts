import { enqueueSend } from '../commands/deliverMessage.js';
import type { Deps } from '../deps.js';
import { every, type Periodic } from '../queues/every.js';
import { autoPause } from './campaignSubscriber.js';
import { dispatchCampaigns, DISPATCH_EVERY_MS } from './dispatcher.js';
import { markProgress, publishDirtyProgress, PROGRESS_EVERY_MS } from './progress.js';

const LICENSE_EVERY_MS = 2_000;

/**
 * The campaign engine's periodic work in the worker:
 * - the dispatcher (no lock: every worker runs it, the rows are claimed with skip locked);
 * - progress pushes, at most one a second per campaign (one worker per interval);
 * - the license: `restricted` pauses running campaigns (license_restricted), and lifting it resumes those
 *   campaigns, and only those; the sends the restriction refused in flight go again (requeueLicenseRefusals).
 */
export function campaignTasks(deps: Deps): Periodic[] {
  return [
    every(deps, 'campaigns.dispatch', DISPATCH_EVERY_MS, async () => { await dispatchCampaigns(deps); }, { immediately: true }),
    every(deps, 'campaigns.progress', PROGRESS_EVERY_MS, async () => { await publishDirtyProgress(deps); }, { lock: true }),
    every(deps, 'campaigns.license', LICENSE_EVERY_MS, async () => { await followLicense(deps); }, { lock: true, immediately: true }),
  ];
}

export async function followLicense(deps: Deps): Promise<void> {
  const snap = await deps.license.snapshot();
  if (snap.state === 'restricted') {
    await autoPause(deps, {}, 'license_restricted', { reason: snap.reason });
    return;
  }
  if (!snap.lease) return;
  // First, so a campaign whose only unfinished rows were refused is not found complete on resuming.
  await requeueLicenseRefusals(deps);
  const resumed = await deps.db('campaigns').where({ status: 'paused', pause_reason: 'license_restricted' })
    .update({ status: 'running', pause_reason: null, pause_detail: null, updated_at: deps.now() }).returning('id');
  for (const r of resumed) await markProgress(deps, r.id);
}

/**
 * A campaign's sends already queued when the license became restricted (up to a horizon of them) are
 * refused by the send worker at the moment of sending (failed license_restricted) before any call to
 * Meta and before the first attempt: Meta never had them. Once the license is lifted and the campaign
 * is resumed, they are queued again (the same message, so the send-once key holds) instead of being
 * left failed: "resume continues where it stopped" includes them. A refused retry (attempts > 0) is
 * left failed: its earlier attempt reached Meta, and its quota unit has gone back.
 * Rows whose message.failed the subscriber has not marked yet are taken at a later look.
 */
export async function requeueLicenseRefusals(deps: Deps): Promise<number> {
  const now = deps.now();
  const rows = await deps.db.transaction(async (trx) => {
    const res = await trx.raw(
      `with r as (
         select r.id, r.message_id from campaign_recipients r join campaigns c on c.id = r.campaign_id
          where (c.status = 'running' or (c.status = 'paused' and c.pause_reason = 'license_restricted'))
            and r.status = 'failed' and r.error_code = 'license_restricted'
          order by r.id limit 500 for update of r skip locked),
       m as (
         update messages m set status = 'queued', failed_at = null, error_code = null, error_title = null, error_detail = null,
                claimed_until = null, next_attempt_at = ?
           from r where m.id = r.message_id and m.status = 'failed' and m.error_code = 'license_restricted' and m.attempts = 0
         returning m.id)
       update campaign_recipients x set status = 'queued', failed_at = null, error_code = null, error_title = null
         from r join m on m.id = r.message_id
        where x.id = r.id
       returning x.message_id, x.campaign_id`,
      [now],
    );
    return res.rows as Array<{ message_id: string; campaign_id: string }>;
  });
  for (const r of rows) {
    // Under a key of its own, as the send sweeper's: a job still in Redis under the bare message id would drop it.
    await enqueueSend(deps, r.message_id, { delayMs: 0, key: `license${now.getTime()}` }).catch((err) => {
      deps.log.warn({ err, messageId: r.message_id }, 'campaign send job not enqueued; the sweeper will pick the message up');
    });
  }
  for (const id of new Set(rows.map((r) => r.campaign_id))) await markProgress(deps, id);
  if (rows.length) deps.log.info({ count: rows.length }, 'campaign sends refused by the restricted license queued again');
  return rows.length;
}
