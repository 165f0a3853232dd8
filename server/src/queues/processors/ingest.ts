import { ingestWebhookEvent } from '../../commands/ingestWebhookEvent.js';
import type { Deps } from '../../deps.js';
import { deleteStalePendingStatuses } from '../../repositories/messages.js';
import { deleteProcessedEvents, listDueEvents } from '../../repositories/webhookEvents.js';

const SWEEP_EVERY_MS = 2_000;
/** An event this old with no result lost its job (Redis restarted or was down) or failed: process it directly. */
const SWEEP_MIN_AGE_MS = 3_000;
const SWEEP_BATCH = 200;
const RETENTION_EVERY_MS = 10 * 60_000;
const RETENTION_DAYS = 7;
const RETENTION_BATCH = 5_000;

/**
 * The ingest side of the worker:
 * - the bee-queue processor runs each stored webhook event as soon as the web process queues it;
 * - a sweeper, reading PostgreSQL only, processes events nobody processed in time — their job was lost
 *   with Redis, Redis was down when they came, or they failed and their retry time has come;
 * - retention deletes processed events after RETENTION_DAYS, in batches.
 * Several workers may run all of this at once: each event is claimed with skip locked.
 */
export function startIngestProcessor(deps: Deps): { stop(): Promise<void> } {
  const queue = deps.queues?.ingest;
  if (queue) {
    queue.process(deps.config.WORKER_CONCURRENCY, async (job) => {
      await ingestWebhookEvent(deps, job.data.eventId);
    });
    // Jobs of a worker that died mid-job go back to the queue (the sweeper would also find their events).
    queue.checkStalledJobs(5_000);
  }

  let stopped = false;
  let wake: (() => void) | null = null;
  const pause = (ms: number) => new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    wake = () => { clearTimeout(t); resolve(); };
  });

  const sweep = async () => {
    const ids = await listDueEvents(deps.db, SWEEP_MIN_AGE_MS, SWEEP_BATCH);
    if (ids.length) deps.log.info({ events: ids.length }, 'sweeper processing events without a job');
    const lanes = Math.max(1, Math.min(deps.config.WORKER_CONCURRENCY, 8));
    let next = 0;
    await Promise.all(Array.from({ length: lanes }, async () => {
      while (!stopped && next < ids.length) {
        const id = ids[next++]!;
        // Failures are counted on the event (attempts, next_attempt_at) by the command itself.
        await ingestWebhookEvent(deps, id).catch(() => {});
      }
    }));
  };

  let lastRetention = 0;
  const retention = async () => {
    if (Date.now() - lastRetention < RETENTION_EVERY_MS) return;
    lastRetention = Date.now();
    const before = new Date(Date.now() - RETENTION_DAYS * 86_400_000);
    let events = 0;
    for (let n = RETENTION_BATCH; n === RETENTION_BATCH && !stopped;) {
      n = await deleteProcessedEvents(deps.db, before, RETENTION_BATCH);
      events += n;
    }
    const statuses = await deleteStalePendingStatuses(deps.db, before, RETENTION_BATCH);
    if (events || statuses) deps.log.info({ events, statuses }, 'old webhook events removed');
  };

  const loop = (async () => {
    while (!stopped) {
      try {
        await sweep();
        await retention();
      } catch (err) {
        deps.log.error({ err: (err as Error).message }, 'ingest sweeper failed');
      }
      if (!stopped) await pause(SWEEP_EVERY_MS);
    }
  })();

  return {
    stop: async () => {
      stopped = true;
      (wake as (() => void) | null)?.();
      await loop;
    },
  };
}
