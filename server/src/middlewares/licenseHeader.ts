import type { Middleware } from 'koa';
import type { Deps } from '../deps.js';

/**
 * Every API answer says the license state, so the dashboard can show banners without asking:
 * X-Atendo-License (active|warning|grace|restricted), -Reason, and -Grace-Ends when in grace.
 */
export function licenseHeader(deps: Deps): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } finally {
      const snap = await deps.license.snapshot().catch(() => null);
      if (snap) {
        ctx.set('X-Atendo-License', snap.state);
        if (snap.reason) ctx.set('X-Atendo-License-Reason', snap.reason);
        if (snap.graceEndsAt) ctx.set('X-Atendo-License-Grace-Ends', snap.graceEndsAt.toISOString());
      }
    }
  };
}
