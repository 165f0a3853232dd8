/**
 * What the appliance benchmarks (messaging.ts, bots.ts) share: a temp dir, PostgreSQL and Redis with the
 * appliance's schema, the CPU parties of those servers, the appliance's web and worker as separate
 * processes (`node --import tsx server/src/entry/dev.ts web|worker`, optionally under --cpu-prof), a
 * small HTTP client, sampling at planned times, and the summary of the CPU profiles. Everything started
 * registers its teardown (lib/teardown.ts).
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Knex } from 'knex';
import pg from 'pg';
import { createDb } from '#kit/db.js';
import { migrateLatest } from '../../../server/migrations/index.js';
import { createDatabase, startPostgres, type RunningPostgres } from '../../services/postgres.js';
import { freePort } from '../../services/freePort.js';
import { startRedis, type RunningRedis } from '../../services/redis.js';
import { formatProfile, summarizeProfile } from './cpuProfile.js';
import { postmasterPid, redisPid, sampleCpu, treeOf, type CpuSample, type Party } from './procCpu.js';
import { log, onTeardown, sleep, startChild, withTimeout, type Child } from './teardown.js';

export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
export const TSX = ['--import', 'tsx'];

export function request(port: number, method: string, urlPath: string, body?: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve) => {
    const req = http.request({
      host: '127.0.0.1', port, method, path: urlPath, agent: false,
      headers: body ? { 'content-type': 'application/json', 'content-length': String(body.length), ...headers } : headers,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', () => resolve({ status: 0, text: '' }));
    });
    req.setTimeout(10_000, () => req.destroy());
    req.on('error', (err) => resolve({ status: 0, text: err.message }));
    req.end(body);
  });
}

export async function waitHttp(port: number, urlPath: string, child: Child, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exited()) throw new Error(`${child.name} exited during start-up:\n${child.output()}`);
    const r = await request(port, 'GET', urlPath);
    if (r.status === 200) return;
    if (Date.now() > deadline) throw new Error(`${child.name} not ready after ${timeoutMs} ms (${r.status} ${r.text.slice(0, 200)})\n${child.output()}`);
    await sleep(150);
  }
}

/** Samples `fn` at the given epoch times (each on time, independently of the others' duration). */
export function sampleAt<T>(times: number[], fn: () => Promise<T>): Promise<Array<{ at: number; value: T | null }>> {
  return Promise.all(times.map(async (t) => {
    const wait = t - Date.now();
    if (wait > 0) await sleep(wait);
    const at = Date.now();
    try {
      return { at, value: await fn() };
    } catch {
      return { at, value: null };
    }
  }));
}

/** A child's environment: only what it needs from ours, plus `extra`. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const k of ['PATH', 'HOME', 'LANG', 'TZ', 'TMPDIR']) if (process.env[k]) env[k] = process.env[k];
  return { ...env, ...extra };
}

export interface Services {
  root: string;
  pgDataDir: string;
  databaseUrl: string;
  redis: RunningRedis;
  db: Knex;
  /** A small pg pool for counting rows during phases. */
  probe: pg.Pool;
  /** CPU parties: a process tree, or one process. */
  tree(pid: number | null): Party;
  only(pid: number | null): Party;
  postmaster: number | null;
  redisProc: number | null;
}

/** A temp dir, PostgreSQL (migrated database `dbName`) and Redis, all torn down at the end. */
export async function startServices(o: { tmpPrefix: string; dbName: string }): Promise<Services> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), o.tmpPrefix));
  onTeardown('temp dir', async () => { fs.rmSync(root, { recursive: true, force: true }); }, () => fs.rmSync(root, { recursive: true, force: true }));
  log('starting PostgreSQL and Redis…');
  const pgDataDir = path.join(root, 'pg');
  const [pgServer, redis] = await Promise.all([
    withTimeout(startPostgres({ dataDir: pgDataDir }), 120_000, 'PostgreSQL start').then((p: RunningPostgres) => { onTeardown('PostgreSQL', () => p.stop()); return p; }),
    withTimeout(startRedis(), 30_000, 'Redis start').then((r: RunningRedis) => { onTeardown('Redis', () => r.stop(), () => void r.stop()); return r; }),
  ]);
  await createDatabase(pgServer.url(), o.dbName);
  const databaseUrl = pgServer.url(o.dbName);
  const db = createDb(databaseUrl, 4);
  onTeardown('knex', () => db.destroy());
  await withTimeout(migrateLatest(db), 60_000, 'migrations');
  const probe = new pg.Pool({ connectionString: databaseUrl, max: 3 });
  probe.on('error', () => {}); // an idle client told of PostgreSQL's shutdown during teardown
  onTeardown('probe pool', () => probe.end());

  const cpuFirst = sampleCpu();
  const postmaster = cpuFirst ? postmasterPid(cpuFirst, pgDataDir) : null;
  const redisProc = cpuFirst ? redisPid(cpuFirst, redis.port) : null;
  return {
    root, pgDataDir, databaseUrl, redis, db, probe, postmaster, redisProc,
    tree: (pid) => (s: CpuSample) => (pid === null ? [] : treeOf(s, pid)),
    only: (pid) => () => (pid === null ? [] : [pid]),
  };
}

export interface Appliance {
  web: Child;
  worker: Child;
  webPort: number;
  /** Stops both gracefully (writes their CPU profiles), and any worker started since. */
  stop(): Promise<void>;
  /** Another worker process with the same environment (bench:campaigns restarts one after a kill -9). */
  spawnWorker(name: string): Child;
}

/**
 * The appliance's web and worker processes in production mode, trusting the lease keys in `keysDir`
 * (server/src/entry/dev.ts), with the heartbeat out of the way (the license service is not running).
 */
export async function startAppliance(o: {
  services: Services; keysDir: string; encryptionKey: string; sessionSecret: string; cpuProfDir: string | null; env?: Record<string, string>;
}): Promise<Appliance> {
  const webPort = await freePort();
  const dataDir = path.join(o.services.root, 'data');
  fs.mkdirSync(dataDir, { recursive: true });
  const applianceEnv = childEnv({
    NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(webPort), PUBLIC_URL: `http://127.0.0.1:${webPort}`,
    DATABASE_URL: o.services.databaseUrl, REDIS_URL: o.services.redis.url, DATA_DIR: dataDir, LICENSE_SERVICE_URL: 'http://127.0.0.1:9',
    ENCRYPTION_KEY: o.encryptionKey, SESSION_SECRET: o.sessionSecret, LOG_LEVEL: 'warn', HEARTBEAT_TICK_SECONDS: '3600',
    ATENDO_DEV_TRUSTED_KEYS_DIR: o.keysDir, ...o.env,
  });
  const prof = (role: string) => (o.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', path.join(o.cpuProfDir, role)] : []);
  log('starting the appliance: web and worker processes…');
  const web = startChild('appliance web', process.execPath, [...prof('web'), ...TSX, 'server/src/entry/dev.ts', 'web'], { cwd: repoRoot, env: applianceEnv });
  const workers: Child[] = [];
  const spawnWorker = (name: string) => {
    const child = startChild(name, process.execPath, [...prof('worker'), ...TSX, 'server/src/entry/dev.ts', 'worker'], { cwd: repoRoot, env: applianceEnv });
    workers.push(child);
    return child;
  };
  const worker = spawnWorker('appliance worker');
  await waitHttp(webPort, '/ready', web, 90_000);
  return { web, worker, webPort, spawnWorker, stop: async () => { await Promise.all([web.stop(), ...workers.map((w) => w.stop())]); } };
}

/** The busiest thread's profile of each role (the others are tsx's loader), summarised. */
export function readProfiles(cpuProfDir: string | null, roles: string[] = ['web', 'worker']): string[] {
  const profiles: string[] = [];
  if (!cpuProfDir) return profiles;
  for (const role of roles) {
    const dir = path.join(cpuProfDir, role);
    const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(dir, f)) : [];
    const summaries = files.flatMap((f) => {
      try {
        return [summarizeProfile(f, repoRoot, 15)];
      } catch (err) {
        profiles.push(`${role}: could not read ${f}: ${(err as Error).message}`);
        return [];
      }
    }).sort((a, b) => b.busyMs - a.busyMs);
    if (summaries[0]) profiles.push(formatProfile(`${role} (main thread)`, summaries[0]));
  }
  return profiles;
}
