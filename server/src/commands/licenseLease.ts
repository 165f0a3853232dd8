import { newNonce, type SignedRequest } from '#protocol/applianceRequests.js';
import { verifyLease, type LeaseEnvelope } from '#protocol/lease.js';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { postSigned, type ServiceAnswer } from '../license/serviceClient.js';
import { saveLease } from '../repositories/licenseState.js';

/**
 * Sends a signed request built for "now" as the service sees it. When the service says our clock is off
 * (clock_skew, with its own time), it corrects the offset and tries once more.
 */
export async function postWithClockCorrection(
  deps: Deps,
  route: string,
  offsetMs: number,
  build: (now: Date, nonce: string) => SignedRequest,
): Promise<{ answer: ServiceAnswer; nonce: string; offsetMs: number }> {
  let offset = offsetMs;
  for (let attempt = 0; ; attempt++) {
    const nonce = newNonce();
    const req = build(new Date(deps.now().getTime() + offset), nonce);
    const answer = await postSigned(`${deps.config.LICENSE_SERVICE_URL}${route}`, req.body, req.signature);
    const serviceTime = answer.kind === 'refused' && answer.code === 'clock_skew' ? Date.parse(String(answer.details.serviceTime)) : NaN;
    if (attempt === 0 && !Number.isNaN(serviceTime)) {
      offset = serviceTime - deps.now().getTime();
      continue;
    }
    return { answer, nonce, offsetMs: offset };
  }
}

/**
 * Accepts a lease from the service only if it verifies with a trusted key, answers our request (nonce),
 * names our installation and key. saveLease stores it only if it moves the sequence forward.
 */
export async function acceptLease(
  deps: Deps,
  envelope: unknown,
  expect: { nonce: string; installationId: string; keyId: string },
): Promise<LeaseEnvelope> {
  const v = verifyLease(envelope, deps.trustedKeys);
  if (!v.ok) throw new AppError(502, 'lease_rejected', `the license service sent a lease that does not verify (${v.reason})`);
  const l = v.lease;
  if (l.nonce !== expect.nonce) throw new AppError(502, 'lease_rejected', 'the lease does not answer our request');
  if (l.installationKeyId !== expect.keyId || l.installationId !== expect.installationId) {
    throw new AppError(502, 'lease_rejected', 'the lease is for another installation');
  }
  const serviceTime = new Date(l.serviceTime);
  const stored = await saveLease(deps.db, {
    installationId: l.installationId,
    installationKeyId: l.installationKeyId,
    envelope: JSON.stringify(envelope),
    seq: l.seq,
    clockOffsetMs: serviceTime.getTime() - deps.now().getTime(),
    serviceTime,
  });
  if (!stored) throw new AppError(502, 'lease_rejected', 'a newer lease is already in force');
  deps.license.invalidate();
  await deps.redis.publish('license:changed', '1').catch(() => 0);
  return envelope as LeaseEnvelope;
}

