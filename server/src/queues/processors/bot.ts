import type BeeQueue from 'bee-queue';
import { botOnTimers } from '../../commands/botTurn.js';
import { runFlowWebhook } from '../../commands/botWebhook.js';
import type { Deps } from '../../deps.js';
import { LIVE_STATUSES } from '../../bots/engine.js';
import { deleteOldInputs, dueSessions } from '../../repositories/botSessions.js';
import { every, type Periodic } from '../every.js';
import type { JobPayloads } from '../jobKinds.js';

/** Due timers are looked for this often: they fire within about this long of their due time. */
const TIMERS_EVERY_MS = 250;
const TIMERS_BATCH = 2_000;
/** Timers fired in one transaction, and transactions in flight: 1,000 due at once fire in well under 2 s. */
const TIMERS_PER_TURN_BATCH = 50;
const PARALLEL_TURN_BATCHES = 4;
const PLAN_SWEEP_EVERY_MS = 60_000;
const INPUTS_RETENTION_DAYS = 7;

export async function botWebhookJob(deps: Deps, job: BeeQueue.Job<JobPayloads['botWebhook']>): Promise<void> {
  await runFlowWebhook(deps, job.data.sessionId, job.data.steps);
}

/**
 * Fires every due timer once (each batch claims its sessions under lock); what was due while the worker
 * was down fires now. A batch that fails is fired again one timer at a time, so one bad session cannot
 * hold back the others due with it.
 */
export async function fireDueTimers(deps: Deps): Promise<number> {
  const due = await dueSessions(deps.db, deps.now(), TIMERS_BATCH);
  const batches: (typeof due)[] = [];
  for (let i = 0; i < due.length; i += TIMERS_PER_TURN_BATCH) batches.push(due.slice(i, i + TIMERS_PER_TURN_BATCH));
  let fired = 0;
  let failure: unknown = null;
  const lane = async () => {
    for (let batch = batches.shift(); batch; batch = batches.shift()) {
      try {
        fired += await botOnTimers(deps, batch);
      } catch (err) {
        deps.log.warn({ err, timers: batch.length }, 'a batch of bot timers failed; firing them one at a time');
        for (const t of batch) {
          try {
            fired += await botOnTimers(deps, [t]);
          } catch (one) {
            failure ??= one;
          }
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_TURN_BATCHES, batches.length) }, lane));
  // The task's own error handling (every) reports it; the others fired, and it is tried again next round.
  if (failure) throw failure;
  return fired;
}

export function botTasks(deps: Deps): Periodic[] {
  return [
    every(deps, 'bots.timers', TIMERS_EVERY_MS, async () => { await fireDueTimers(deps); }, { immediately: true }),
    // A plan that lost the chatbot feature (or a restricted license) ends the sessions that wait, without a word.
    every(deps, 'bots.plan', PLAN_SWEEP_EVERY_MS, async () => {
      const snap = await deps.license.snapshot();
      const reason = snap.state === 'restricted' ? 'license_restricted' : snap.lease && !snap.lease.plan.features.chatbot ? 'plan_feature_disabled' : null;
      if (!reason) return;
      const now = deps.now();
      await deps.db.transaction(async (trx) => {
        // Conversations first, then their sessions: the order a bot turn locks them in, so the two never deadlock.
        const live = trx('bot_sessions').whereIn('status', LIVE_STATUSES).select('id');
        await trx('conversations').whereIn('bot_session_id', live).update({ bot_session_id: null });
        await trx('bot_sessions').whereIn('status', LIVE_STATUSES)
          .update({ status: 'ended', reason, due_at: null, callback_token_hash: null, updated_at: now, ended_at: now });
      });
    }, { lock: true, immediately: true }),
    every(deps, 'bots.inputs.retention', 10 * 60_000, async () => {
      await deleteOldInputs(deps.db, new Date(deps.now().getTime() - INPUTS_RETENTION_DAYS * 86_400_000), 10_000);
    }, { lock: true, immediately: true }),
  ];
}
