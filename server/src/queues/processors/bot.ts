import type BeeQueue from 'bee-queue';
import { botOnTimer } from '../../commands/botTurn.js';
import { runFlowWebhook } from '../../commands/botWebhook.js';
import type { Deps } from '../../deps.js';
import { LIVE_STATUSES } from '../../bots/engine.js';
import { deleteOldInputs, dueSessions } from '../../repositories/botSessions.js';
import { every, type Periodic } from '../every.js';
import type { JobPayloads } from '../jobKinds.js';

/** Due timers are looked for this often: they fire within about this long of their due time. */
const TIMERS_EVERY_MS = 250;
const TIMERS_BATCH = 2_000;
const PARALLEL_TIMERS = 16;
const PLAN_SWEEP_EVERY_MS = 60_000;
const INPUTS_RETENTION_DAYS = 7;

export async function botWebhookJob(deps: Deps, job: BeeQueue.Job<JobPayloads['botWebhook']>): Promise<void> {
  await runFlowWebhook(deps, job.data.sessionId, job.data.steps);
}

/** Fires every due timer once (each claims its session under lock); what was due while the worker was down fires now. */
export async function fireDueTimers(deps: Deps): Promise<number> {
  const due = await dueSessions(deps.db, deps.now(), TIMERS_BATCH);
  let fired = 0;
  const lane = async () => {
    for (let t = due.shift(); t; t = due.shift()) if (await botOnTimer(deps, t.id, t.due_at)) fired++;
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_TIMERS, due.length) }, lane));
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
