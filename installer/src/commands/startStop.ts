import { currentRelease, requireInstalled, type Ctx } from '../context.js';

export async function start(ctx: Ctx): Promise<number> {
  requireInstalled(ctx);
  await ctx.ui.step('Start PostgreSQL and Redis', () => ctx.runtime.startData(ctx.env));
  await ctx.ui.step('Start server and worker', () => ctx.runtime.startApp(ctx.env, currentRelease(ctx)));
  ctx.ui.info(`Atendo is running: ${ctx.runtime.appUrl(ctx.env)}`);
  return 0;
}

export async function stop(ctx: Ctx): Promise<number> {
  requireInstalled(ctx);
  await ctx.ui.step('Stop everything', () => ctx.runtime.stopAll());
  return 0;
}
