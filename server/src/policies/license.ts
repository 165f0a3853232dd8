import { licenseRestricted, notActivated } from '../errors.js';
import type { LicenseSnapshot } from '../license/licenseState.js';

/**
 * May the appliance change anything? In `restricted` it is read-only: people can log in and read, but
 * nothing is sent, created or run. Nothing is ever deleted because of the license.
 */
export function assertWritable(snap: LicenseSnapshot): void {
  if (snap.state === 'restricted') throw licenseRestricted(snap.reason ?? 'restricted');
}

export function planOf(snap: LicenseSnapshot) {
  if (!snap.lease) throw notActivated();
  return snap.lease.plan;
}
