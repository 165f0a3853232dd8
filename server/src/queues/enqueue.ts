import type BeeQueue from 'bee-queue';
import type { Deps } from '../deps.js';
import { JOB_KINDS, type JobKind, type JobPayloads } from './jobKinds.js';

export interface EnqueueOptions {
  /** Run no earlier than this many milliseconds from now. */
  delayMs?: number;
  /**
   * Added to the kind's job id: a job queued again from inside the running one (a retry for later) needs
   * an id of its own, or bee-queue drops it as a duplicate of itself; the same key twice is still one job.
   */
  key?: string;
}

/**
 * The one way to queue background work. Producers without queues (the CLI, tests without Redis) queue
 * nothing: the sweepers find the work in the database.
 */
export async function enqueue<K extends JobKind>(deps: Deps, kind: K, payload: JobPayloads[K], opts: EnqueueOptions = {}): Promise<void> {
  const queue = deps.queues?.[kind] as BeeQueue<JobPayloads[K]> | undefined;
  if (!queue) return;
  await jobOf(queue, kind, payload, opts).save();
}

/**
 * Several jobs of one kind in one round trip to Redis (a batch of bot timers queues its sends so). The
 * payloads whose job could not be saved are returned, for the caller to log: the sweepers find them.
 */
export async function enqueueMany<K extends JobKind>(deps: Deps, kind: K, payloads: JobPayloads[K][]): Promise<JobPayloads[K][]> {
  const queue = deps.queues?.[kind] as BeeQueue<JobPayloads[K]> | undefined;
  if (!queue || !payloads.length) return [];
  const jobs = payloads.map((p) => jobOf(queue, kind, p, {}));
  try {
    const errors = await queue.saveAll(jobs);
    return jobs.filter((j) => errors.has(j)).map((j) => j.data);
  } catch {
    return payloads;
  }
}

function jobOf<K extends JobKind>(queue: BeeQueue<JobPayloads[K]>, kind: K, payload: JobPayloads[K], opts: EnqueueOptions): BeeQueue.Job<JobPayloads[K]> {
  const spec = JOB_KINDS[kind];
  const job = queue.createJob(payload);
  const id = spec.jobId(payload);
  if (id !== null) job.setId(opts.key ? `${id}@${opts.key}` : id);
  if (spec.retries > 0) job.retries(spec.retries).backoff('exponential', spec.backoffMs);
  if (opts.delayMs !== undefined) job.delayUntil(Date.now() + Math.max(0, opts.delayMs));
  return job;
}
