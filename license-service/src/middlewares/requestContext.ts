import crypto from 'node:crypto';
import type { Middleware } from 'koa';
import type { Logger } from '../lib/logger.js';
import { sourceIp } from '../lib/sourceIp.js';

declare module 'koa' {
  interface DefaultState {
    requestId: string;
    log: Logger;
    ip: string;
    rawBody?: Buffer;
    body?: unknown;
    admin?: { name: string };
  }
}

/** Gives every request an id, its client IP (trusted proxies only) and a child logger; logs one line per request. */
export function requestContext(log: Logger, trustedProxies: readonly string[]): Middleware {
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    const incoming = ctx.get('x-request-id');
    const requestId = /^[\w.-]{8,64}$/.test(incoming) ? incoming : crypto.randomUUID();
    ctx.state.requestId = requestId;
    ctx.state.ip = sourceIp(ctx.req.socket.remoteAddress, ctx.get('x-forwarded-for') || undefined, trustedProxies);
    ctx.state.log = log.child({ requestId });
    ctx.set('X-Request-Id', requestId);
    try {
      await next();
    } finally {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const line = { method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(ms * 10) / 10, ip: ctx.state.ip };
      if (ctx.status >= 500) ctx.state.log.error(line, 'request');
      else if (ctx.path.startsWith('/v1/heartbeat') && ctx.status === 200) ctx.state.log.debug(line, 'request');
      else ctx.state.log.info(line, 'request');
    }
  };
}
