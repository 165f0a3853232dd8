import fs from 'node:fs';
import path from 'node:path';
import { checkLicenseKey, licenseKeyProblem } from '#protocol/licenseKey.js';
import { DEFAULT_LICENSE_SERVICE_URL, OWN_RELEASE_DIR, currentRelease, releaseVersion, type Ctx } from '../context.js';
import { runSteps, type Step } from '../engine.js';
import { SECRET_NAMES, envPath, newSecret, writeEnv, type EnvValues } from '../envFile.js';
import { InstallerError } from '../errors.js';
import { runPreflight, type CheckResult } from '../preflight/checks.js';
import { failures, formatChecks } from '../preflight/report.js';
import { writeRendered } from '../renderedFiles.js';
import { newState, readState, writeState } from '../state.js';
import { applianceJson, licenseStatus } from './applianceCli.js';
import { commandFor } from '../invocation.js';

interface Inputs {
  licenseKey: string | null;
  admin: { email: string; name: string; password: string } | null;
}

/** Whether a step already finished in an earlier run (read fresh: the engine writes as it goes). */
const doneBefore = (ctx: Ctx, id: string) => Boolean(readState(ctx.dir)?.done[id]);

/**
 * install: from nothing (or from wherever an earlier run stopped) to a licensed appliance with its first
 * admin. Inputs are gathered and checked before any step runs (a typo'd key fails offline, before any
 * network call). On a finished install this is a repair: every step checks the real system and only
 * what is missing is done again.
 */
export async function install(ctx: Ctx): Promise<number> {
  const repair = Boolean(ctx.state?.completedAt);
  if (repair) ctx.ui.info(`Atendo ${ctx.state!.version} is already installed in ${ctx.dir}: checking it and repairing what is missing.\nTo move to a new version: ${commandFor(ctx.dir, 'upgrade')}`);
  else if (ctx.state) ctx.ui.info(`Resuming the install in ${ctx.dir} (finished before: ${Object.keys(ctx.state.done).join(', ') || 'nothing'}).`);
  const inputs = await gatherInputs(ctx);
  const steps = installSteps(ctx, inputs);
  const state = await runSteps({ dir: ctx.dir, ui: ctx.ui, dryRun: ctx.opts.dryRun, initialState: () => newState(ctx.runtime.kind) }, steps, ctx);
  if (ctx.opts.dryRun) {
    ctx.ui.info('\nDry run: nothing was changed.');
    return 0;
  }
  state.completedAt ??= new Date().toISOString();
  state.releaseDir = ctx.runtime.kind === 'local' ? currentRelease(ctx) : null;
  state.version = ctx.runtime.kind === 'local' ? releaseVersion(state.releaseDir!) : ctx.env.ATENDO_VERSION!;
  writeState(ctx.dir, state);
  const url = ctx.env.PUBLIC_URL;
  ctx.ui.info(`
Atendo ${state.version} is running.

  Dashboard   ${url}
  Admin       ${inputs.admin?.email ?? '(created earlier)'}
  Files       ${ctx.dir}  (settings and secrets in .env, 0600)

Next steps:
${nextSteps(ctx.dir)}`);
  return 0;
}

/** What to run next, as it works where this installer runs (a checkout or an installed command), with --dir. */
function nextSteps(dir: string): string {
  const rows = [['status', 'what runs and the license state'], ['backup', 'a backup now (schedule it daily with cron)'], ['doctor', 'when something looks wrong'], ['help', 'every command; <command> --help for its options']];
  const lines = rows.map(([c, what]) => [commandFor(dir, c!), what!] as const);
  const width = Math.max(...lines.map(([l]) => l.length)) + 3;
  return lines.map(([l, what]) => `  ${l.padEnd(width)}${what}`).join('\n');
}

async function gatherInputs(ctx: Ctx): Promise<Inputs> {
  const { opts, prompter } = ctx;
  let licenseKey: string | null = null;
  if (!doneBefore(ctx, 'activate')) {
    const given = opts.licenseKey ?? await prompter.ask('License key (ATD-…)', '--license-key');
    const checked = checkLicenseKey(given);
    if (!checked.ok) {
      throw new InstallerError('invalid_license_key', licenseKeyProblem(checked.reason),
        'copy the key again from the e-mail you received (letters O/I/L are read as 0/1/1)', { exitCode: 2 });
    }
    licenseKey = checked.normalized;
    ctx.masker.add(given, licenseKey);
  }
  let admin: Inputs['admin'] = null;
  if (!doneBefore(ctx, 'admin')) {
    const email = (opts.adminEmail ?? await prompter.ask('Admin e-mail', '--admin-email')).trim().toLowerCase();
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw new InstallerError('invalid_email', `"${email}" is not an e-mail address`, 'pass --admin-email with a valid address', { exitCode: 2 });
    const name = opts.adminName ?? (opts.yes ? 'Administrador' : await prompter.ask('Admin name', '--admin-name', 'Administrador'));
    let password: string;
    if (opts.adminPasswordFile) {
      try {
        password = fs.readFileSync(opts.adminPasswordFile, 'utf8').replace(/\r?\n$/, '');
      } catch (err) {
        throw new InstallerError('password_file_unreadable', `cannot read ${opts.adminPasswordFile}: ${(err as Error).message}`, 'check the path of --admin-password-file', { exitCode: 2 });
      }
    } else {
      password = await prompter.secret('Admin password (10+ characters)', '--admin-password-file');
      if ((await prompter.secret('Again, to be sure', '--admin-password-file')) !== password) {
        throw new InstallerError('password_mismatch', 'the two passwords differ', 'run again and type the same password twice', { exitCode: 2 });
      }
    }
    if (password.length < 10) throw new InstallerError('weak_password', 'the admin password needs at least 10 characters', 'choose a longer password', { exitCode: 2 });
    ctx.masker.add(password);
    admin = { email, name, password };
  }
  return { licenseKey, admin };
}

function installSteps(ctx: Ctx, inputs: Inputs): Step<Ctx>[] {
  const { runtime } = ctx;
  const serviceUrl = ctx.opts.licenseServiceUrl ?? ctx.env.LICENSE_SERVICE_URL ?? DEFAULT_LICENSE_SERVICE_URL;
  const appPort = ctx.opts.port ?? Number(ctx.env.APP_PORT ?? 3000);
  // docker: the host ports Caddy publishes (80/443 unless the server already has a proxy in front).
  const httpPort = ctx.opts.httpPort ?? Number(ctx.env.ATENDO_HTTP_PORT ?? 80);
  const httpsPort = ctx.opts.httpsPort ?? Number(ctx.env.ATENDO_HTTPS_PORT ?? 443);
  let publicIp: string | null = null;
  let createdEnv = false;
  let createdData = false;
  const release = () => currentRelease(ctx);

  const preflight: Step<Ctx> = {
    id: 'preflight',
    title: 'Preflight checks',
    check: async () => doneBefore(ctx, 'preflight'),
    plan: async () => [`checks: root, OS, CPU/RAM/disk, ports ${runtime.kind === 'docker' ? `${httpPort} and ${httpsPort}` : appPort}, ${runtime.kind === 'docker' ? 'Docker and compose' : 'redis-server and pg_dump'}, ${serviceUrl}, public IP${ctx.opts.domain ? `, DNS and port 80 of ${ctx.opts.domain}` : ''}`],
    run: async () => {
      const results = await runPreflight({
        runtime: runtime.kind, licenseServiceUrl: serviceUrl, domain: ctx.opts.domain, dir: ctx.dir,
        ports: runtime.kind === 'docker' ? [httpPort, httpsPort] : [appPort],
      });
      ctx.log.write(`preflight:\n${JSON.stringify(results)}`);
      if (ctx.opts.json) process.stdout.write(`${ctx.masker.mask(JSON.stringify({ preflight: results }, null, 2))}\n`);
      publicIp = results.find((r: CheckResult) => r.id === 'public_ip' && r.status === 'ok')?.detail ?? null;
      const failed = failures(results);
      if (failed.length) {
        ctx.ui.info(formatChecks(results));
        throw new InstallerError('preflight_failed', `${failed.length} check(s) failed: ${failed.map((f) => `${f.title}: ${f.detail}`).join('; ')}`,
          failed.map((f) => f.fix).filter(Boolean).join('; ') || 'fix the items above and run again');
      }
      for (const w of results.filter((r) => r.status === 'warn')) ctx.ui.warn(`${w.title}: ${w.detail}${w.fix ? ` (${w.fix})` : ''}`);
    },
  };

  const secrets: Step<Ctx> = {
    id: 'secrets',
    title: 'Settings and secrets',
    check: async () => SECRET_NAMES.every((n) => ctx.env[n]) && Boolean(ctx.env.PUBLIC_URL) && fs.existsSync(envPath(ctx.dir)),
    plan: async () => [`writes ${envPath(ctx.dir)} (0600): ${[...SECRET_NAMES].join(', ')} (generated), LICENSE_SERVICE_URL, PUBLIC_URL, APP_TIMEZONE…`],
    run: async () => {
      createdEnv = !fs.existsSync(envPath(ctx.dir));
      const env: EnvValues = { ...ctx.env };
      // Never overwrite: a value that exists stays (rotate-secrets is the only way to change one).
      for (const n of SECRET_NAMES) env[n] ??= newSecret(n);
      env.LICENSE_SERVICE_URL ??= serviceUrl;
      env.APP_TIMEZONE ??= ctx.opts.timezone ?? 'America/Sao_Paulo';
      if (runtime.kind === 'local') {
        env.APP_PORT ??= String(appPort);
        const keys = ctx.opts.devTrustedKeys ?? env.ATENDO_DEV_TRUSTED_KEYS_DIR;
        if (!keys) throw new InstallerError('input_needed', 'the local runtime needs the license service\'s public keys to trust', 'pass --dev-trusted-keys DIR (a directory of *.public.pem)', { exitCode: 2 });
        env.ATENDO_DEV_TRUSTED_KEYS_DIR ??= keys;
        Object.assign(env, await runtime.defaults(env));
      } else {
        env.ATENDO_VERSION ??= ctx.opts.version ?? releaseVersion(OWN_RELEASE_DIR);
        env.ATENDO_DOMAIN ??= ctx.opts.domain ?? '';
        // Only what differs from the compose file's defaults is written (ghcr.io/atendo/appliance, atendo, 80/443).
        if (ctx.opts.image) env.ATENDO_IMAGE ??= ctx.opts.image;
        if (ctx.opts.projectName) env.ATENDO_PROJECT ??= ctx.opts.projectName;
        if (httpPort !== 80) env.ATENDO_HTTP_PORT ??= String(httpPort);
        if (httpsPort !== 443) env.ATENDO_HTTPS_PORT ??= String(httpsPort);
        env.PUBLIC_URL ??= ctx.opts.domain
          ? `https://${ctx.opts.domain}${httpsPort !== 443 ? `:${httpsPort}` : ''}`
          : `http://${publicIp ?? 'localhost'}${httpPort !== 80 ? `:${httpPort}` : ''}`;
        Object.assign(env, await runtime.defaults(env));
      }
      if (ctx.opts.graphUrl) env.META_GRAPH_URL ??= ctx.opts.graphUrl;
      writeEnv(ctx.dir, env);
      ctx.env = env;
      ctx.masker.add(...SECRET_NAMES.map((n) => env[n]));
    },
    undo: async () => { if (createdEnv) fs.rmSync(envPath(ctx.dir), { force: true }); },
  };

  const render: Step<Ctx> = {
    id: 'render',
    title: runtime.kind === 'docker' ? 'Compose stack files' : 'Local runtime files',
    check: async () => runtime.render(ctx.env).every((f) => readOr(path.join(ctx.dir, f.path)) === f.content),
    plan: async () => {
      const env = ctx.env.POSTGRES_PASSWORD ? ctx.env : { ...ctx.env, ...Object.fromEntries(SECRET_NAMES.map((n) => [n, '<generated>'])), APP_PORT: String(appPort), PG_PORT: '<free port>', REDIS_PORT: '<free port>', PUBLIC_URL: ctx.opts.domain ? `https://${ctx.opts.domain}` : '<public ip>', ATENDO_DOMAIN: ctx.opts.domain ?? '', ATENDO_VERSION: ctx.opts.version ?? releaseVersion(OWN_RELEASE_DIR) };
      return runtime.render(env).flatMap((f) => [`writes ${path.join(ctx.dir, f.path)} (${f.mode.toString(8)}):`, ...ctx.masker.mask(f.content).trimEnd().split('\n').map((l) => `  | ${l}`)]);
    },
    run: async () => writeRendered(runtime, ctx.env),
    undo: async () => { for (const f of runtime.render(ctx.env)) fs.rmSync(path.join(ctx.dir, f.path), { force: true }); },
  };

  const data: Step<Ctx> = {
    id: 'data',
    title: 'Start PostgreSQL and Redis',
    check: async () => runtime.dataRunning(ctx.env),
    plan: async () => [runtime.kind === 'docker' ? 'docker compose up -d postgres redis' : `PostgreSQL (embedded) in ${path.join(ctx.dir, 'pg')}, redis-server with ${path.join(ctx.dir, 'redis', 'redis.conf')}`],
    run: async () => {
      createdData = !(doneBefore(ctx, 'data'));
      await runtime.startData(ctx.env);
    },
    // Only what this very run created is removed; an existing database is never touched.
    undo: async () => { if (createdData) await runtime.remove(true); else await runtime.stopAll(); },
  };

  const migrate: Step<Ctx> = {
    id: 'migrate',
    title: 'Database migrations',
    plan: async () => ['appliance: migrate'],
    run: async () => {
      const res = await runtime.appliance(ctx.env, release(), ['migrate']);
      if (res.code !== 0) throw new InstallerError('migration_failed', `migrations failed: ${(res.stderr || res.stdout).trim().split('\n').slice(-3).join(' ')}`, 'see the log; run again once fixed');
    },
  };

  const activate: Step<Ctx> = {
    id: 'activate',
    title: 'License activation',
    check: async () => (await licenseStatus(ctx, release()))?.reason !== 'not_activated',
    plan: async () => [`appliance: activate with the license key at ${serviceUrl}`],
    run: async () => {
      if (!inputs.licenseKey) throw new InstallerError('input_needed', 'the license key is needed to activate', 'pass --license-key');
      const res = await applianceJson(ctx, release(), ['activate', '--license-key-stdin', '--json'], inputs.licenseKey);
      if (!res.ok) {
        const definitive = !['license_service_unreachable', 'too_many_attempts', 'clock_skew'].includes(res.code);
        throw new InstallerError(res.code, `the license service refused the key: ${res.code}: ${res.message}`,
          definitive ? 'contact your vendor about this license; nothing was left installed' : 'check this server\'s outbound network and run again to resume',
          { undo: definitive });
      }
      const a = res.body;
      ctx.ui.info(`  Licensed to ${a.client.name} — plan ${a.plan.name}, valid until ${String(a.licenseExpiresAt).slice(0, 10)}, bound to ${a.boundIp}`);
    },
  };

  const app: Step<Ctx> = {
    id: 'app',
    title: runtime.kind === 'docker' ? 'Start server, workers and Caddy' : 'Start server and worker',
    check: async () => (await runtime.appRunning()) && (await runtime.ready(ctx.env)),
    plan: async () => [runtime.kind === 'docker' ? 'docker compose up -d; wait for /ready' : `server and worker from ${release()}; wait for ${runtime.appUrl({ ...ctx.env, APP_PORT: String(appPort) })}/ready`],
    run: async () => runtime.startApp(ctx.env, release()),
  };

  const admin: Step<Ctx> = {
    id: 'admin',
    title: 'First admin',
    check: async () => doneBefore(ctx, 'admin'),
    plan: async () => [`appliance: create-admin ${ctx.opts.adminEmail ?? '<asked>'} (password through stdin, never logged)`],
    run: async () => {
      if (!inputs.admin) throw new InstallerError('input_needed', 'the first admin\'s details are needed', 'pass --admin-email and --admin-password-file');
      const res = await runtime.appliance(ctx.env, release(), ['create-admin', '--email', inputs.admin.email, '--name', inputs.admin.name, '--password-stdin'], inputs.admin.password);
      if (res.code !== 0) throw new InstallerError('admin_failed', `creating the admin failed: ${(res.stderr || res.stdout).trim()}`, 'fix the input and run again');
    },
  };

  return [preflight, secrets, render, data, migrate, activate, app, admin];
}

function readOr(file: string): string | null {
  try { return fs.readFileSync(file, 'utf8'); } catch { return null; }
}
