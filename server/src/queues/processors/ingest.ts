import { drainDueEvents } from '../../commands/ingestWebhookEvent.js';
import type { Deps } from '../../deps.js';
import { deleteStalePendingStatuses } from '../../repositories/messages.js';
import { deleteProcessedEvents, listDueEvents } from '../../repositories/webhookEvents.js';

const SWEEP_EVERY_MS = 2_000;
/** An event this old with no result lost its job (Redis restarted or was down) or failed: process it directly. */
const SWEEP_MIN_AGE_MS = 3_000;
const RETENTION_EVERY_MS = 10 * 60_000;
const RETENTION_DAYS = 7;
const RETENTION_BATCH = 5_000;

/**
 * The ingest side of the worker:
 * - the bee-queue processor wakes when webhooks were stored (one job per few milliseconds of them) and
 *   drains the due events in batches;
 * - a sweeper, reading PostgreSQL only, processes events nobody processed in time — their job was lost
 *   with Redis, Redis was down when they came, or they failed and their retry time has come;
 * - retention deletes processed events after RETENTION_DAYS, in batches.
 * Several workers may run all of this at once: each event is claimed with skip locked.
 */
export function startIngestProcessor(deps: Deps): { stop(): Promise<void> } {
  const queue = deps.queues?.ingest;
  if (queue) {
    queue.process(deps.config.WORKER_CONCURRENCY, async () => {
      await drainDueEvents(deps);
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
    if (!(await listDueEvents(deps.db, SWEEP_MIN_AGE_MS, 1)).length) return;
    deps.log.info('sweeper processing events without a job');
    // Failures are counted on each event (attempts, next_attempt_at) by the command itself.
    await drainDueEvents(deps);
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
