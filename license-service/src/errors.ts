/**
 * Typed errors with stable codes. The error middleware turns them into
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
export const unauthorized = () => new AppError(401, 'unauthorized', 'a valid admin bearer token is required');
export const conflict = (code: string, message: string) => new AppError(409, code, message);
export const tooManyAttempts = (retryAfterSeconds: number) =>
  new AppError(429, 'too_many_attempts', `too many failed attempts; retry in ${retryAfterSeconds}s`,
    { retryAfter: retryAfterSeconds }, { 'Retry-After': String(retryAfterSeconds) });

// Appliance protocol (see protocol/PROTOCOL.md).
export const invalidLicenseKey = (reason: 'format' | 'checksum') =>
  new AppError(400, 'invalid_license_key',
    reason === 'checksum' ? 'the license key has a typo (its check characters do not match)' : 'this is not an Atendo license key');
export const licenseNotFound = () => new AppError(404, 'license_not_found', 'no license has this key');
export const licenseRevoked = () => new AppError(403, 'license_revoked', 'this license was revoked');
export const licenseSuspended = () => new AppError(403, 'license_suspended', 'this license is suspended');
export const licenseExpired = (at: Date) =>
  new AppError(403, 'license_expired', `this license expired at ${at.toISOString()}`, { expiredAt: at.toISOString() });
export const ipMismatch = (ip: string) =>
  new AppError(403, 'ip_mismatch', `this license is bound to another IP address than ${ip}`, { ip });
export const licenseAlreadyActivated = () =>
  new AppError(409, 'license_already_activated',
    'this license is active on another machine; ask your vendor to rebind it');
export const installationNotFound = () =>
  new AppError(404, 'installation_not_found', 'unknown installation; activate again');
export const installationSuperseded = () =>
  new AppError(409, 'installation_superseded', 'this installation was replaced by a newer activation');
export const invalidSignature = () =>
  new AppError(401, 'invalid_signature', 'the request signature does not verify');
export const replayedRequest = () =>
  new AppError(409, 'replayed_request', 'this request (nonce) was already seen');
export const clockSkew = (serviceTime: Date) =>
  new AppError(400, 'clock_skew', 'the request timestamp is too far from the service time',
    { serviceTime: serviceTime.toISOString() });
