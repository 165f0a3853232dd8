import { currentRelease, requireInstalled, type Ctx } from '../context.js';
import { licenseStatus } from './applianceCli.js';

/** status: what runs, whether it is ready, and the license state. */
export async function status(ctx: Ctx): Promise<number> {
  const state = requireInstalled(ctx);
  const services = await ctx.runtime.services(ctx.env);
  const ready = await ctx.runtime.ready(ctx.env);
  const license = ready ? await licenseStatus(ctx, currentRelease(ctx)) : null;
  const report = { version: state.version, runtime: ctx.runtime.kind, url: ctx.env.PUBLIC_URL, ready, services, license };
  if (ctx.opts.json) {
    process.stdout.write(`${ctx.masker.mask(JSON.stringify(report, null, 2))}\n`);
  } else {
    ctx.ui.info(`Atendo ${state.version} (${ctx.runtime.kind}) — ${ready ? 'ready' : 'NOT ready'} — ${ctx.env.PUBLIC_URL}`);
    for (const s of services) ctx.ui.info(`  ${s.running ? '✓' : '✗'} ${s.name.padEnd(9)} ${s.detail}`);
    if (license) ctx.ui.info(`  license: ${license.state}${license.reason ? ` (${license.reason})` : ''}`);
  }
  return ready && services.every((s) => s.running) ? 0 : 1;
}
