import crypto from 'node:crypto';
import type { Deps } from '../deps.js';

export interface Periodic {
  /** Runs it now (after the run in progress, if any) instead of at the next interval. */
  wake(): void;
  /** No more runs; waits for the one in progress. */
  stop(): Promise<void>;
}

export interface EveryOptions {
  /**
   * Only one worker process runs it per interval: the first to take a Redis lock that lasts the interval.
   * For work that must not run N times with N workers (retention, re-queueing sweeps). Work that claims
   * its rows itself (skip locked) needs no lock.
   */
  lock?: boolean;
  /** First run right away rather than after one interval. */
  immediately?: boolean;
}

/**
 * The one shape of periodic work in the worker: sweepers, retention, timers. Runs never overlap, a
 * failure is logged with the task's name and the next run comes as usual, and stop() waits for the run
 * in progress. Work that must survive a restart is in the database; this only decides when to look.
 */
export function every(deps: Deps, name: string, intervalMs: number, run: () => Promise<void>, opts: EveryOptions = {}): Periodic {
  let stopped = false;
  let wakeNow: (() => void) | null = null;
  let woken = false;
  const token = crypto.randomBytes(8).toString('hex');
  const pause = (ms: number) => new Promise<void>((resolve) => {
    if (woken || stopped) { woken = false; resolve(); return; }
    const done = () => { clearTimeout(timer); wakeNow = null; resolve(); };
    const timer = setTimeout(done, ms);
    wakeNow = done;
  });
  const mayRun = async (): Promise<boolean> => {
    if (!opts.lock) return true;
    // Held for the interval, not released: another worker's run in the same interval would be a second one.
    const got = await deps.redis.set(`atendo:every:${name}`, token, 'PX', Math.max(1, intervalMs - 50), 'NX');
    return got === 'OK';
  };
  const loop = (async () => {
    if (!opts.immediately) await pause(intervalMs);
    while (!stopped) {
      try {
        if (await mayRun()) await run();
      } catch (err) {
        deps.log.error({ task: name, err: (err as Error).message }, 'periodic task failed; it runs again at its next interval');
      }
      if (!stopped) await pause(intervalMs);
    }
  })();
  return {
    wake: () => {
      if (wakeNow) wakeNow();
      else woken = true; // mid-run: the next pause is skipped
    },
    stop: async () => {
      stopped = true;
      (wakeNow as (() => void) | null)?.();
      await loop;
    },
  };
}
