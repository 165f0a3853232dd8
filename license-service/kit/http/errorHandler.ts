import type { Middleware } from 'koa';
import { AppError, databaseUnavailable, routeNotFound } from '../errors.js';

/**
 * Maps typed errors to `{ error: { code, message } }`; anything else is a 500 that is logged, not shown.
 * PostgreSQL being unreachable is not our bug nor the caller's: it is `503 database_unavailable` with
 * Retry-After, on every route (Meta redelivers a webhook either way; a 503 says why, and tells a
 * dashboard or appliance to try again rather than report a fault).
 */
export function errorHandler(): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw routeNotFound();
    } catch (caught) {
      let err = caught;
      if (!(err instanceof AppError) && isDatabaseUnavailable(err)) {
        ctx.state.log?.warn({ err: (err as Error).message }, 'database unavailable');
        err = databaseUnavailable();
      }
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

/** SQLSTATEs that mean "no usable connection", not "this statement is wrong". */
const UNAVAILABLE_SQLSTATES = new Set([
  '57P01', // admin_shutdown: the server is shutting down (or our backend was terminated)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up, recovering
  '53300', // too_many_connections
  '3D000', // invalid_catalog_name: the database is not there (being restored, renamed)
]);
/** Socket errors node-postgres surfaces when it cannot reach the server at all. */
const UNAVAILABLE_SOCKET = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

/**
 * Is this error PostgreSQL being out of reach? Recognised by what node-postgres and knex throw: a
 * SQLSTATE of class 08 (connection exception) or one of the above, a socket error raised while
 * connecting (`syscall` connect/getaddrinfo: only database connections are opened from inside a
 * request's queries — HTTP clients wrap theirs in a TypeError), a connection that dropped mid-query,
 * or knex giving up waiting for a pool connection.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const e = err as Error & { code?: unknown; syscall?: unknown };
  if (e.name === 'KnexTimeoutError') return true;
  if (typeof e.code === 'string') {
    if (/^08[0-9A-Z]{3}$/.test(e.code) || UNAVAILABLE_SQLSTATES.has(e.code)) return true;
    if (UNAVAILABLE_SOCKET.has(e.code) && (e.syscall === 'connect' || e.syscall === 'getaddrinfo' || e.syscall === 'read' || e.syscall === 'write')) return true;
  }
  // node-postgres, when the server goes away under an open connection.
  return /^Connection (terminated|ended)( unexpectedly)?$/.test(e.message) || e.message === 'Client has encountered a connection error and is not queryable';
}
