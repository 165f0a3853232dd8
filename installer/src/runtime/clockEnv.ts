/**
 * libfaketime (Debian's `faketime`) moves a process's clock through these variables; `npm run
 * test:any-date` moves the whole test run's clock with it. Every process started with an environment of
 * its own must be handed them — by the tests, and by the local runtime for the appliance it starts — or it
 * runs on the real clock while the rest is a month ahead (and the appliance, rightly, takes that for a
 * clock set back). On a machine without libfaketime these variables are simply not set.
 */
const CLOCK_VARIABLES = ['LD_PRELOAD', 'FAKETIME', 'FAKETIME_NO_CACHE', 'FAKETIME_DONT_FAKE_MONOTONIC', 'TZ'] as const;

/** The clock variables of this process, to spread into a child's environment. */
export function clockEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of CLOCK_VARIABLES) {
    const value = process.env[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** An environment without libfaketime: redis-server crashes under it ("recursive calls to clock_gettime()"). */
export function withoutFakeClock(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const { LD_PRELOAD: preload, FAKETIME: _f, ...rest } = env;
  const others = (preload ?? '').split(/[:\s]+/).filter((lib) => lib && !lib.includes('libfaketime'));
  return { ...rest, ...(others.length ? { LD_PRELOAD: others.join(':') } : {}) };
}
