import type { Lease } from '#protocol/lease.js';

export type LicenseStateName = 'active' | 'warning' | 'grace' | 'restricted';

/** What is stored about the license (repositories/licenseState.ts), after the lease was verified. */
export interface StoredLicense {
  installationId: string;
  leaseSeq: number;
  clockOffsetMs: number;
  trustedTime: Date;
  lastSuccessAt: Date | null;
  lastAttemptAt: Date | null;
  lastErrorCode: string | null;
  lastErrorMessage: string | null;
  definitiveError: string | null;
  /** The vendor's own words sent with the definitive refusal ("invoice overdue"), if any. */
  definitiveReason: string | null;
}

export interface LicenseSnapshot {
  state: LicenseStateName;
  /** Why the state is not plain `active`, as a stable code. */
  reason: string | null;
  /** The vendor's reason, in its words, while a definitive refusal (suspended, revoked…) restricts. */
  vendorReason: string | null;
  lease: Lease | null;
  /** The time as the appliance trusts it: the local clock corrected by the service's. */
  now: Date;
  graceEndsAt: Date | null;
  stored: StoredLicense | null;
}

export const WARNING_BEFORE_EXPIRY_MS = 14 * 86_400_000;
/** A clock this far behind the latest trusted time was set back; less is ordinary jitter. */
export const CLOCK_TOLERANCE_MS = 5 * 60_000;

/**
 * The graduated license states, from the stored facts and the local clock. Pure: everything that
 * decides the state is an argument, so every transition is testable without waiting.
 *
 * restricted: not activated; lease missing, edited or not ours; clock set back; a definitive refusal
 *             (revoked, suspended, expired, ip_mismatch…); license expired; grace over.
 * grace:      the lease ran out while the service could not be reached: full function until
 *             notAfter + the vendor's grace period.
 * warning:    lease valid, but the license expires within 14 days or the last heartbeat failed.
 * active:     otherwise.
 */
export function computeLicenseState(stored: StoredLicense | null, lease: Lease | null, localNow: Date): LicenseSnapshot {
  const now = new Date(localNow.getTime() + (stored?.clockOffsetMs ?? 0));
  const snap = (state: LicenseStateName, reason: string | null, graceEndsAt: Date | null = null, vendorReason: string | null = null): LicenseSnapshot =>
    ({ state, reason, vendorReason, lease, now, graceEndsAt, stored });
  if (!stored) return snap('restricted', 'not_activated');
  if (!lease || lease.installationId !== stored.installationId || lease.seq !== stored.leaseSeq) return snap('restricted', 'lease_invalid');
  if (now.getTime() < stored.trustedTime.getTime() - CLOCK_TOLERANCE_MS) return snap('restricted', 'clock_tampered');
  if (stored.definitiveError) return snap('restricted', stored.definitiveError, null, stored.definitiveReason);
  // Deadlines are judged on the later of the clock and the trusted time, so setbacks within the
  // tolerance buy nothing either.
  const at = Math.max(now.getTime(), stored.trustedTime.getTime());
  const expiresAt = Date.parse(lease.licenseExpiresAt);
  if (expiresAt <= at) return snap('restricted', 'license_expired');
  const notAfter = Date.parse(lease.notAfter);
  if (at < notAfter) {
    if (expiresAt - at < WARNING_BEFORE_EXPIRY_MS) return snap('warning', 'license_expiring');
    const failedSince = stored.lastAttemptAt && stored.lastErrorCode
      && (!stored.lastSuccessAt || stored.lastAttemptAt > stored.lastSuccessAt);
    return failedSince ? snap('warning', 'service_unreachable') : snap('active', null);
  }
  const graceEndsAt = new Date(notAfter + lease.gracePeriodSeconds * 1000);
  if (at < graceEndsAt.getTime()) return snap('grace', 'service_unreachable', graceEndsAt);
  return snap('restricted', 'grace_over', graceEndsAt);
}
