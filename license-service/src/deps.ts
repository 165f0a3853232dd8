import type { Redis } from 'ioredis';
import type { Knex } from 'knex';
import type { Config } from './config.js';
import type { AttemptLimiter } from '#kit/attemptLimiter.js';
import type { Keyring } from './lib/keyring.js';
import type { Logger } from '#kit/logger.js';

/** What the app and the commands are built from; tests build the same thing against real services. */
export interface Deps {
  config: Config;
  db: Knex;
  redis: Redis;
  keyring: Keyring;
  attempts: AttemptLimiter;
  log: Logger;
  /** The service's clock; injectable so tests can move time. */
  now: () => Date;
}

/** Who did something, for the audit trail. */
export interface Actor {
  name: string;
  ip: string;
}
