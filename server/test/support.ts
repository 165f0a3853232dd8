import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io as ioClient, type Socket } from 'socket.io-client';
import { createLogger } from '#kit/logger.js';
import { generateSigningKey } from '../../license-service/src/lib/keyring.js';
import { call, type HttpResult } from '../../license-service/test/support.js';
import { clockEnv } from '../../installer/src/runtime/clockEnv.js';
import { freePort } from '../../scripts/services/freePort.js';
import { startRedis, type RunningRedis } from '../../scripts/services/redis.js';
import { cloneTestDatabase } from '../../scripts/services/testDatabases.js';
import { loadConfig } from '../src/config.js';
import { createFirstAdmin, createUser } from '../src/commands/users.js';
import { trustedKeysFromPems, type TrustedKeys } from '../src/license/trust.js';
import { startWeb, type WebProcess } from '../src/processes/web.js';
import { startWorker, type WorkerProcess } from '../src/processes/worker.js';
import type { Role } from '../src/repositories/users.js';
import type { Subscriber } from '../src/events/domainEvents.js';

export { call };
const tmpRoot = () => process.env.ATENDO_TEST_TMP ?? os.tmpdir();

/** The vendor's license service as a real process on loopback, which tests can stop and start again. */
export interface LicenseServiceProcess {
  url: string;
  keysDir: string;
  trustedKeys: TrustedKeys;
  admin(method: string, route: string, body?: unknown): Promise<HttpResult>;
  issueLicense(opts?: { limits?: Partial<Limits>; features?: Partial<Features>; validDays?: number }): Promise<{ key: string; licenseId: string; planId: string }>;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Freezes the process (SIGSTOP): requests to it hang until `resume()`. */
  pause(): void;
  resume(): void;
  close(): Promise<void>;
}

type Limits = { users: number; connections: number; messagesPerMonth: number; campaignsPerMonth: number };
type Features = { instagram: boolean; chatbot: boolean; campaigns: boolean; api: boolean };

export async function startLicenseServiceProcess(env: Record<string, string> = {}): Promise<LicenseServiceProcess> {
  const database = await cloneTestDatabase('licenseService');
  const redis = await startRedis();
  const keysDir = fs.mkdtempSync(path.join(tmpRoot(), 'ls-keys-'));
  const key = generateSigningKey(keysDir);
  const adminToken = crypto.randomBytes(24).toString('base64url');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  let output = '';

  const start = async () => {
    child = spawn(process.execPath, ['--import', 'tsx', path.resolve('license-service/src/entry/web.ts')], {
      env: {
        PATH: process.env.PATH ?? '', ...clockEnv(), NODE_ENV: 'test', HOST: '127.0.0.1', PORT: String(port),
        DATABASE_URL: database.url, REDIS_URL: redis.url, SIGNING_KEYS_DIR: keysDir, LOG_LEVEL: 'warn',
        ADMIN_TOKENS: `tester:${crypto.createHash('sha256').update(adminToken).digest('hex')}`, ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => { output = (output + d).slice(-4000); });
    child.stderr!.on('data', (d) => { output = (output + d).slice(-4000); });
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`license service exited: ${output}`);
      const ok = await fetch(`${url}/ready`).then((r) => r.ok, () => false);
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`license service did not get ready: ${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const stop = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill('SIGTERM');
    await exited;
  };
  await start();

  const admin = (method: string, route: string, body?: unknown) =>
    call(method, `${url}/admin/v1${route}`, { body, headers: { authorization: `Bearer ${adminToken}` } });
  return {
    url,
    keysDir,
    trustedKeys: trustedKeysFromPems([key.publicKeyPem]),
    admin,
    issueLicense: async (opts = {}) => {
      const plan = await admin('POST', '/plans', {
        code: `p-${crypto.randomBytes(4).toString('hex')}`, name: 'Profissional',
        limits: { users: 5, connections: 2, messagesPerMonth: 1000, campaignsPerMonth: 4, ...opts.limits },
        features: { instagram: true, chatbot: true, campaigns: true, api: true, ...opts.features },
      });
      const client = await admin('POST', '/clients', { name: 'Padaria Pão Quente', email: 'dono@padaria.com.br' });
      const lic = await admin('POST', '/licenses', { clientId: client.body.id, planId: plan.body.id, validDays: opts.validDays ?? 365 });
      if (lic.status !== 201) throw new Error(`license: ${lic.text}`);
      return { key: lic.body.key, licenseId: lic.body.id, planId: plan.body.id };
    },
    stop,
    start,
    pause: () => { (child as ChildProcess | null)?.kill('SIGSTOP'); },
    resume: () => { (child as ChildProcess | null)?.kill('SIGCONT'); },
    close: async () => {
      (child as ChildProcess | null)?.kill('SIGCONT');
      await stop();
      await redis.stop();
      await database.drop();
      fs.rmSync(keysDir, { recursive: true, force: true });
    },
  };
}

export interface TestClock {
  now(): Date;
  advance(ms: number): void;
}

export interface TestAppliance {
  url: string;
  web: WebProcess;
  deps: WebProcess['deps'];
  clock: TestClock;
  env: Record<string, string>;
  dataDir: string;
  redis: RunningRedis;
  api(method: string, route: string, opts?: { body?: unknown; cookie?: string; headers?: Record<string, string>; localAddress?: string }): Promise<HttpResult>;
  login(email: string, password: string): Promise<{ cookie: string; res: HttpResult }>;
  /** Makes a user directly through the command (bypasses HTTP, not the rules). */
  addUser(u: { email: string; role: Role; teamIds?: string[]; password?: string; name?: string }): Promise<string>;
  socket(cookie: string): Promise<Socket>;
  /** Starts a worker process's work (queues, sweeper) in this test process; stops with close(). */
  startWorker(o?: { subscribers?: Subscriber[] }): Promise<WorkerProcess>;
  close(): Promise<void>;
}

/** The key provider secrets are sealed with in tests (ENCRYPTION_KEY). */
export const TEST_ENCRYPTION_KEY = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';

export const PASSWORD = 'correct horse battery';

/** The appliance's web process, in this test process, against its own database, Redis and data dir. */
export async function startTestAppliance(opts: { licenseUrl: string; trustedKeys: TrustedKeys; env?: Record<string, string>; graphUrl?: string }): Promise<TestAppliance> {
  const database = await cloneTestDatabase('server');
  const redis = await startRedis();
  const dataDir = fs.mkdtempSync(path.join(tmpRoot(), 'appliance-'));
  let offset = 0;
  const clock: TestClock = { now: () => new Date(Date.now() + offset), advance: (ms) => { offset += ms; } };
  const env = {
    NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0', PUBLIC_URL: 'http://atendo.test',
    DATABASE_URL: database.url, REDIS_URL: redis.url, DATA_DIR: dataDir, LICENSE_SERVICE_URL: opts.licenseUrl,
    LOG_LEVEL: 'silent', ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, ...(opts.graphUrl ? { META_GRAPH_URL: opts.graphUrl } : {}), ...opts.env,
  };
  const web = await startWeb(loadConfig(env), { trustedKeys: opts.trustedKeys, now: clock.now, log: createLogger('silent', 'test'), heartbeats: false });
  const sockets: Socket[] = [];
  const api: TestAppliance['api'] = (method, route, o = {}) =>
    call(method, `${web.url}${route}`, { body: o.body, localAddress: o.localAddress, headers: { ...(o.cookie ? { cookie: o.cookie } : {}), ...o.headers } });
  let admins = 0;
  const workers: WorkerProcess[] = [];
  return {
    url: web.url,
    web,
    deps: web.deps,
    clock,
    env,
    dataDir,
    redis,
    api,
    login: async (email, password) => {
      const res = await api('POST', '/api/auth/login', { body: { email, password } });
      const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? [])[0] ?? '';
      return { cookie: setCookie.split(';')[0]!, res };
    },
    addUser: async (u) => {
      const input = { email: u.email, name: u.name ?? u.email.split('@')[0]!, password: u.password ?? PASSWORD };
      if (u.role === 'admin' && admins++ === 0) return (await createFirstAdmin(web.deps, input)).userId;
      const actor = { id: '00000000-0000-4000-8000-000000000000', role: 'admin' as const, teamIds: [] };
      return (await createUser(web.deps, actor, { ...input, role: u.role, teamIds: u.teamIds ?? [] }, '127.0.0.1')).id;
    },
    socket: (cookie) =>
      new Promise((resolve, reject) => {
        const s = ioClient(web.url, { transports: ['websocket'], extraHeaders: { cookie }, reconnection: false, forceNew: true });
        sockets.push(s);
        s.once('hello', () => resolve(s));
        s.once('connect_error', (err) => reject(err));
      }),
    startWorker: async (o = {}) => {
      const w = await startWorker(loadConfig(env), { trustedKeys: opts.trustedKeys, now: clock.now, log: createLogger('silent', 'test'), heartbeats: false, ...o });
      workers.push(w);
      return w;
    },
    close: async () => {
      for (const s of sockets) s.close();
      for (const w of workers) await w.stop();
      await web.stop();
      await redis.stop();
      await database.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs the appliance CLI as a real process (the dev entry, trusting the test service's key). */
export function runApplianceCli(appliance: TestAppliance, keysDir: string, args: string[], input?: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', path.resolve('server/src/entry/dev.ts'), 'cli', ...args], {
    env: { PATH: process.env.PATH ?? '', ...clockEnv(), ...appliance.env, ATENDO_DEV_TRUSTED_KEYS_DIR: keysDir },
    input,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
