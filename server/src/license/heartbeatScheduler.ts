import crypto from 'node:crypto';
import type { Deps } from '../deps.js';
import { sendHeartbeat } from '../commands/licenseHeartbeat.js';
import { advanceTrustedTime } from '../repositories/licenseState.js';
import type { LicenseSnapshot } from './licenseState.js';

const LOCK_KEY = 'license:heartbeat:lock';
const LOCK_MS = 60_000;
/** After a transient failure, try again this soon rather than a whole interval later. */
const RETRY_AFTER_FAILURE_MS = 60_000;
/**
 * While the license is not active, check this often: a resume, renewal or rebind at the vendor lifts
 * the restriction within about a minute, with nobody clicking "check now".
 */
export const NOT_ACTIVE_CHECK_MS = 60_000;
/** Refusals that no vendor action undoes for this installation: checking often would change nothing. */
const FINAL_REASONS = new Set(['license_revoked', 'installation_superseded', 'license_not_found']);

/**
 * How long after the last contact the next heartbeat is due. Active: the vendor's interval from the
 * lease (15 min by default). Not active (restricted, grace, a failing heartbeat): at most a minute, so a
 * change at the vendor shows quickly; except after a final refusal, and in the plain "expires within 14
 * days" warning, where the lease is valid and the normal interval does (a renewal still shows at once
 * with "check now"). A refused heartbeat is the service's cheapest answer (one indexed read, no write).
 */
export function heartbeatIntervalMs(snap: LicenseSnapshot): number {
  const interval = (snap.lease?.heartbeatIntervalSeconds ?? 900) * 1000;
  const s = snap.stored;
  const failing = !!s && (s.lastAttemptAt?.getTime() ?? 0) > (s.lastSuccessAt?.getTime() ?? 0);
  if (failing && !s.definitiveError) return Math.min(interval, RETRY_AFTER_FAILURE_MS);
  const prompt = snap.state !== 'active' && snap.reason !== 'license_expiring' && !FINAL_REASONS.has(snap.reason ?? '');
  return prompt ? Math.min(interval, NOT_ACTIVE_CHECK_MS) : interval;
}

/** When the next heartbeat is due, in the service-corrected time of the snapshot. */
export function nextHeartbeatAt(snap: LicenseSnapshot): Date | null {
  const s = snap.stored;
  if (!s) return null;
  const lastOk = s.lastSuccessAt?.getTime() ?? 0;
  const lastAttempt = s.lastAttemptAt?.getTime() ?? 0;
  return new Date(Math.max(lastOk, lastAttempt) + heartbeatIntervalMs(snap));
}

/** States a heartbeat can repair at once: the service's signed time and a fresh lease fix both. */
const REPAIRABLE = new Set(['clock_tampered', 'lease_invalid']);

/**
 * Every process (web and workers) ticks; exactly one sends each heartbeat. A Redis lock keeps two
 * processes from sending at once, and the due-check is repeated from the database after taking it, so a
 * process that took the lock just after another one's heartbeat sends nothing.
 *
 * Each tick also moves the trusted-time high-water mark forward, by the wall clock and by the monotonic
 * time elapsed since the last tick (which no clock change can stop), so small repeated setbacks of the
 * wall clock gain nothing. A clock found set back is not a dead end: a heartbeat is still sent (once a
 * minute at most), and the service's signed time repairs it.
 */
export class HeartbeatScheduler {
  private timer: NodeJS.Timeout | null = null;
  private firstTick: NodeJS.Timeout | null = null;
  private dueTick: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private lastTick: { mono: bigint; trusted: number; seq: number } | null = null;
  private lastRepairAttempt: bigint | null = null;

  constructor(private readonly deps: Deps) {}

  start(): void {
    const every = this.deps.config.HEARTBEAT_TICK_SECONDS * 1000;
    this.timer = setInterval(() => void this.tick().then(() => this.wakeAtDue(every)), every);
    this.timer.unref();
    this.firstTick = setTimeout(() => void this.tick().then(() => this.wakeAtDue(every)), 1000);
    this.firstTick.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.firstTick) clearTimeout(this.firstTick);
    if (this.dueTick) clearTimeout(this.dueTick);
    this.timer = null;
    this.firstTick = null;
    this.dueTick = null;
    await this.running?.catch(() => {});
  }

  /**
   * A heartbeat due before the next regular tick (the one-minute checks while not active) gets its own
   * wake-up at the due time, so "within about a minute" does not become a minute plus a tick.
   */
  private async wakeAtDue(tickMs: number): Promise<void> {
    if (!this.timer || this.dueTick) return;
    const snap = await this.deps.license.snapshot().catch(() => null);
    const due = snap && nextHeartbeatAt(snap);
    if (!snap || !due) return;
    const wait = due.getTime() - snap.now.getTime();
    if (wait >= tickMs) return;
    this.dueTick = setTimeout(() => {
      this.dueTick = null;
      void this.tick();
    }, Math.max(wait, 0) + 50);
    this.dueTick.unref();
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
    const snap = await deps.license.snapshot();
    if (!snap.stored) return false;
    await this.advanceTrustedTime(snap);
    if (REPAIRABLE.has(snap.reason ?? '')) {
      const mono = process.hrtime.bigint();
      if (this.lastRepairAttempt !== null && mono - this.lastRepairAttempt < BigInt(RETRY_AFTER_FAILURE_MS) * 1_000_000n) return false;
      this.lastRepairAttempt = mono;
      return (await withHeartbeatLock(deps, async () => { await sendHeartbeat(deps); return true; })) ?? false;
    }
    if (snap.now < nextHeartbeatAt(snap)!) return false;
    const sent = await withHeartbeatLock(deps, async () => {
      deps.license.invalidate();
      const fresh = await deps.license.snapshot();
      if (fresh.now < nextHeartbeatAt(fresh)!) return false;
      await sendHeartbeat(deps);
      return true;
    });
    return sent ?? false;
  }

  private async advanceTrustedTime(snap: LicenseSnapshot): Promise<void> {
    const mono = process.hrtime.bigint();
    const seq = snap.stored!.leaseSeq;
    let candidate = snap.reason === 'clock_tampered' ? 0 : snap.now.getTime();
    // The monotonic carry holds only under the same lease: a new one resets trusted time to the service's.
    if (this.lastTick?.seq === seq) candidate = Math.max(candidate, this.lastTick.trusted + Number((mono - this.lastTick.mono) / 1_000_000n));
    candidate = Math.max(candidate, snap.stored!.trustedTime.getTime());
    this.lastTick = { mono, trusted: candidate, seq };
    await advanceTrustedTime(this.deps.db, new Date(candidate), seq);
  }
}

/** Runs `fn` holding the cluster-wide heartbeat lock; null when another process holds it. */
async function withHeartbeatLock<T>(deps: Deps, fn: () => Promise<T>): Promise<T | null> {
  const id = crypto.randomUUID();
  if ((await deps.redis.set(LOCK_KEY, id, 'PX', LOCK_MS, 'NX')) !== 'OK') return null;
  try {
    return await fn();
  } finally {
    // Release only our own lock.
    await deps.redis.eval(`if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`, 1, LOCK_KEY, id);
  }
}

/** While a "check now" is in flight, this key says so: a second one waits for its answer. */
const CHECK_NOW_KEY = 'atendo:license:check-now';
const CHECK_NOW_DEADLINE_MS = 20_000;

/**
 * A heartbeat now (the admin's "check now", the CLI), under the same lock as the scheduler. Requests
 * that arrive while one is in flight (a double click, several tabs) wait for its answer instead of
 * sending their own; when the scheduler of another process is sending one this moment, it waits for that.
 */
export async function heartbeatNow(deps: Deps): Promise<void> {
  const deadline = Date.now() + CHECK_NOW_DEADLINE_MS;
  const mine = `${process.pid}:${Math.random()}`;
  if (!(await deps.redis.set(CHECK_NOW_KEY, mine, 'PX', CHECK_NOW_DEADLINE_MS, 'NX'))) {
    while (Date.now() < deadline && (await deps.redis.exists(CHECK_NOW_KEY))) await new Promise((r) => setTimeout(r, 100));
    return;
  }
  try {
    while (Date.now() < deadline) {
      const sent = await withHeartbeatLock(deps, async () => { await sendHeartbeat(deps); return true; });
      if (sent) return;
      await new Promise((r) => setTimeout(r, 200));
      if (!(await deps.redis.exists(LOCK_KEY))) return;
    }
  } finally {
    await deps.redis.eval(`if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`, 1, CHECK_NOW_KEY, mine);
  }
}
