import Router from '@koa/router';
import Koa from 'koa';
import type { Deps } from './deps.js';
import { adminAuth } from './middlewares/adminAuth.js';
import { errorHandler } from '#kit/http/errorHandler.js';
import { jsonBody } from '#kit/http/jsonBody.js';
import { requestContext } from '#kit/http/requestContext.js';
import { auditRoutes } from './routes/admin/audit.js';
import { clientsRoutes } from './routes/admin/clients.js';
import { installationsRoutes } from './routes/admin/installations.js';
import { licensesRoutes } from './routes/admin/licenses.js';
import { plansRoutes } from './routes/admin/plans.js';
import { applianceRoutes } from './routes/appliance/appliance.js';

/** Builds the license service's Koa app without listening: tests and the entry point mount it. */
export function createApp(deps: Deps): Koa {
  const app = new Koa();
  app.proxy = false; // we decide whom to believe about X-Forwarded-For ourselves (lib/sourceIp.ts)
  app.silent = true; // errors are logged by errorHandler, once, with the request id

  const ops = new Router();
  ops.get('/health', (ctx) => { ctx.body = { status: 'ok' }; });
  ops.get('/ready', async (ctx) => {
    const checks = await Promise.allSettled([deps.db.raw('select 1'), deps.redis.ping()]);
    const [db, redis] = checks.map((c) => (c.status === 'fulfilled' ? 'ok' : 'down'));
    ctx.status = db === 'ok' && redis === 'ok' ? 200 : 503;
    ctx.body = { status: ctx.status === 200 ? 'ok' : 'unavailable', database: db, redis };
  });

  const appliance = new Router({ prefix: '/v1' });
  applianceRoutes(deps, appliance);

  const admin = new Router({ prefix: '/admin/v1' });
  admin.use(adminAuth(deps));
  plansRoutes(deps, admin);
  clientsRoutes(deps, admin);
  licensesRoutes(deps, admin);
  installationsRoutes(deps, admin);
  auditRoutes(deps, admin);

  app.use(requestContext(deps.log, deps.config.TRUSTED_PROXIES, ['/v1/heartbeat']));
  app.use(errorHandler());
  app.use(jsonBody(deps.config.BODY_LIMIT_BYTES));
  app.use(ops.routes());
  app.use(appliance.routes());
  app.use(admin.routes());
  return app;
}
