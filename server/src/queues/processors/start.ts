import type BeeQueue from 'bee-queue';
import type { Deps } from '../../deps.js';
import { eventTasks } from '../../events/dispatcher.js';
import type { Subscriber } from '../../events/domainEvents.js';
import { JOB_KIND_NAMES, JOB_KINDS, type JobKind, type JobPayloads } from '../jobKinds.js';
import { botTasks, botWebhookJob } from './bot.js';
import { ingestJob, ingestTasks } from './ingest.js';
import { mediaJob, mediaTasks } from './media.js';
import { sendJob, sendTasks } from './send.js';
import { templateTasks } from '../../templates/templateTasks.js';
import { scheduleTasks } from '../../schedules/scheduleTasks.js';
import { campaignTasks } from '../../campaigns/tasks.js';

type Processors = { [K in JobKind]: (deps: Deps, job: BeeQueue.Job<JobPayloads[K]>) => Promise<void> };

/** What the worker does with each job kind of jobKinds.ts. Thin: each calls a command. */
const PROCESSORS: Processors = {
  ingest: (deps) => ingestJob(deps),
  send: sendJob,
  media: mediaJob,
  botWebhook: botWebhookJob,
};

/** Every job kind must have a processor: a job nobody processes would wait in Redis forever. */
export function assertEveryKindProcessed(processors: Partial<Record<JobKind, unknown>>): void {
  const missing = JOB_KIND_NAMES.filter((kind) => typeof processors[kind] !== 'function');
  if (missing.length) throw new Error(`job kinds without a processor: ${missing.join(', ')}`);
}

/**
 * Starts every queue processor, periodic task and event subscriber of the worker process; the returned
 * function stops them all.
 */
export function startProcessors(deps: Deps, subscribers: Subscriber[], processors: Processors = PROCESSORS): () => Promise<void> {
  assertEveryKindProcessed(processors);
  if (deps.queues) {
    for (const kind of JOB_KIND_NAMES) {
      const queue = deps.queues[kind] as BeeQueue<unknown>;
      const run = processors[kind] as (deps: Deps, job: BeeQueue.Job<unknown>) => Promise<void>;
      queue.process(deps.config.WORKER_CONCURRENCY, (job) => run(deps, job));
      // Jobs of a worker that died mid-job go back to the queue.
      if (JOB_KINDS[kind].retakeStalled) queue.checkStalledJobs(5_000);
    }
  }
  const tasks = [...ingestTasks(deps), ...sendTasks(deps), ...mediaTasks(deps), ...botTasks(deps), ...templateTasks(deps), ...scheduleTasks(deps), ...campaignTasks(deps), ...eventTasks(deps, subscribers)];
  return async () => {
    await Promise.allSettled(tasks.map((t) => t.stop()));
  };
}
