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
 *   campaigns, and only those.
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
  const resumed = await deps.db('campaigns').where({ status: 'paused', pause_reason: 'license_restricted' })
    .update({ status: 'running', pause_reason: null, pause_detail: null, updated_at: deps.now() }).returning('id');
  for (const r of resumed) await markProgress(deps, r.id);
}
