import type BeeQueue from 'bee-queue';
import { deliverMessage, enqueueSend } from '../../commands/deliverMessage.js';
import type { Deps } from '../../deps.js';
import { strandedQueuedMessages } from '../../repositories/messages.js';
import { every, type Periodic } from '../every.js';
import type { JobPayloads } from '../jobKinds.js';

const SWEEP_EVERY_MS = 30_000;
/** A queued message untouched for this long past its due time has lost its job. */
const STRANDED_AFTER_MS = 60_000;

/** Sends an outbound message (commands/deliverMessage.ts). */
export async function sendJob(deps: Deps, job: BeeQueue.Job<JobPayloads['send']>): Promise<void> {
  await deliverMessage(deps, job.data.messageId);
}

/**
 * Re-queues messages whose job was lost (Redis restarted, or the web process died between its commit and
 * its enqueue); jobs are named by message id, so the sweeps of several workers do not pile up.
 */
export function sendTasks(deps: Deps): Periodic[] {
  return [every(deps, 'send.sweep', SWEEP_EVERY_MS, async () => {
    const before = new Date(deps.now().getTime() - STRANDED_AFTER_MS);
    // Named by the sweep's minute too: a job of a worker killed mid-job keeps its id in Redis (sends are not
    // retaken when stalled), and a second job under the bare message id would be dropped as its duplicate.
    const key = `sweep${Math.floor(Date.now() / SWEEP_EVERY_MS)}`;
    for (const id of await strandedQueuedMessages(deps.db, before, 500)) await enqueueSend(deps, id, { delayMs: 0, key });
  }, { immediately: true })];
}
