import type { Redis } from 'ioredis';
import type { Logger } from './logger.js';

/**
 * Every Redis connection gets an error listener: ioredis reconnects by itself, and an 'error' event
 * without a listener would crash the process while Redis restarts. Logged once per outage, not per retry.
 */
export function watchRedis<R extends Redis>(redis: R, deps: { log: Logger }, role: string): R {
  let down = false;
  redis.on('error', (err) => {
    if (!down) deps.log.warn({ role, err: err.message }, 'redis connection lost; retrying');
    down = true;
  });
  redis.on('ready', () => {
    if (down) deps.log.info({ role }, 'redis connection back');
    down = false;
  });
  return redis;
}
