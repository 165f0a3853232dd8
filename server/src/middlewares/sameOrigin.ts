import type { Middleware } from 'koa';
import { crossSiteRequest } from '../errors.js';

/**
 * Cookie-authenticated changes must come from the dashboard's own origin. Browsers send Origin on every
 * cross-site POST/PATCH/DELETE; a request without one is not a browser's and carries no ambient cookie risk.
 */
export function sameOrigin(publicUrl: string): Middleware {
  const allowed = new URL(publicUrl).origin;
  return async (ctx, next) => {
    if (!['GET', 'HEAD', 'OPTIONS'].includes(ctx.method)) {
      const origin = ctx.get('origin');
      if (origin && origin !== allowed && origin !== `${ctx.protocol}://${ctx.host}`) throw crossSiteRequest();
    }
    return next();
  };
}
