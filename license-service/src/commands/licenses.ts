import type { Knex } from 'knex';
import type { Actor } from '../deps.js';
import { conflict, notFound, validationFailed } from '../errors.js';
import { generateLicenseKey, hashLicenseKey, licenseKeySuffix } from '#protocol/licenseKey.js';
import { findClient } from '../repositories/clients.js';
import { supersedeActiveInstallation } from '../repositories/installations.js';
import { findLicense, insertLicense, updateLicense, type LicenseRow } from '../repositories/licenses.js';
import { findPlan } from '../repositories/plans.js';
import { presentLicense } from '../presenters/license.js';
import { auditAdmin } from './auditTrail.js';

/** Issues a license. The key is returned here once and never stored: only its hash and suffix are. */
export async function issueLicense(
  trx: Knex,
  actor: Actor,
  input: { clientId: string; planId: string; expiresAt?: Date; validDays?: number; boundIp: string | null },
  now: Date,
): Promise<{ license: LicenseRow; key: string }> {
  if (!(await findClient(trx, input.clientId))) throw notFound('client');
  if (!(await findPlan(trx, input.planId))) throw notFound('plan');
  const expiresAt = input.expiresAt ?? new Date(now.getTime() + (input.validDays ?? 0) * 86_400_000);
  if (expiresAt <= now) throw validationFailed('expiresAt: must be in the future');
  const key = generateLicenseKey();
  const license = await insertLicense(trx, {
    client_id: input.clientId,
    plan_id: input.planId,
    key_hash: hashLicenseKey(key),
    key_suffix: licenseKeySuffix(key),
    expires_at: expiresAt,
    bound_ip: input.boundIp,
  });
  await auditAdmin(trx, { action: 'license.issue', actor: actor.name, ip: actor.ip, licenseId: license.id, subjectType: 'license', subjectId: license.id, after: presentLicense(license) });
  return { license, key };
}

type StatusChange = 'suspend' | 'resume' | 'revoke';

const transitions: Record<StatusChange, { from: LicenseRow['status'][]; to: LicenseRow['status'] }> = {
  suspend: { from: ['active'], to: 'suspended' },
  resume: { from: ['suspended'], to: 'active' },
  // Revocation is final: a revoked key never works again (issue a new license instead).
  revoke: { from: ['active', 'suspended'], to: 'revoked' },
};

export async function changeLicenseStatus(trx: Knex, actor: Actor, id: string, change: StatusChange, reason: string | null): Promise<LicenseRow> {
  const before = await loadForUpdate(trx, id);
  const t = transitions[change];
  if (!t.from.includes(before.status)) {
    throw conflict('invalid_license_transition', `cannot ${change} a license that is ${before.status}`);
  }
  // The reason is for the customer too (it reaches the appliance with the refusal); resuming clears it.
  const license = await updateLicense(trx, id, { status: t.to, status_reason: change === 'resume' ? null : reason });
  await record(trx, actor, `license.${change}`, before, license, reason ? { reason } : undefined);
  return license;
}

export async function renewLicense(trx: Knex, actor: Actor, id: string, input: { expiresAt?: Date; extendDays?: number }, now: Date): Promise<LicenseRow> {
  const before = await loadForUpdate(trx, id);
  if (before.status === 'revoked') throw conflict('invalid_license_transition', 'cannot renew a revoked license');
  // Extending an expired license counts from today, not from the old expiry.
  const base = before.expires_at > now ? before.expires_at : now;
  const expiresAt = input.expiresAt ?? new Date(base.getTime() + (input.extendDays ?? 0) * 86_400_000);
  if (expiresAt <= now) throw validationFailed('expiresAt: must be in the future');
  const license = await updateLicense(trx, id, { expires_at: expiresAt });
  await record(trx, actor, 'license.renew', before, license);
  return license;
}

export async function changeLicensePlan(trx: Knex, actor: Actor, id: string, planId: string): Promise<LicenseRow> {
  const before = await loadForUpdate(trx, id);
  if (!(await findPlan(trx, planId))) throw notFound('plan');
  const license = await updateLicense(trx, id, { plan_id: planId });
  await record(trx, actor, 'license.change_plan', before, license);
  return license;
}

/**
 * Rebinds a license: to a new IP (the same machine moved), and/or to a new machine (the active
 * installation is superseded, so the next activation — from the bound IP, or from anywhere when the IP
 * is cleared — creates a new one). Clearing the IP lets the next activation bind it.
 */
export async function rebindLicense(
  trx: Knex,
  actor: Actor,
  id: string,
  input: { ip?: string | null; newMachine?: boolean },
): Promise<LicenseRow> {
  const before = await loadForUpdate(trx, id);
  if (before.status === 'revoked') throw conflict('invalid_license_transition', 'cannot rebind a revoked license');
  let superseded = 0;
  if (input.newMachine) superseded = await supersedeActiveInstallation(trx, id);
  const license = input.ip !== undefined
    ? await updateLicense(trx, id, { bound_ip: input.ip, clone_suspected_at: null })
    : await updateLicense(trx, id, { clone_suspected_at: null });
  await record(trx, actor, 'license.rebind', before, license, { newMachine: !!input.newMachine, supersededInstallations: superseded });
  return license;
}

async function loadForUpdate(trx: Knex, id: string): Promise<LicenseRow> {
  const license = await findLicense(trx, id, true);
  if (!license) throw notFound('license');
  return license;
}

function record(trx: Knex, actor: Actor, action: string, before: LicenseRow, after: LicenseRow, detail?: unknown) {
  return auditAdmin(trx, {
    action, actor: actor.name, ip: actor.ip, licenseId: before.id, subjectType: 'license', subjectId: before.id,
    before: presentLicense(before), after: presentLicense(after), detail,
  });
}

