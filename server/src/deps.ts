import type { Redis } from 'ioredis';
import type { Knex } from 'knex';
import type { AttemptLimiter } from '#kit/attemptLimiter.js';
import type { Logger } from '#kit/logger.js';
import type { Config } from './config.js';
import type { LicenseGate } from './license/licenseGate.js';
import type { TrustedKeys } from './license/trust.js';
import type { Metrics } from './lib/metrics.js';
import type { SecretBox } from './lib/secretBox.js';
import type { Queues } from './queues/queues.js';
import type { SocketHub } from './websockets/socketHub.js';

/** What the appliance's processes are built from; tests build the same against real services. */
export interface Deps {
  config: Config;
  db: Knex;
  redis: Redis;
  log: Logger;
  /** The local clock; injectable so tests can move time. License decisions correct it by the service's. */
  now: () => Date;
  trustedKeys: TrustedKeys;
  license: LicenseGate;
  attempts: AttemptLimiter;
  metrics: Metrics;
  /** Opens and seals provider secrets; null when ENCRYPTION_KEY is not configured. */
  secrets: SecretBox | null;
  /** bee-queue queues: producers in the web process, processors too in the worker; null in the CLI. */
  queues: Queues | null;
  /** Live sockets, in processes that serve them (the web process); null elsewhere. */
  sockets: SocketHub | null;
}
