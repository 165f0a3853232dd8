import type { Logger } from '../../../license-service/kit/logger.js';
import { buildDeps, closeDeps, followLicenseChanges } from '../bootstrap.js';
import type { Config } from '../config.js';
import type { Deps } from '../deps.js';
import { HeartbeatScheduler } from '../license/heartbeatScheduler.js';
import type { TrustedKeys } from '../license/trust.js';

export interface WorkerProcess {
  deps: Deps;
  scheduler: HeartbeatScheduler;
  stop(): Promise<void>;
}

/**
 * The worker process: background work that must not depend on someone having the dashboard open. Today
 * the license heartbeat; messaging's queues (bee-queue) join it with their processors.
 */
export async function startWorker(
  config: Config,
  opts: { trustedKeys: TrustedKeys; now?: () => Date; log?: Logger },
): Promise<WorkerProcess> {
  const deps = buildDeps(config, { ...opts, name: 'atendo-worker' });
  const unfollow = await followLicenseChanges(deps);
  const scheduler = new HeartbeatScheduler(deps);
  scheduler.start();
  deps.log.info('appliance worker started');
  let stopping: Promise<void> | null = null;
  return {
    deps,
    scheduler,
    stop: () => {
      stopping ??= (async () => {
        await scheduler.stop(); // waits for a heartbeat in flight
        await unfollow();
        await closeDeps(deps);
      })();
      return stopping;
    },
  };
}
