import type { Usage } from '#protocol/applianceRequests.js';
import { nextHeartbeatAt } from '../license/heartbeatScheduler.js';
import type { LicenseSnapshot } from '../license/licenseState.js';

const usageLine = (used: number, limit: number | undefined) =>
  limit === undefined ? { used, limit: null, over: false } : { used, limit, over: used > limit };

/** The license as the dashboard's banners and License page show it. */
export function presentLicense(snap: LicenseSnapshot, usage: Usage | null) {
  const l = snap.lease;
  const s = snap.stored;
  return {
    state: snap.state,
    reason: snap.reason,
    /** The vendor's reason in its own words (a suspension's "invoice overdue"), when it gave one. */
    vendorReason: snap.vendorReason,
    activated: !!s,
    now: snap.now.toISOString(),
    graceEndsAt: snap.graceEndsAt?.toISOString() ?? null,
    graceSecondsLeft: snap.graceEndsAt ? Math.max(0, Math.floor((snap.graceEndsAt.getTime() - snap.now.getTime()) / 1000)) : null,
    installationId: s?.installationId ?? null,
    client: l?.client ?? null,
    plan: l ? { code: l.plan.code, name: l.plan.name, version: l.plan.version, limits: l.plan.limits, features: l.plan.features } : null,
    usage: usage && {
      users: usageLine(usage.users, l?.plan.limits.users),
      connections: usageLine(usage.connections, l?.plan.limits.connections),
      messagesThisMonth: usageLine(usage.messagesThisMonth, l?.plan.limits.messagesPerMonth),
      campaignsThisMonth: usageLine(usage.campaignsThisMonth, l?.plan.limits.campaignsPerMonth),
    },
    licenseExpiresAt: l?.licenseExpiresAt ?? null,
    leaseNotAfter: l?.notAfter ?? null,
    boundIp: l?.boundIp ?? null,
    lastHeartbeatAt: s?.lastSuccessAt?.toISOString() ?? null,
    lastAttemptAt: s?.lastAttemptAt?.toISOString() ?? null,
    lastError: s?.lastErrorCode ? { code: s.lastErrorCode, message: s.lastErrorMessage } : null,
    nextHeartbeatAt: nextHeartbeatAt(snap)?.toISOString() ?? null,
  };
}
