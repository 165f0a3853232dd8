import { heartbeatRequest } from '#protocol/applianceRequests.js';
import type { Deps } from '../deps.js';
import { installationFingerprint } from '../license/fingerprint.js';
import { loadInstallationKey } from '../license/installationKey.js';
import { vendorReasonOf } from '../license/serviceClient.js';
import { loadLicenseState, recordLicenseFailure } from '../repositories/licenseState.js';
import { APPLIANCE_VERSION } from '../version.js';
import { acceptLease, postWithClockCorrection } from './licenseLease.js';
import { collectUsage } from './usage.js';

export type HeartbeatOutcome = 'not_activated' | 'ok' | 'transient_failure' | 'definitive_refusal' | 'refused';

/**
 * One heartbeat: usage and version out, a fresh lease back. Failures are recorded, never thrown: a
 * definitive refusal (revoked, suspended, …) restricts the appliance at once; anything else is transient
 * and the current lease, then the grace period, carry on.
 */
export async function sendHeartbeat(deps: Deps): Promise<HeartbeatOutcome> {
  const row = await loadLicenseState(deps.db);
  if (!row) return 'not_activated';
  const key = loadInstallationKey(deps.config.DATA_DIR);
  const fingerprint = await installationFingerprint(deps.config.DATA_DIR);
  const offset = Number(row.clock_offset_ms);
  const usage = await collectUsage(deps, new Date(deps.now().getTime() + offset));
  const { answer, nonce } = await postWithClockCorrection(deps, '/v1/heartbeat', offset, (now, n) =>
    heartbeatRequest({ installationId: row.installation_id, privateKey: key.privateKey, fingerprint, version: APPLIANCE_VERSION, usage, now, nonce: n }),
  );
  // Failures are dated in the stored clock frame (the one snapshots read the time through), not in an
  // offset learned from an unsigned clock_skew answer: the scheduler compares this date with the
  // snapshot's `now`, and two frames minutes apart made a one-minute retry fire on every tick.
  const at = new Date(deps.now().getTime() + offset);
  let outcome: HeartbeatOutcome;
  if (answer.kind === 'ok') {
    try {
      await acceptLease(deps, answer.body.lease, { nonce, keyId: key.keyId, installationId: row.installation_id });
      outcome = 'ok';
    } catch (err) {
      await recordLicenseFailure(deps.db, { at, code: 'lease_rejected', message: (err as Error).message, definitive: false });
      outcome = 'transient_failure';
    }
  } else if (answer.kind === 'unreachable') {
    await recordLicenseFailure(deps.db, { at, code: 'service_unreachable', message: answer.message, definitive: false });
    outcome = 'transient_failure';
  } else {
    await recordLicenseFailure(deps.db, { at, code: answer.code, message: answer.message, definitive: answer.definitive, vendorReason: vendorReasonOf(answer.details) });
    outcome = answer.definitive ? 'definitive_refusal' : 'refused';
  }
  if (outcome !== 'ok') {
    deps.license.invalidate();
    await deps.redis.publish('license:changed', '1').catch(() => 0);
    deps.log.warn({ outcome, code: answer.kind === 'refused' ? answer.code : answer.kind }, 'license heartbeat failed');
  }
  deps.metrics.heartbeats.inc({ outcome });
  return outcome;
}
