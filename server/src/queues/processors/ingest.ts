import { drainDueEvents } from '../../commands/ingestWebhookEvent.js';
import type { Deps } from '../../deps.js';
import { deleteStalePendingStatuses } from '../../repositories/messages.js';
import { deleteProcessedEvents, listDueEvents } from '../../repositories/webhookEvents.js';
import { every, type Periodic } from '../every.js';

const SWEEP_EVERY_MS = 2_000;
/** An event this old with no result lost its job (Redis restarted or was down) or failed: process it directly. */
const SWEEP_MIN_AGE_MS = 3_000;
const RETENTION_EVERY_MS = 10 * 60_000;
const RETENTION_DAYS = 7;
const RETENTION_BATCH = 5_000;

/**
 * The ingest job: woken when webhooks were stored (one job per few milliseconds of them), it drains the
 * due events in batches. Several workers may run it at once: each event is claimed with skip locked.
 */
export async function ingestJob(deps: Deps): Promise<void> {
  await drainDueEvents(deps);
}

/**
 * - the sweeper, reading PostgreSQL only, processes events nobody processed in time: their job was lost
 *   with Redis, Redis was down when they came, or they failed and their retry time has come;
 * - retention deletes processed events after RETENTION_DAYS, in batches (one worker per interval).
 */
export function ingestTasks(deps: Deps): Periodic[] {
  const sweep = every(deps, 'ingest.sweep', SWEEP_EVERY_MS, async () => {
    if (!(await listDueEvents(deps.db, SWEEP_MIN_AGE_MS, 1)).length) return;
    deps.log.info('sweeper processing events without a job');
    // Failures are counted on each event (attempts, next_attempt_at) by the command itself.
    await drainDueEvents(deps);
  }, { immediately: true });
  const retention = every(deps, 'ingest.retention', RETENTION_EVERY_MS, async () => {
    const before = new Date(deps.now().getTime() - RETENTION_DAYS * 86_400_000);
    let events = 0;
    for (let n = RETENTION_BATCH; n === RETENTION_BATCH;) {
      n = await deleteProcessedEvents(deps.db, before, RETENTION_BATCH);
      events += n;
    }
    const statuses = await deleteStalePendingStatuses(deps.db, before, RETENTION_BATCH);
    if (events || statuses) deps.log.info({ events, statuses }, 'old webhook events removed');
  }, { lock: true, immediately: true });
  return [sweep, retention];
}
