import Router from '@koa/router';
import type { Deps } from '../../deps.js';
import { APPLIANCE_VERSION } from '../../version.js';

/** /health: the process is up. /ready: it can serve (PostgreSQL, Redis) and its license state. /metrics: Prometheus. */
export function opsRoutes(deps: Deps, router: Router): void {
  router.get('/health', (ctx) => { ctx.body = { status: 'ok', version: APPLIANCE_VERSION }; });

  router.get('/ready', async (ctx) => {
    const [db, redis, license] = await Promise.allSettled([deps.db.raw('select 1'), deps.redis.ping(), deps.license.snapshot()]);
    const up = (r: PromiseSettledResult<unknown>) => (r.status === 'fulfilled' ? 'ok' : 'down');
    const ready = db.status === 'fulfilled' && redis.status === 'fulfilled';
    ctx.status = ready ? 200 : 503;
    ctx.body = {
      status: ready ? 'ok' : 'unavailable',
      database: up(db),
      redis: up(redis),
      // A restricted appliance still serves reads, so the license does not decide readiness.
      license: license.status === 'fulfilled' ? { state: license.value.state, reason: license.value.reason } : 'down',
    };
  });

  router.get('/metrics', async (ctx) => {
    const snap = await deps.license.snapshot().catch(() => null);
    for (const state of ['active', 'warning', 'grace', 'restricted']) deps.metrics.licenseState.set({ state }, snap?.state === state ? 1 : 0);
    ctx.type = deps.metrics.registry.contentType;
    ctx.body = await deps.metrics.registry.metrics();
  });
}
