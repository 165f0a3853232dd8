import { licenseExpired, licenseRevoked, licenseSuspended } from '../errors.js';
import type { LicenseStatus } from '../repositories/licenses.js';

/**
 * May this license be used (activated, heartbeated) right now? Throws the definitive refusal when not.
 * The vendor's reason for a suspension or revocation goes with the refusal.
 * Revocation outranks suspension, which outranks expiry: the admin's latest deliberate act wins.
 */
export function assertLicenseUsable(license: { status: LicenseStatus; expires_at: Date; status_reason?: string | null }, now: Date): void {
  if (license.status === 'revoked') throw licenseRevoked(license.status_reason);
  if (license.status === 'suspended') throw licenseSuspended(license.status_reason);
  if (license.expires_at.getTime() <= now.getTime()) throw licenseExpired(license.expires_at);
}
