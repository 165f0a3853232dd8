import type { Logger } from '#kit/logger.js';
import { buildDeps, closeDeps, followLicenseChanges } from '../bootstrap.js';
import type { Config } from '../config.js';
import type { Deps } from '../deps.js';
import { HeartbeatScheduler } from '../license/heartbeatScheduler.js';
import type { TrustedKeys } from '../license/trust.js';
import { startProcessors } from '../queues/processors/start.js';
import type { Subscriber } from '../events/domainEvents.js';
import { subscribers } from '../events/subscribers.js';

export interface WorkerProcess {
  deps: Deps;
  scheduler: HeartbeatScheduler;
  stop(): Promise<void>;
}

/**
 * The worker process: background work that must not depend on someone having the dashboard open:
 * the license heartbeat, the job queues and periodic tasks (queues/), and the event subscribers (events/).
 */
export async function startWorker(
  config: Config,
  opts: { trustedKeys: TrustedKeys; now?: () => Date; log?: Logger; heartbeats?: boolean; subscribers?: Subscriber[] },
): Promise<WorkerProcess> {
  const deps = buildDeps(config, { ...opts, name: 'atendo-worker', queues: 'worker' });
  const unfollow = await followLicenseChanges(deps);
  const scheduler = new HeartbeatScheduler(deps);
  if (opts.heartbeats !== false) scheduler.start();
  const stopProcessors = startProcessors(deps, opts.subscribers ?? subscribers(deps));
  deps.log.info('appliance worker started');
  let stopping: Promise<void> | null = null;
  return {
    deps,
    scheduler,
    stop: () => {
      stopping ??= (async () => {
        await scheduler.stop(); // waits for a heartbeat in flight
        await stopProcessors(); // lets jobs in flight finish
        await unfollow();
        await closeDeps(deps);
      })();
      return stopping;
    },
  };
}
