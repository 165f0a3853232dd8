import crypto from 'node:crypto';
import type { Deps } from '../deps.js';
import { sendHeartbeat } from '../commands/licenseHeartbeat.js';
import { advanceTrustedTime } from '../repositories/licenseState.js';
import type { LicenseSnapshot } from './licenseState.js';

const LOCK_KEY = 'license:heartbeat:lock';
const LOCK_MS = 60_000;
/** After a transient failure, try again this soon rather than a whole interval later. */
const RETRY_AFTER_FAILURE_MS = 60_000;

/** When the next heartbeat is due, in the service-corrected time of the snapshot. */
export function nextHeartbeatAt(snap: LicenseSnapshot): Date | null {
  const s = snap.stored;
  if (!s) return null;
  const interval = (snap.lease?.heartbeatIntervalSeconds ?? 900) * 1000;
  const lastOk = s.lastSuccessAt?.getTime() ?? 0;
  const lastAttempt = s.lastAttemptAt?.getTime() ?? 0;
  const failing = lastAttempt > lastOk;
  if (failing && !s.definitiveError) return new Date(lastAttempt + Math.min(interval, RETRY_AFTER_FAILURE_MS));
  return new Date(Math.max(lastOk, lastAttempt) + interval);
}

/**
 * Every process (web and workers) ticks; exactly one sends each heartbeat. A Redis lock keeps two
 * processes from sending at once, and the due-check is repeated from the database after taking it, so a
 * process that took the lock just after another one's heartbeat sends nothing.
 * Each tick also moves the trusted-time high-water mark forward.
 */
export class HeartbeatScheduler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private readonly id = crypto.randomUUID();

  constructor(private readonly deps: Deps) {}

  start(): void {
    const every = this.deps.config.HEARTBEAT_TICK_SECONDS * 1000;
    this.timer = setInterval(() => void this.tick(), every);
    this.timer.unref();
    setTimeout(() => void this.tick(), 1000).unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => {});
  }

  /** One check; returns whether this process sent a heartbeat. */
  tick(): Promise<boolean> {
    if (this.running) return Promise.resolve(false);
    const run = this.checkAndSend().catch((err) => {
      this.deps.log.error({ err }, 'license heartbeat tick failed');
      return false;
    });
    this.running = run.finally(() => { this.running = null; });
    return run;
  }

  private async checkAndSend(): Promise<boolean> {
    const { deps } = this;
    let snap = await deps.license.snapshot();
    if (!snap.stored) return false;
    if (snap.reason !== 'clock_tampered') await advanceTrustedTime(deps.db, snap.now);
    if (snap.now < nextHeartbeatAt(snap)!) return false;
    const locked = await deps.redis.set(LOCK_KEY, this.id, 'PX', LOCK_MS, 'NX');
    if (locked !== 'OK') return false;
    try {
      deps.license.invalidate();
      snap = await deps.license.snapshot();
      if (snap.now < nextHeartbeatAt(snap)!) return false;
      await sendHeartbeat(deps);
      return true;
    } finally {
      // Release only our own lock.
      await deps.redis.eval(`if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`, 1, LOCK_KEY, this.id);
    }
  }
}
