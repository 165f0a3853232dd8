import { downloadMedia, enqueueMediaDownload } from '../../commands/downloadMedia.js';
import type { Deps } from '../../deps.js';
import { listStuckMedia } from '../../repositories/messages.js';

const STUCK_AFTER_MS = 60_000;
const SWEEP_EVERY_MS = 30_000;

/**
 * Downloads inbound media. bee-queue retries a failed download with exponential backoff; the job's last
 * attempt records the failure on the message. Downloads whose job was lost (Redis restarted) stay
 * `pending`: a sweep re-queues those older than a minute.
 */
export function startMediaProcessor(deps: Deps): { stop(): Promise<void> } {
  const queue = deps.queues?.media;
  if (!queue) return { stop: async () => {} };
  queue.process(deps.config.WORKER_CONCURRENCY, async (job) => {
    // retries counts down the attempts left after this one.
    await downloadMedia(deps, job.data.messageId, { finalAttempt: !(job.options.retries > 0) });
  });
  queue.checkStalledJobs(5_000);

  const sweep = async () => {
    try {
      const ids = await listStuckMedia(deps.db, new Date(Date.now() - STUCK_AFTER_MS), 500);
      for (const id of ids) enqueueMediaDownload(deps, id);
      if (ids.length) deps.log.info({ media: ids.length }, 're-queued stuck media downloads');
    } catch (err) {
      deps.log.error({ err: (err as Error).message }, 'media sweep failed');
    }
  };
  const timer = setInterval(() => void sweep(), SWEEP_EVERY_MS);
  timer.unref();
  return { stop: async () => clearInterval(timer) };
}
