import type { Middleware } from 'koa';
import type { Deps } from '../deps.js';

/**
 * Every API answer says the license state, so the dashboard can show banners without asking:
 * X-Atendo-License (active|warning|grace|restricted), -Reason, -Grace-Ends when in grace, and
 * -Vendor-Reason (the vendor's words, percent-encoded: headers are ASCII) when it gave one.
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
        if (snap.vendorReason) ctx.set('X-Atendo-License-Vendor-Reason', encodeURIComponent(snap.vendorReason));
      }
    }
  };
}
