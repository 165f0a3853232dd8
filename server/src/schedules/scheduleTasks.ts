import { runDueSchedule } from '../commands/scheduledMessages.js';
import type { Deps } from '../deps.js';
import { every, type Periodic } from '../queues/every.js';
import { dueScheduledIds } from '../repositories/scheduledMessages.js';

/** Due items are looked for this often: they go out within about this long of their time. */
const SCHEDULES_EVERY_MS = 1_000;
const BATCH = 500;
const PARALLEL = 8;

/**
 * Sends every due scheduled message once. The due query has no lower bound, so what fell due while the
 * worker was down goes out (or expires by its lateness limit) at the first pass; each item is claimed
 * with FOR UPDATE SKIP LOCKED in its own transaction, so several workers (or overlapping passes) never
 * take one twice. Returns how many were handled.
 */
export async function fireDueSchedules(deps: Deps): Promise<number> {
  const due = await dueScheduledIds(deps.db, deps.now(), BATCH);
  let handled = 0;
  const lane = async () => {
    for (let id = due.shift(); id; id = due.shift()) {
      try {
        if (await runDueSchedule(deps, id)) handled++;
      } catch (err) {
        // This one item (left pending by the rollback) comes again at the next pass; the others go on.
        deps.log.error({ err: (err as Error).message, scheduledMessageId: id }, 'scheduled message not handled; retried at the next pass');
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, due.length) }, lane));
  return handled;
}

/** No lock: every worker may run it, the rows are claimed one by one (skip locked). */
export function scheduleTasks(deps: Deps): Periodic[] {
  return [every(deps, 'schedules.due', SCHEDULES_EVERY_MS, async () => { await fireDueSchedules(deps); }, { immediately: true })];
}
