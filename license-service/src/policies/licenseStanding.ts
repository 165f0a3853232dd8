import { licenseExpired, licenseRevoked, licenseSuspended } from '../errors.js';
import type { LicenseStatus } from '../repositories/licenses.js';

/**
 * May this license be used (activated, heartbeated) right now? Throws the definitive refusal when not.
 * Revocation outranks suspension, which outranks expiry: the admin's latest deliberate act wins.
 */
export function assertLicenseUsable(license: { status: LicenseStatus; expires_at: Date }, now: Date): void {
  if (license.status === 'revoked') throw licenseRevoked();
  if (license.status === 'suspended') throw licenseSuspended();
  if (license.expires_at.getTime() <= now.getTime()) throw licenseExpired(license.expires_at);
}
