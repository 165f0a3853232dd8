import type { TestFn } from 'ava';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../src/freePort.js';
import { call, startLicenseServiceProcess, type LicenseServiceProcess } from '../../server/test/support.js';

export { call, freePort, startLicenseServiceProcess };

/** One real license service for a test file, started before its tests and closed after them. */
export function useLicenseService(test: TestFn): () => LicenseServiceProcess {
  let service: LicenseServiceProcess | undefined;
  test.before(async () => { service = await startLicenseServiceProcess(); });
  test.after.always(async () => { await service?.close(); });
  return () => service!;
}

export const ADMIN_EMAIL = 'dona@padaria.com.br';
export const ADMIN_PASSWORD = 'pão-quente-todo-dia';

export interface InstallerRun {
  code: number | null;
  out: string;
}

const tmpRoot = () => process.env.ATENDO_TEST_TMP ?? os.tmpdir();

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(tmpRoot(), prefix));
}

/** Runs the installer as the admin would: a real process, its own stdio, no terminal. */
export function runInstaller(args: string[], opts: { env?: Record<string, string>; cwd?: string; onOutput?: (out: string) => void } = {}): Promise<InstallerRun> & { kill: (sig: NodeJS.Signals) => void } {
  // tsx by absolute URL, so a run from another working directory (a sandbox) still loads it.
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), path.resolve('installer/main.ts'), ...args], {
    env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'], cwd: opts.cwd,
    // Its own session: no controlling terminal, so /dev/tty cannot be opened (as under cron or CI).
    detached: true,
  });
  let out = '';
  const onData = (d: Buffer) => { out += d; opts.onOutput?.(out); };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const done = new Promise<InstallerRun>((resolve) => child.once('exit', (code) => resolve({ code, out })));
  return Object.assign(done, { kill: (sig: NodeJS.Signals) => { child.kill(sig); } });
}

/** Flags for a non-interactive local install in `dir` against `serviceUrl`. */
export async function localInstallArgs(dir: string, service: { url: string; keysDir: string }, key: string, port?: number): Promise<string[]> {
  const passwordFile = path.join(path.dirname(dir), `${path.basename(dir)}-admin-password`);
  fs.writeFileSync(passwordFile, `${ADMIN_PASSWORD}\n`, { mode: 0o600 });
  return [
    'install', '--runtime', 'local', '--dir', dir, '--yes', '--license-key', key, '--license-service-url', service.url,
    '--dev-trusted-keys', service.keysDir, '--admin-email', ADMIN_EMAIL, '--admin-password-file', passwordFile,
    '--port', String(port ?? await freePort()),
  ];
}

export function readEnvFile(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readFileSync(path.join(dir, '.env'), 'utf8').split('\n').filter((l) => /^[A-Z]/.test(l)).map((l) => {
    const i = l.indexOf('=');
    return [l.slice(0, i), l.slice(i + 1)];
  }));
}

export async function login(appUrl: string, email = ADMIN_EMAIL, password = ADMIN_PASSWORD) {
  return call('POST', `${appUrl}/api/auth/login`, { body: { email, password } });
}

export function appUrlOf(dir: string): string {
  return `http://127.0.0.1:${readEnvFile(dir).APP_PORT}`;
}

/** Stops whatever the install in `dir` runs (tests clean up even when they fail). */
export async function stopInstall(dir: string): Promise<void> {
  if (fs.existsSync(path.join(dir, 'installer-state.json'))) await runInstaller(['stop', '--dir', dir]);
}
