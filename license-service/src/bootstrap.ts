import { Redis } from 'ioredis';
import type { Config } from './config.js';
import type { Deps } from './deps.js';
import { AttemptLimiter } from '#kit/attemptLimiter.js';
import { createDb } from '#kit/db.js';
import { loadKeyring } from './lib/keyring.js';
import { createLogger, type Logger } from '#kit/logger.js';
import { watchRedis } from '#kit/watchRedis.js';

/** Connects to everything the service needs. The caller owns closing it (closeDeps). */
export function buildDeps(config: Config, overrides: { log?: Logger; now?: () => Date } = {}): Deps {
  const log = overrides.log ?? createLogger(config.LOG_LEVEL, 'license-service');
  const redis = watchRedis(new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2 }), { log }, 'main');
  return {
    config,
    db: createDb(config.DATABASE_URL),
    redis,
    keyring: loadKeyring(config.SIGNING_KEYS_DIR, config.SIGNING_KEY_ID),
    attempts: new AttemptLimiter(redis, config.GUESS_WINDOW_SECONDS, 'ls'),
    log,
    now: overrides.now ?? (() => new Date()),
  };
}

export async function closeDeps(deps: Deps): Promise<void> {
  await Promise.allSettled([deps.db.destroy(), deps.redis.quit()]);
}
