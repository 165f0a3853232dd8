import type { Middleware } from 'koa';
import { AppError, routeNotFound } from '../errors.js';

/** Maps typed errors to `{ error: { code, message } }`; anything else is a 500 that is logged, not shown. */
export function errorHandler(): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw routeNotFound();
    } catch (err) {
      if (err instanceof AppError) {
        ctx.status = err.status;
        for (const [k, v] of Object.entries(err.headers)) ctx.set(k, v);
        ctx.body = { error: { code: err.code, message: err.message, ...err.details } };
        return;
      }
      ctx.state.log?.error({ err }, 'unhandled error');
      ctx.status = 500;
      ctx.body = { error: { code: 'internal_error', message: 'something went wrong on our side', requestId: ctx.state.requestId } };
    }
  };
}
