import { deliverMessage, enqueueSend } from '../../commands/deliverMessage.js';
import type { Deps } from '../../deps.js';
import { strandedQueuedMessages } from '../../repositories/messages.js';

const SWEEP_EVERY_MS = 30_000;
/** A queued message untouched for this long past its due time has lost its job. */
const STRANDED_AFTER_MS = 60_000;

/**
 * Sends outbound messages (commands/deliverMessage.ts), WORKER_CONCURRENCY at a time per process. A
 * sweeper re-queues messages whose job was lost (Redis restarted, or the web process died between its
 * commit and its enqueue); jobs are named by message id, so sweepers of several workers do not pile up.
 */
export function startSendProcessor(deps: Deps): { stop(): Promise<void> } {
  const queue = deps.queues!.send;
  queue.process(deps.config.WORKER_CONCURRENCY, async (job) => {
    await deliverMessage(deps, job.data.messageId);
  });
  let sweeping: Promise<void> | null = null;
  const sweep = () => {
    sweeping ??= (async () => {
      try {
        const before = new Date(deps.now().getTime() - STRANDED_AFTER_MS);
        for (const id of await strandedQueuedMessages(deps.db, before, 500)) await enqueueSend(deps, id);
      } catch (err) {
        deps.log.warn({ err }, 'send sweeper failed; trying again later');
      } finally {
        sweeping = null;
      }
    })();
    return sweeping;
  };
  const timer = setInterval(sweep, SWEEP_EVERY_MS);
  timer.unref();
  void sweep();
  return {
    stop: async () => {
      clearInterval(timer);
      await sweeping;
    },
  };
}
