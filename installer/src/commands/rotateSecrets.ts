import { currentRelease, requireInstalled, type Ctx } from '../context.js';
import { newSecret, writeEnv } from '../envFile.js';
import { writeRendered } from '../renderedFiles.js';

/**
 * rotate-secrets: new database and Redis passwords and a new session key, without losing data. The
 * database password is changed in PostgreSQL first and written to .env right after; Redis restarts
 * with its new one; the server and worker restart with both. A new session key signs everyone out.
 *
 * ENCRYPTION_KEY is not rotated here: provider tokens encrypted with it must be re-encrypted in the
 * same move, which comes with the connections that store them.
 */
export async function rotateSecrets(ctx: Ctx): Promise<number> {
  requireInstalled(ctx);
  const next = { POSTGRES_PASSWORD: newSecret('POSTGRES_PASSWORD'), REDIS_PASSWORD: newSecret('REDIS_PASSWORD'), SESSION_SECRET: newSecret('SESSION_SECRET') };
  ctx.masker.add(...Object.values(next));
  await ctx.ui.step('Stop server and worker', () => ctx.runtime.stopApp());
  await ctx.ui.step('New database password', async () => {
    await ctx.runtime.setDatabasePassword(ctx.env, next.POSTGRES_PASSWORD);
    ctx.env = { ...ctx.env, POSTGRES_PASSWORD: next.POSTGRES_PASSWORD };
    writeEnv(ctx.dir, ctx.env);
  });
  await ctx.ui.step('New Redis password', async () => {
    ctx.env = { ...ctx.env, REDIS_PASSWORD: next.REDIS_PASSWORD };
    writeEnv(ctx.dir, ctx.env);
    writeRendered(ctx.runtime, ctx.env);
    await ctx.runtime.applyRedisPassword(ctx.env);
  });
  ctx.env = { ...ctx.env, SESSION_SECRET: next.SESSION_SECRET };
  writeEnv(ctx.dir, ctx.env);
  await ctx.ui.step('Start server and worker', () => ctx.runtime.startApp(ctx.env, currentRelease(ctx)));
  ctx.ui.info('Secrets rotated. Everyone must log in again (the session key changed).');
  return 0;
}
