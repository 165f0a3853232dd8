import BeeQueue from 'bee-queue';
import { createRequire } from 'node:module';
import type { Config } from '../config.js';
import { JOB_KIND_NAMES, type JobKind, type JobPayloads } from './jobKinds.js';

/**
 * The appliance's bee-queue queues, one per job kind of jobKinds.ts (where each kind says what it carries).
 */
export type Queues = { [K in JobKind]: BeeQueue<JobPayloads[K]> } & { close(): Promise<void> };

export function createQueues(config: Config, opts: { worker: boolean }): Queues {
  const settings: BeeQueue.QueueSettings = {
    prefix: 'atendo:bq',
    redis: { url: config.REDIS_URL } as BeeQueue.QueueSettings['redis'],
    isWorker: opts.worker,
    getEvents: false,
    sendEvents: false,
    activateDelayedJobs: opts.worker,
    removeOnSuccess: true,
    removeOnFailure: true,
    // Without events nothing would ever drop a saved job from the producer's in-memory map (a leak per job).
    storeJobs: false,
    // A worker killed mid-job leaves it "active"; another worker takes it back after this long.
    stallInterval: 5_000,
  };
  const queues = Object.fromEntries(JOB_KIND_NAMES.map((kind) => {
    const q = new BeeQueue(kind, settings);
    // bee-queue's connections reconnect by themselves; an error event without a listener would crash.
    q.on('error', () => {});
    capRedisRetryDelay(q);
    reloadScriptsOnReconnect(q);
    return [kind, q];
  })) as { [K in JobKind]: BeeQueue<JobPayloads[K]> };
  return {
    ...queues,
    close: async () => {
      await Promise.allSettled(JOB_KIND_NAMES.map((kind) => queues[kind].close(3_000)));
    },
  };
}

/** Longest wait between a worker's attempts to read jobs while Redis is away. */
const MAX_REDIS_RETRY_DELAY_MS = 2_000;

/**
 * bee-queue 2.0 waits before re-reading jobs after a Redis error and doubles that wait on every error,
 * shared by all parallel slots and never capped: with 16 slots one Redis restart made it wait hours,
 * leaving sends stuck. Its private delay field is capped here (pinned to bee-queue 2.0.x in
 * package.json); the library exposes no setting for it.
 */
function capRedisRetryDelay(queue: BeeQueue<any>): void {
  let delay = 0;
  Object.defineProperty(queue, '_redisFailureRetryDelay', {
    get: () => delay,
    set: (v: number) => { delay = Math.min(v, MAX_REDIS_RETRY_DELAY_MS); },
    configurable: true,
  });
}

// bee-queue's Lua script cache (not in its typings).
const lua = createRequire(import.meta.url)('bee-queue/lib/lua/index.js') as { buildCache(client: unknown): Promise<void> };

/**
 * bee-queue loads its Lua scripts once, at start, and then calls them by hash. A Redis that restarts
 * empty has forgotten them, and every job creation fails (NOSCRIPT) until the process restarts. Loading
 * them again whenever its connection comes back keeps the queues working across Redis restarts.
 */
function reloadScriptsOnReconnect(queue: BeeQueue<any>): void {
  void queue.ready().then(() => {
    const client = (queue as unknown as { client: { on(e: 'ready', f: () => void): void } }).client;
    client.on('ready', () => { lua.buildCache(client).catch(() => {}); });
  }).catch(() => {});
}
