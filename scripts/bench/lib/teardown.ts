/**
 * Teardown for benchmarks: everything started registers how to stop it; stops run newest first, each
 * bounded in time, on success, failure, Ctrl-C or a watchdog. A synchronous fallback (SIGKILL, rm) runs
 * on process exit for whatever the async path did not reach.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { clockEnv } from '../../../installer/src/runtime/clockEnv.js';

interface Step { name: string; run: () => Promise<void>; sync?: () => void }

const steps: Step[] = [];
let running: Promise<void> | null = null;
let interrupted = false;

export const log = (msg: string): void => { process.stderr.write(`[bench] ${msg}\n`); };
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms); });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export function onTeardown(name: string, run: () => Promise<void>, sync?: () => void): void {
  steps.push({ name, run, sync });
}

export function teardown(): Promise<void> {
  running ??= (async () => {
    while (steps.length) {
      const s = steps.pop()!;
      await withTimeout(s.run(), 20_000, `stop ${s.name}`).catch((err: Error) => log(`stop ${s.name} failed: ${err.message}`));
    }
  })();
  return running;
}

export const wasInterrupted = (): boolean => interrupted;

/** Ctrl-C / SIGTERM: tear down and exit; a watchdog does the same after `budgetMs`. */
export function guardProcess(budgetMs: number): void {
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.on(signal, () => {
      if (interrupted) return;
      interrupted = true;
      log(`${signal}: stopping and cleaning up…`);
      void teardown().finally(() => process.exit(code));
    });
  }
  const watchdog = setTimeout(() => {
    interrupted = true;
    log(`watchdog: the benchmark exceeded ${Math.round(budgetMs / 1000)} s; aborting`);
    void teardown().finally(() => process.exit(1));
  }, budgetMs);
  watchdog.unref();
  process.on('exit', () => {
    for (const s of [...steps].reverse()) {
      try { s.sync?.(); } catch { /* best effort */ }
    }
  });
}

export interface Child {
  name: string;
  child: ChildProcess;
  pid: number;
  output(): string;
  exited(): boolean;
  /** SIGTERM, then SIGKILL after graceMs. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Spawns a child in its own process group (a terminal Ctrl-C reaches only us, and we stop children in
 * order), keeping the tail of its output for error messages, and registers its stop. A child given an
 * environment of its own still gets our clock (libfaketime's variables under `npm run test:any-date`):
 * on the real clock while we are a month ahead, the appliance would take the lease we signed for one
 * issued in the future, and the timers we set due in two seconds as due in a month.
 */
export function startChild(name: string, command: string, args: string[], opts: SpawnOptions & { ipc?: boolean }): Child {
  const child = spawn(command, args, {
    ...opts,
    ...(opts.env ? { env: { ...clockEnv(), ...opts.env } } : {}),
    stdio: opts.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  const keep = (d: Buffer) => { out = (out + d.toString('utf8')).slice(-6000); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited = false;
  const exitedP = new Promise<void>((resolve) => child.once('exit', () => { exited = true; resolve(); }));
  child.on('error', (err) => { out += `\nspawn error: ${err.message}`; });
  const stop = async (graceMs = 15_000) => {
    if (exited) return;
    child.kill('SIGTERM');
    const done = await Promise.race([exitedP.then(() => true), sleep(graceMs).then(() => false)]);
    if (!done) {
      child.kill('SIGKILL');
      await exitedP;
    }
  };
  onTeardown(name, () => stop(), () => { if (!exited) child.kill('SIGKILL'); });
  return { name, child, pid: child.pid ?? -1, output: () => out, exited: () => exited, stop };
}

/**
 * A benchmark's run, printed as JSON or as its text block, with everything torn down afterwards; the exit
 * code is 0, 1 on failure, or 130 when interrupted.
 */
export async function runAndReport<R>(run: () => Promise<R>, asText: (r: R) => string, json: boolean): Promise<number> {
  try {
    const result = await run();
    process.stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : `${asText(result)}\n`);
    await teardown();
    return 0;
  } catch (err) {
    if (!wasInterrupted()) log(`failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    await teardown();
    return wasInterrupted() ? 130 : 1;
  }
}

/** Runs `main` when this module is the script node was started with (not when a test imports it). */
export function runAsScript(moduleUrl: string, main: (argv: string[]) => Promise<number>): void {
  if (!process.argv[1] || fileURLToPath(moduleUrl) !== path.resolve(process.argv[1])) return;
  main(process.argv.slice(2)).then((code) => process.exit(code), (err) => {
    process.stderr.write(`benchmark crashed: ${String(err)}\n`);
    void teardown().finally(() => process.exit(1));
  });
}
