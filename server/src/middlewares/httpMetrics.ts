import type { Middleware } from 'koa';
import type { Deps } from '../deps.js';

/** Counts requests and their durations for /metrics. */
export function httpMetrics(deps: Deps): Middleware {
  return async (ctx, next) => {
    const end = deps.metrics.httpDuration.startTimer({ method: ctx.method });
    try {
      await next();
    } finally {
      end();
      deps.metrics.httpRequests.inc({ method: ctx.method, status: String(ctx.status) });
    }
  };
}
