/**
 * The local runtime's supervisor: what `restart: unless-stopped` is to the docker runtime. One small
 * detached process per install owns the web and worker processes, restarts one that dies (with a
 * doubling back-off, capped, reset once it has stayed up a while), and logs why (exit code or signal,
 * restart count, delay) as JSON lines in logs/supervisor.log and in the dead process's own log.
 * SIGTERM (what `stop` sends) stops the children gracefully, removes their pid files, and exits.
 *
 *   node supervisorEntry.ts '<json SupervisorSpec>'      (started by LocalRuntime.startApp, never by hand)
 *
 * It knows no secret: the children inherit its environment, which the runtime gave it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface SupervisorSpec {
  /** The command that starts one role: `[...command, role]`. */
  command: string[];
  cwd: string;
  roles: string[];
  runDir: string;
  logsDir: string;
  /** First restart delay, doubled at each quick death, never above maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A process that stayed up this long is healthy again: the next restart starts at baseDelayMs. */
  stableMs: number;
  /** How long a child gets to drain after SIGTERM before SIGKILL. */
  graceMs: number;
}

export const DEFAULT_SUPERVISION = { baseDelayMs: 1000, maxDelayMs: 30_000, stableMs: 60_000, graceMs: 20_000 } as const;

/** The delay before restart number `quickDeaths` (1-based) of a process that keeps dying quickly. */
export function restartDelay(quickDeaths: number, base: number, max: number): number {
  return Math.min(max, base * 2 ** Math.max(0, quickDeaths - 1));
}

interface Supervised {
  role: string;
  child: ChildProcess | null;
  startedAt: number;
  restarts: number;
  quickDeaths: number;
  timer: NodeJS.Timeout | null;
}

export function supervise(spec: SupervisorSpec): void {
  const log = (level: 30 | 40 | 50, msg: string, fields: Record<string, unknown> = {}, alsoIn?: string) => {
    const line = `${JSON.stringify({ level, time: Date.now(), pid: process.pid, name: 'supervisor', msg, ...fields })}\n`;
    fs.appendFileSync(path.join(spec.logsDir, 'supervisor.log'), line, { mode: 0o600 });
    if (alsoIn) fs.appendFileSync(path.join(spec.logsDir, `${alsoIn}.log`), line, { mode: 0o600 });
  };
  const pidFile = (role: string) => path.join(spec.runDir, `${role}.pid`);
  let stopping = false;
  const procs: Supervised[] = spec.roles.map((role) => ({ role, child: null, startedAt: 0, restarts: 0, quickDeaths: 0, timer: null }));

  const start = (p: Supervised) => {
    p.timer = null;
    if (stopping) return;
    const out = fs.openSync(path.join(spec.logsDir, `${p.role}.log`), 'a', 0o600);
    const [cmd, ...args] = spec.command;
    const child = spawn(cmd!, [...args, p.role], { cwd: spec.cwd, env: process.env, stdio: ['ignore', out, out] });
    fs.closeSync(out);
    p.child = child;
    p.startedAt = Date.now();
    if (child.pid) fs.writeFileSync(pidFile(p.role), `${child.pid}\n`, { mode: 0o600 });
    child.once('error', (err) => log(50, `${p.role} could not be started: ${err.message}`, { role: p.role }));
    child.once('exit', (code, signal) => {
      p.child = null;
      if (stopping) return;
      const upMs = Date.now() - p.startedAt;
      p.quickDeaths = upMs >= spec.stableMs ? 1 : p.quickDeaths + 1;
      p.restarts++;
      const delayMs = restartDelay(p.quickDeaths, spec.baseDelayMs, spec.maxDelayMs);
      const why = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      log(p.quickDeaths > 3 ? 50 : 40, `${p.role} (pid ${child.pid}) ${why} after ${(upMs / 1000).toFixed(1)} s; restart ${p.restarts} in ${delayMs / 1000} s`,
        { role: p.role, exitCode: code, signal, upMs, restarts: p.restarts, delayMs }, p.role);
      p.timer = setTimeout(() => start(p), delayMs);
    });
  };

  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log(30, `stopping on ${signal}`, { roles: spec.roles });
    for (const p of procs) if (p.timer) clearTimeout(p.timer);
    const running = procs.filter((p) => p.child && p.child.exitCode === null && p.child.signalCode === null);
    const exits = running.map((p) => new Promise<void>((r) => p.child!.once('exit', () => r())));
    for (const p of running) p.child!.kill('SIGTERM');
    const force = setTimeout(() => { for (const p of running) p.child?.kill('SIGKILL'); }, spec.graceMs);
    void Promise.all(exits).then(() => {
      clearTimeout(force);
      for (const p of procs) fs.rmSync(pidFile(p.role), { force: true });
      log(30, 'stopped');
      process.exit(0);
    });
  };
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => shutdown(sig));

  log(30, `supervising ${spec.roles.join(' and ')}`, { roles: spec.roles, cwd: spec.cwd });
  for (const p of procs) start(p);
}
