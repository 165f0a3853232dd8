import { Redis } from 'ioredis';
import { AttemptLimiter } from '#kit/attemptLimiter.js';
import { createDb } from '#kit/db.js';
import { createLogger, type Logger } from '#kit/logger.js';
import type { Config } from './config.js';
import type { Deps } from './deps.js';
import { LicenseGate } from './license/licenseGate.js';
import type { TrustedKeys } from './license/trust.js';
import { createMetrics } from './lib/metrics.js';
import { SecretBox } from './lib/secretBox.js';
import { createQueues } from './queues/queues.js';
import { watchRedis } from '#kit/watchRedis.js';

/**
 * Connects what every appliance process needs. The trusted lease keys are an argument, not
 * configuration: production entry points pass the vendor keys compiled into the build.
 */
export function buildDeps(
  config: Config,
  opts: { trustedKeys: TrustedKeys; log?: Logger; now?: () => Date; name?: string; queues?: 'producer' | 'worker' | 'none' },
): Deps {
  const now = opts.now ?? (() => new Date());
  const db = createDb(config.DATABASE_URL);
  const log = opts.log ?? createLogger(config.LOG_LEVEL, opts.name ?? 'atendo');
  const redis = watchRedis(new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2 }), { log }, 'main');
  return {
    config,
    db,
    redis,
    log,
    now,
    trustedKeys: opts.trustedKeys,
    license: new LicenseGate(db, opts.trustedKeys, now),
    attempts: new AttemptLimiter(redis, config.LOGIN_WINDOW_SECONDS, 'atendo'),
    metrics: createMetrics(),
    secrets: config.ENCRYPTION_KEY ? new SecretBox(config.ENCRYPTION_KEY) : null,
    queues: opts.queues && opts.queues !== 'none' ? createQueues(config, { worker: opts.queues === 'worker' }) : null,
    sockets: null,
  };
}

/**
 * Hears license changes made by other processes (a heartbeat in the worker, an activation from the
 * CLI) so this process's gate and its sockets see them at once. Returns the unsubscriber.
 */
export async function followLicenseChanges(deps: Deps): Promise<() => Promise<void>> {
  const sub = watchRedis(deps.redis.duplicate(), deps, 'license-sub');
  await sub.subscribe('license:changed');
  sub.on('message', () => {
    deps.license.invalidate();
    if (deps.sockets) void deps.license.snapshot().then((s) => deps.sockets?.licenseChanged(s.state)).catch(() => {});
  });
  return async () => { await sub.quit().catch(() => {}); };
}

export async function closeDeps(deps: Deps): Promise<void> {
  await deps.queues?.close();
  await Promise.allSettled([deps.db.destroy(), deps.redis.quit()]);
}
