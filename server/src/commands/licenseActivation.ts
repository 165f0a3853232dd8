import os from 'node:os';
import { activationRequest } from '#protocol/applianceRequests.js';
import { checkLicenseKey, licenseKeyProblem } from '#protocol/licenseKey.js';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { installationFingerprint } from '../license/fingerprint.js';
import { loadOrCreateInstallationKey } from '../license/installationKey.js';
import { loadLicenseState } from '../repositories/licenseState.js';
import { insertAudit } from '../repositories/audit.js';
import { APPLIANCE_VERSION } from '../version.js';
import { sendHeartbeat } from './licenseHeartbeat.js';
import { acceptLease, postWithClockCorrection } from './licenseLease.js';

export interface ActivationSummary {
  installationId: string;
  client: { id: string; name: string };
  plan: { id: string; code: string; name: string };
  licenseExpiresAt: string;
  boundIp: string;
}

/**
 * Activates this appliance: checks the key offline first, makes (or reuses) the installation key pair,
 * binds the license to this machine at the service, and sends the first heartbeat (usage, version).
 * Safe to run again on the same machine.
 */
export async function activateLicense(deps: Deps, licenseKey: string): Promise<ActivationSummary> {
  const checked = checkLicenseKey(licenseKey);
  if (!checked.ok) {
    throw new AppError(400, 'invalid_license_key', licenseKeyProblem(checked.reason));
  }
  const key = loadOrCreateInstallationKey(deps.config.DATA_DIR);
  const fingerprint = await installationFingerprint(deps.config.DATA_DIR);
  const previous = await loadLicenseState(deps.db);
  const { answer, nonce } = await postWithClockCorrection(deps, '/v1/activate', Number(previous?.clock_offset_ms ?? 0), (now, n) =>
    activationRequest({
      licenseKey: checked.normalized, publicKeyPem: key.publicKeyPem, privateKey: key.privateKey, fingerprint,
      hostname: os.hostname(), version: APPLIANCE_VERSION, now, nonce: n,
    }),
  );
  if (answer.kind === 'unreachable') throw new AppError(503, 'license_service_unreachable', answer.message);
  if (answer.kind === 'refused') throw new AppError(answer.status, answer.code, answer.message, answer.details);
  // saveLease keeps the ordering: a re-activation continues its installation's sequence, a new one starts afresh.
  await acceptLease(deps, answer.body.lease, { nonce, keyId: key.keyId, installationId: answer.body.installationId });
  await insertAudit(deps.db, { actorUserId: null, action: 'license.activate', subjectType: 'installation', subjectId: answer.body.installationId, detail: { plan: answer.body.plan.code, boundIp: answer.body.boundIp } });
  // The first heartbeat at once, not a whole interval (15 min) later: until then the vendor's
  // installations list had no heartbeat and no usage for a machine that was up and running. Failures
  // are recorded by sendHeartbeat and retried by the scheduler; activation has succeeded either way.
  await sendHeartbeat(deps).catch((err) => deps.log.warn({ err }, 'first heartbeat after activation failed'));
  return {
    installationId: answer.body.installationId,
    client: answer.body.client,
    plan: answer.body.plan,
    licenseExpiresAt: answer.body.licenseExpiresAt,
    boundIp: answer.body.boundIp,
  };
}
