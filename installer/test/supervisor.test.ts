import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { isAlive, readPid } from '../src/runtime/processes.js';
import { appUrlOf, call, localInstallArgs, login, runInstaller, stopInstall, tempDir, useLicenseService } from './support.js';

const licenseService = useLicenseService(test);

const pidOf = (dir: string, name: string) => readPid(path.join(dir, 'run', `${name}.pid`));

/** Waits (bounded, polling) for `fn` to return something truthy; machine speed only changes how long. */
async function eventually<T>(fn: () => T | Promise<T>, what: string, timeoutMs = 90_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function ready(dir: string): Promise<boolean> {
  try {
    return (await call('GET', `${appUrlOf(dir)}/ready`)).status === 200;
  } catch {
    return false;
  }
}

const supervisorLog = (dir: string) => {
  try { return fs.readFileSync(path.join(dir, 'logs', 'supervisor.log'), 'utf8'); } catch { return ''; }
};

test('the local runtime restarts a killed worker and web with back-off, says why, and stop leaves nothing running', async (t) => {
  const service = licenseService();
  const dir = tempDir('supervised-');
  t.teardown(() => stopInstall(dir));
  const { key } = await service.issueLicense();
  const install = await runInstaller(await localInstallArgs(dir, service, key));
  t.is(install.code, 0, install.out);
  const supervisor = pidOf(dir, 'supervisor');
  t.true(isAlive(supervisor), 'a supervisor owns web and worker');

  // kill -9 the worker: it comes back with a new pid, and the log says why.
  const worker = pidOf(dir, 'worker')!;
  process.kill(worker, 'SIGKILL');
  const worker2 = await eventually(() => { const p = pidOf(dir, 'worker'); return p !== worker && isAlive(p) ? p : null; }, 'a new worker');
  t.regex(supervisorLog(dir), new RegExp(`worker \\(pid ${worker}\\) was killed by SIGKILL after [\\d.]+ s; restart 1 in 1 s`));
  t.regex(fs.readFileSync(path.join(dir, 'logs', 'worker.log'), 'utf8'), /was killed by SIGKILL/, 'the worker\'s own log says it too');
  // Dying again at once doubles the delay.
  process.kill(worker2, 'SIGKILL');
  await eventually(() => { const p = pidOf(dir, 'worker'); return p !== worker2 && isAlive(p) ? p : null; }, 'a third worker');
  t.regex(supervisorLog(dir), new RegExp(`worker \\(pid ${worker2}\\) was killed by SIGKILL after [\\d.]+ s; restart 2 in 2 s`));

  // kill -9 the web: it comes back and serves.
  const web = pidOf(dir, 'web')!;
  process.kill(web, 'SIGKILL');
  await eventually(async () => pidOf(dir, 'web') !== web && (await ready(dir)), 'the web to serve again');
  t.is((await login(appUrlOf(dir))).status, 200, 'the restarted web serves logins');
  t.is(pidOf(dir, 'supervisor'), supervisor, 'the same supervisor did it');
  const status = await runInstaller(['status', '--dir', dir, '--json']);
  t.is(status.code, 0, status.out);
  t.like(JSON.parse(status.out).services.find((s: any) => s.name === 'supervisor'), { running: true });

  // A supervisor killed outright leaves its children; start replaces them with one supervised set.
  process.kill(supervisor!, 'SIGKILL');
  await eventually(() => !isAlive(supervisor), 'the supervisor to die');
  const orphans = [pidOf(dir, 'web'), pidOf(dir, 'worker')];
  const start = await runInstaller(['start', '--dir', dir]);
  t.is(start.code, 0, start.out);
  for (const p of orphans) t.false(isAlive(p), 'the orphans were stopped');
  t.true(isAlive(pidOf(dir, 'supervisor')));

  const running = ['supervisor', 'web', 'worker', 'redis'].map((n) => pidOf(dir, n));
  const stop = await runInstaller(['stop', '--dir', dir]);
  t.is(stop.code, 0, stop.out);
  for (const p of running) t.false(isAlive(p), `pid ${p} is gone after stop`);
  t.deepEqual(fs.readdirSync(path.join(dir, 'run')).filter((f) => f.endsWith('.pid')), [], 'no pid file is left');
  t.false(fs.existsSync(path.join(dir, 'pg', 'postmaster.pid')), 'PostgreSQL stopped');
  // Nothing comes back after a stop: the supervisor was stopped first.
  await new Promise((r) => setTimeout(r, 1500));
  t.false(await ready(dir));
});
