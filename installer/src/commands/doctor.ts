import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_LICENSE_SERVICE_URL, currentRelease, type Ctx } from '../context.js';
import { runPreflight, type CheckResult } from '../preflight/checks.js';
import { formatChecks } from '../preflight/report.js';
import { licenseStatus } from './applianceCli.js';
import { backupsDir } from './backupFiles.js';
import { commandFor } from '../invocation.js';

/** The same checks as the install's preflight, plus the running stack, its license and its backups. */
export async function doctorChecks(ctx: Ctx): Promise<CheckResult[]> {
  const installed = Boolean(ctx.state?.completedAt);
  const ports = ctx.runtime.kind === 'docker' ? [80, 443] : [Number(ctx.env.APP_PORT ?? ctx.opts.port ?? 3000)];
  const running = installed && (await ctx.runtime.appRunning());
  const results = await runPreflight({
    runtime: ctx.runtime.kind, dir: ctx.dir, ports, ownPorts: running ? ports : [],
    licenseServiceUrl: ctx.opts.licenseServiceUrl ?? ctx.env.LICENSE_SERVICE_URL ?? DEFAULT_LICENSE_SERVICE_URL,
    domain: ctx.opts.domain ?? (ctx.env.ATENDO_DOMAIN || undefined),
  });
  if (!installed) return [...results, { id: 'install', title: 'Atendo installed', status: 'fail', detail: `not in ${ctx.dir}`, fix: `run ${commandFor(ctx.dir, 'install')}` }];
  for (const s of await ctx.runtime.services(ctx.env)) {
    results.push(s.running ? { id: `service_${s.name}`, title: `Service ${s.name}`, status: 'ok', detail: s.detail }
      : { id: `service_${s.name}`, title: `Service ${s.name}`, status: 'fail', detail: s.detail, fix: `${commandFor(ctx.dir, 'start')}; then ${commandFor(ctx.dir, `logs --service ${s.name}`)}` });
  }
  const ready = await ctx.runtime.ready(ctx.env);
  results.push(ready ? { id: 'ready', title: 'Appliance ready', status: 'ok', detail: '/ready answers 200' }
    : { id: 'ready', title: 'Appliance ready', status: 'fail', detail: '/ready does not answer', fix: commandFor(ctx.dir, 'logs --service web') });
  const license = ready ? await licenseStatus(ctx, currentRelease(ctx)) : null;
  if (license) {
    const status = license.state === 'active' ? 'ok' : license.state === 'restricted' ? 'fail' : 'warn';
    results.push({ id: 'license', title: 'License', status, detail: `${license.state}${license.reason ? ` (${license.reason})` : ''}`,
      ...(status !== 'ok' ? { fix: 'see the License page of the dashboard; contact your vendor if it was suspended or revoked' } : {}) });
  }
  const backups = fs.existsSync(backupsDir(ctx)) ? fs.readdirSync(backupsDir(ctx)).filter((f) => f.endsWith('.tar.gz')) : [];
  const newest = backups.map((f) => fs.statSync(path.join(backupsDir(ctx), f)).mtimeMs).sort().pop();
  const ageDays = newest ? (Date.now() - newest) / 86_400_000 : null;
  results.push(ageDays !== null && ageDays < 2 ? { id: 'backup', title: 'Latest backup', status: 'ok', detail: `${ageDays.toFixed(1)} days old` }
    : { id: 'backup', title: 'Latest backup', status: 'warn', detail: ageDays === null ? 'none' : `${ageDays.toFixed(0)} days old`, fix: `${commandFor(ctx.dir, 'backup')} (schedule it daily with cron)` });
  return results;
}

/** doctor: one readable report (or --json); exit 1 when anything failed. */
export async function doctor(ctx: Ctx): Promise<number> {
  const results = await doctorChecks(ctx);
  const failed = results.some((r) => r.status === 'fail');
  if (ctx.opts.json) process.stdout.write(`${ctx.masker.mask(JSON.stringify({ ok: !failed, checks: results }, null, 2))}\n`);
  else process.stdout.write(`${ctx.masker.mask(formatChecks(results))}\n\n${failed ? 'Problems found: see the → lines.' : 'All good.'}\n`);
  return failed ? 1 : 0;
}
