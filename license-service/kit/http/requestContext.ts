import crypto from 'node:crypto';
import type { Middleware } from 'koa';
import type { Logger } from '../logger.js';
import { sourceIp, trustedProxies } from '../sourceIp.js';

declare module 'koa' {
  interface DefaultState {
    requestId: string;
    log: Logger;
    ip: string;
    rawBody?: Buffer;
    body?: unknown;
  }
}

/**
 * Gives every request an id, its client IP (trusted proxies only) and a child logger; logs one line per
 * request. Successful requests to `quietPaths` (frequent machine traffic) are logged at debug.
 */
export function requestContext(log: Logger, trustedProxies_: readonly string[], quietPaths: readonly string[] = []): Middleware {
  const isTrusted = trustedProxies(trustedProxies_);
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    const incoming = ctx.get('x-request-id');
    const requestId = /^[\w.-]{8,64}$/.test(incoming) ? incoming : crypto.randomUUID();
    ctx.state.requestId = requestId;
    ctx.state.ip = sourceIp(ctx.req.socket.remoteAddress, ctx.get('x-forwarded-for') || undefined, isTrusted);
    ctx.state.log = log.child({ requestId });
    ctx.set('X-Request-Id', requestId);
    try {
      await next();
    } finally {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const line = { method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(ms * 10) / 10, ip: ctx.state.ip };
      if (ctx.status >= 500) ctx.state.log.error(line, 'request');
      else if (ctx.status < 400 && quietPaths.includes(ctx.path)) ctx.state.log.debug(line, 'request');
      else ctx.state.log.info(line, 'request');
    }
  };
}
