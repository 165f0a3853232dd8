import type { Deps } from '../deps.js';
import { LEASE_FORMAT, signLease, type LeaseEnvelope, type PlanFeatures, type PlanLimits } from '#protocol/lease.js';

export interface LeaseFacts {
  licenseId: string;
  client: { id: string; name: string };
  plan: { id: string; code: string; name: string; version: number; limits: PlanLimits; features: PlanFeatures };
  boundIp: string;
  installationId: string;
  installationKeyId: string;
  licenseExpiresAt: Date;
  seq: number;
  nonce: string;
}

/**
 * A lease never outlives the license: notAfter is the earlier of now + TTL and the license expiry.
 * Signed with the keyring's active key (node:crypto: ~0.3 ms per RSA-2048 signature).
 */
export function issueLease(deps: Deps, f: LeaseFacts): LeaseEnvelope {
  const now = deps.now();
  const ttlEnd = now.getTime() + deps.config.LEASE_TTL_SECONDS * 1000;
  const notAfter = new Date(Math.min(ttlEnd, f.licenseExpiresAt.getTime()));
  return signLease(
    {
      format: LEASE_FORMAT,
      licenseId: f.licenseId,
      client: f.client,
      plan: f.plan,
      boundIp: f.boundIp,
      installationId: f.installationId,
      installationKeyId: f.installationKeyId,
      licenseExpiresAt: f.licenseExpiresAt.toISOString(),
      issuedAt: now.toISOString(),
      notAfter: notAfter.toISOString(),
      seq: f.seq,
      nonce: f.nonce,
      serviceTime: now.toISOString(),
      heartbeatIntervalSeconds: deps.config.HEARTBEAT_INTERVAL_SECONDS,
      gracePeriodSeconds: deps.config.GRACE_PERIOD_SECONDS,
    },
    deps.keyring.active,
  );
}
