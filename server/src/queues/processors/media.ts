import type BeeQueue from 'bee-queue';
import { downloadMedia, enqueueMediaDownload } from '../../commands/downloadMedia.js';
import type { Deps } from '../../deps.js';
import { listStuckMedia } from '../../repositories/messages.js';
import { every, type Periodic } from '../every.js';
import type { JobPayloads } from '../jobKinds.js';

const STUCK_AFTER_MS = 60_000;
const SWEEP_EVERY_MS = 30_000;

/**
 * Downloads inbound media. bee-queue retries a failed download with exponential backoff; the job's last
 * attempt records the failure on the message.
 */
export async function mediaJob(deps: Deps, job: BeeQueue.Job<JobPayloads['media']>): Promise<void> {
  // retries counts down the attempts left after this one.
  await downloadMedia(deps, job.data.messageId, { finalAttempt: !(job.options.retries > 0) });
}

/** Downloads whose job was lost (Redis restarted) stay `pending`: a sweep re-queues those older than a minute. */
export function mediaTasks(deps: Deps): Periodic[] {
  return [every(deps, 'media.sweep', SWEEP_EVERY_MS, async () => {
    const ids = await listStuckMedia(deps.db, new Date(deps.now().getTime() - STUCK_AFTER_MS), 500);
    for (const id of ids) enqueueMediaDownload(deps, id);
    if (ids.length) deps.log.info({ media: ids.length }, 're-queued stuck media downloads');
  }, { lock: true })];
}
