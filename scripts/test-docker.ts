/**
 * `npm run test:docker` (issue #14 §1): the Docker side against a real engine, kept out of `npm test`.
 *
 * 1. scripts/ci/docker-engine.sh — an engine and the compose v2 plugin (installs them as root on Debian).
 * 2. scripts/ci/standin-images.sh — stand-ins for the official base images, tagged as compose/ names them.
 * 3. scripts/ci/product-images.sh — the real compose/appliance.Dockerfile and license-service.Dockerfile,
 *    unchanged, `npm ci` inside included.
 * 4. The appliance stack exactly as the installer renders it (renderStack, IP mode), run under the project
 *    name atendo-ci-stack-<pid> with one override (Caddy on a free loopback port instead of the host's
 *    80/443): PostgreSQL and Redis healthy, migrations through the image's CLI, web, worker and Caddy
 *    healthy, /ready answering through Caddy, /metrics refused by Caddy. Everything it made is removed.
 *
 * 5. The installer's `install --runtime docker` end to end from this checkout (scripts/ci/installEndToEnd.ts):
 *    the vendor in a network namespace of its own, the install, a webhook and a reply through Caddy, the
 *    install again (nothing changes), uninstall --purge. `-- --only install` runs it without the stack test.
 *
 * Where Docker cannot be had it prints one SKIPPED line and exits 0. It closes with "N passed, N failed".
 * Not yet: upgrade/rollback, backup/restore, rotate-secrets and the fault checks against the engine (§2).
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { installEndToEnd } from './ci/installEndToEnd.js';
import { freePort } from './services/freePort.js';
import { renderStack } from '../installer/src/stack/renderStack.js';
import { generateSigningKey } from '../license-service/src/lib/keyring.js';

const SKIP = 3;
const root = path.resolve(import.meta.dirname, '..');
const version: string = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;
const IMAGE_PREFIX = 'atendo-ci';
const CACHE = process.env.ATENDO_CI_CACHE ?? '/var/cache/atendo-ci';
/**
 * The lease keys a CI build of the appliance trusts in place of the vendor's (the repository carries
 * none, and a production entry with none refuses to start). Kept in the cache so the image build caches;
 * a license service started by the end-to-end signs with the private half.
 */
const TEST_VENDOR_KEYS = path.join(CACHE, 'test-vendor-keys');
const timings: string[] = [];
let passed = 0;
let failed = 0;
/** Removes the stack this run made; also on Ctrl-C or SIGTERM. */
let cleanup: (() => Promise<unknown>) | null = null;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => { void (cleanup?.() ?? Promise.resolve()).finally(() => process.exit(sig === 'SIGINT' ? 130 : 143)); });
}

function run(cmd: string, args: string[], opts: { quiet?: boolean; env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...opts.env }, stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let out = '';
    const onData = (d: Buffer) => { out += d; if (!opts.quiet) process.stdout.write(d); };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    if (opts.input !== undefined) child.stdin!.end(opts.input);
    child.once('error', (err) => resolve({ code: 127, out: String(err) }));
    child.once('exit', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), out }));
  });
}

async function timed<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    timings.push(`${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
}

function check(name: string, ok: boolean, detail = ''): boolean {
  if (ok) passed++; else failed++;
  console.log(`${ok ? '✔' : '✘'} ${name}${detail ? ` — ${detail}` : ''}`);
  return ok;
}

/** A script step: exit 3 means Docker cannot be had here (skip, visibly); any other failure fails the run. */
async function script(name: string, file: string, env?: NodeJS.ProcessEnv): Promise<'ok' | 'skip' | 'fail'> {
  const res = await timed(name, () => run('bash', [file], { env }));
  if (res.code === SKIP) return 'skip';
  return check(name, res.code === 0, res.code === 0 ? '' : `exit ${res.code}`) ? 'ok' : 'fail';
}

async function waitFor(fn: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await fn().catch(() => false)) return true;
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

async function stackTest(): Promise<void> {
  const project = `atendo-ci-stack-${process.pid}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atendo-ci-stack-'));
  const port = await freePort();
  for (const f of renderStack({ domain: null, version, image: `${IMAGE_PREFIX}/appliance` }).files) {
    fs.writeFileSync(path.join(dir, f.path), f.content, { mode: f.mode });
  }
  // The one change for a shared CI machine: Caddy on a free loopback port, not the host's 80/443.
  fs.writeFileSync(path.join(dir, 'compose.ci.yaml'), `services:\n  caddy:\n    ports: !override\n      - "127.0.0.1:${port}:80"\n`);
  const hex = (n: number) => crypto.randomBytes(n).toString('hex');
  fs.writeFileSync(path.join(dir, '.env'), [
    `ATENDO_VERSION=${version}`, `PUBLIC_URL=http://127.0.0.1:${port}`, `POSTGRES_PASSWORD=${hex(16)}`, `REDIS_PASSWORD=${hex(16)}`,
    `SESSION_SECRET=${hex(32)}`, `ENCRYPTION_KEY=${hex(32)}`, 'LICENSE_SERVICE_URL=http://127.0.0.1:9', '',
  ].join('\n'), { mode: 0o600 });
  const compose = (args: string[], opts: { quiet?: boolean; input?: string } = {}) => run('docker', [
    'compose', '--project-name', project, '--project-directory', dir, '-f', path.join(dir, 'compose.yaml'),
    '-f', path.join(dir, 'compose.ci.yaml'), '--env-file', path.join(dir, '.env'), ...args,
  ], { quiet: opts.quiet ?? true, input: opts.input });
  const tail = (r: { out: string }) => r.out.trim().split('\n').slice(-6).join(' | ');
  cleanup = () => compose(['down', '--volumes', '--remove-orphans', '--timeout', '10']);
  try {
    const data = await timed('stack: postgres + redis healthy', () => compose(['up', '-d', '--wait', 'postgres', 'redis']));
    if (!check('postgres and redis healthy (the stand-ins\' entrypoints and health commands)', data.code === 0, tail(data))) return;
    const sql = await compose(['exec', '-T', 'postgres', 'psql', '-U', 'atendo', '-d', 'atendo', '-X', '-At', '-c', 'select current_user, current_database()']);
    check('psql as POSTGRES_USER into POSTGRES_DB', sql.code === 0 && sql.out.trim().endsWith('atendo|atendo'), sql.out.trim());
    const ping = await compose(['exec', '-T', 'redis', 'redis-cli', 'ping']);
    check('redis-cli ping with REDISCLI_AUTH', ping.code === 0 && ping.out.includes('PONG'), ping.out.trim());
    const migrate = await timed('stack: migrations', () => compose(['run', '--rm', '-T', '--no-deps', 'server', 'node', 'server/src/entry/cli.js', 'migrate']));
    if (!check('migrations through the appliance image\'s CLI', migrate.code === 0, tail(migrate))) return;
    const up = await timed('stack: web, worker, caddy healthy', () => compose(['up', '-d', '--wait']));
    const ps = await compose(['ps', '--all', '--format', '{{.Service}} {{.State}} {{.Health}}']);
    if (!check('web, worker and Caddy healthy', up.code === 0, `${tail(up)} / ${ps.out.trim().replace(/\n/g, ', ')}`)) {
      console.log((await compose(['logs', '--no-color', '--tail', '30'])).out);
      return;
    }
    const url = `http://127.0.0.1:${port}`;
    let body = '';
    const ready = await waitFor(async () => {
      const res = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(3000) });
      body = await res.text();
      return res.ok;
    }, 30_000);
    check('/ready answers 200 through Caddy', ready && /"database":"ok"/.test(body) && /"redis":"ok"/.test(body), body);
    const metrics = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(3000) }).then((r) => r.status, () => 0);
    check('Caddy refuses /metrics', metrics === 404, `status ${metrics}`);
  } finally {
    await timed('stack: down --volumes', () => compose(['down', '--volumes', '--remove-orphans', '--timeout', '10']));
    cleanup = null;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const t0 = performance.now();
  for (const [name, file] of [['docker engine', 'scripts/ci/docker-engine.sh'], ['stand-in images', 'scripts/ci/standin-images.sh']] as const) {
    const res = await script(name, file);
    if (res === 'skip') {
      console.log(`test:docker: SKIPPED — no Docker engine can be had on this machine (${name}); nothing ran against Docker`);
      return 0;
    }
    if (res === 'fail') return 1;
  }
  if (!fs.existsSync(TEST_VENDOR_KEYS) || !fs.readdirSync(TEST_VENDOR_KEYS).some((f) => f.endsWith('.private.pem'))) {
    fs.mkdirSync(TEST_VENDOR_KEYS, { recursive: true, mode: 0o700 });
    generateSigningKey(TEST_VENDOR_KEYS);
  }
  const images = await script('product images (compose/*.Dockerfile, unchanged)', 'scripts/ci/product-images.sh', { ATENDO_CI_VENDOR_KEYS_DIR: TEST_VENDOR_KEYS });
  if (images !== 'ok') return 1;
  // `npm run test:docker -- --only install` skips the stack test while working on the installer's part.
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null;
  if (only !== 'install') await stackTest();
  await installEndToEnd({ root, run, timed, check, waitFor, onCleanup: (fn) => { cleanup = fn; } }, { version, imagePrefix: IMAGE_PREFIX, vendorKeysDir: TEST_VENDOR_KEYS });
  console.log(`\ntimings (total ${((performance.now() - t0) / 1000).toFixed(1)} s):\n${timings.map((t) => `  ${t}`).join('\n')}`);
  console.log(`\ntest:docker: ${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main();
