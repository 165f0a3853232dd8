/**
 * Typed errors with stable codes, shared by every Atendo service. The error middleware turns them into
 * `{ "error": { "code", "message", ...details } }` with their HTTP status.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const validationFailed = (message: string) => new AppError(400, 'validation_failed', message);
export const malformedJson = () => new AppError(400, 'malformed_json', 'the body is not valid JSON');
export const unsupportedMediaType = () =>
  new AppError(415, 'unsupported_media_type', 'send the body as application/json');
export const bodyTooLarge = (limit: number) =>
  new AppError(413, 'body_too_large', `the body is larger than ${limit} bytes`);
export const notFound = (what: string) => new AppError(404, 'not_found', `${what} not found`);
export const routeNotFound = () => new AppError(404, 'route_not_found', 'no such route');
export const unauthorized = (message = 'authentication required') => new AppError(401, 'unauthorized', message);
export const forbidden = (code: string, message: string, details: Record<string, unknown> = {}) =>
  new AppError(403, code, message, details);
export const conflict = (code: string, message: string) => new AppError(409, code, message);
export const tooManyAttempts = (retryAfterSeconds: number) =>
  new AppError(429, 'too_many_attempts', `too many failed attempts; retry in ${retryAfterSeconds}s`,
    { retryAfter: retryAfterSeconds }, { 'Retry-After': String(retryAfterSeconds) });

export const invalidCursor = () => new AppError(400, 'invalid_cursor', 'cursor: not a cursor this service issued');
export const bodyTooDeep = (maxDepth: number) =>
  new AppError(400, 'body_too_deep', `the body is nested deeper than ${maxDepth} levels`);
/** PostgreSQL cannot be reached (down, restarting, refusing connections): a retry later may succeed. */
export const databaseUnavailable = (retryAfterSeconds = 5) =>
  new AppError(503, 'database_unavailable', 'the database is unavailable; retry shortly',
    {}, { 'Retry-After': String(retryAfterSeconds) });
