import { spawn } from 'node:child_process';
import fs from 'node:fs';

/**
 * Background processes of the local runtime: started detached with a pid file, so they outlive the
 * installer the way containers outlive `docker compose up -d`, and any later command can find them.
 */
export function readPid(pidFile: string): number | null {
  try {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').trim().split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

export function isAlive(pid: number | null): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function runningPid(pidFile: string): number | null {
  const pid = readPid(pidFile);
  return isAlive(pid) ? pid : null;
}

export function startDetached(
  cmd: string,
  args: string[],
  opts: { cwd: string; env: Record<string, string>; logFile: string; pidFile: string },
): number {
  const log = fs.openSync(opts.logFile, 'a', 0o600);
  const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, detached: true, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  child.unref();
  fs.writeFileSync(opts.pidFile, `${child.pid}\n`, { mode: 0o600 });
  return child.pid!;
}

/** SIGTERM, then up to `graceMs` for a clean exit (our processes drain), then SIGKILL. */
export async function stopPid(pid: number | null, graceMs = 20_000): Promise<void> {
  if (!isAlive(pid)) return;
  try { process.kill(pid!, 'SIGTERM'); } catch { return; }
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid)) {
    try { process.kill(pid!, 'SIGKILL'); } catch { /* gone */ }
    while (isAlive(pid)) await new Promise((r) => setTimeout(r, 50));
  }
}
