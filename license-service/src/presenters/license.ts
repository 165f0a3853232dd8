import type { LicenseListRow, LicenseRow } from '../repositories/licenses.js';

/** Never includes the key hash: only the suffix, to tell keys apart. */
export function presentLicense(l: LicenseRow) {
  return {
    id: l.id,
    clientId: l.client_id,
    planId: l.plan_id,
    keySuffix: l.key_suffix,
    status: l.status,
    statusReason: l.status_reason,
    expiresAt: l.expires_at.toISOString(),
    boundIp: l.bound_ip,
    leaseSeq: l.lease_seq,
    cloneSuspectedAt: l.clone_suspected_at?.toISOString() ?? null,
    createdAt: l.created_at.toISOString(),
    updatedAt: l.updated_at.toISOString(),
  };
}

/** Lists and the single view also name the client. */
export function presentLicenseWithClient(l: LicenseListRow) {
  return { ...presentLicense(l), client: { id: l.client_id, name: l.client_name } };
}
