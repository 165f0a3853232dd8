import type { Deps } from '../deps.js';
import { publishRealtime } from '../realtime/publish.js';
import { campaignProgress, findCampaign } from '../repositories/campaigns.js';
import { presentCampaign } from '../presenters/campaign.js';
import { findTemplate } from '../repositories/messageTemplates.js';

const DIRTY = 'atendo:campaigns:progress-dirty';
/** Progress pushes are at most this often per campaign (the publisher's interval). */
export const PROGRESS_EVERY_MS = 1_000;

/** Something changed in the campaign's rows: its progress is pushed at the publisher's next run (≤ 1/s). */
export async function markProgress(deps: Deps, campaignId: string, _o: { now?: boolean } = {}): Promise<void> {
  await deps.redis.sadd(DIRTY, campaignId).catch(() => {});
}

/**
 * Pushes `campaign:progress` with the campaign as the API presents it (its progress counted from the rows)
 * to admins, and to the supervisors of its team. One worker per interval (every() lock), so a campaign's
 * dashboard hears at most one update a second however many sends and statuses came in.
 */
export async function publishDirtyProgress(deps: Deps): Promise<number> {
  const ids = (await deps.redis.spop(DIRTY, 200)) as string[];
  for (const id of ids) {
    const c = await findCampaign(deps.db, id);
    if (!c) continue;
    const template = c.template_id ? await findTemplate(deps.db, c.template_id) : undefined;
    const data = presentCampaign(c, template ?? null, await campaignProgress(deps.db, c));
    await publishRealtime(deps.redis, { rooms: ['role:admin', ...(c.team_id ? [`supervisors:${c.team_id}`] : [])], event: 'campaign:progress', data });
  }
  return ids.length;
}
