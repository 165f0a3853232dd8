import { AppError } from '#kit/errors.js';
import { licenseKeyProblem } from '#protocol/licenseKey.js';

export * from '#kit/errors.js';

// Appliance protocol (see protocol/PROTOCOL.md).
export const invalidLicenseKey = (reason: 'format' | 'checksum') =>
  new AppError(400, 'invalid_license_key', licenseKeyProblem(reason));
export const licenseNotFound = () => new AppError(404, 'license_not_found', 'no license has this key');
/** The vendor's reason for a suspension or revocation travels with the refusal (PROTOCOL.md). */
const vendorReason = (reason: string | null | undefined) => (reason ? { reason } : {});
export const licenseRevoked = (reason?: string | null) =>
  new AppError(403, 'license_revoked', 'this license was revoked', vendorReason(reason));
export const licenseSuspended = (reason?: string | null) =>
  new AppError(403, 'license_suspended', 'this license is suspended', vendorReason(reason));
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
