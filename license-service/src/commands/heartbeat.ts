import crypto from 'node:crypto';
import type { Deps } from '../deps.js';
import { AppError, installationNotFound, installationSuperseded, invalidSignature, ipMismatch, tooManyAttempts } from '../errors.js';
import type { LeaseEnvelope } from '#protocol/lease.js';
import { verifyBody } from '#protocol/requestSigning.js';
import { assertLicenseUsable } from '../policies/licenseStanding.js';
import { insertAudit } from '../repositories/audit.js';
import { loadHeartbeatContext, recordHeartbeat } from '../repositories/installations.js';
import type { HeartbeatRequest } from '../routes/appliance/schema.js';
import { bindIpIfUnbound, findLicense, updateLicense } from '../repositories/licenses.js';
import { refuse } from './auditTrail.js';
import { fingerprintHash } from './fingerprintHash.js';
import { issueLease } from './leaseIssuer.js';
import { checkFreshness } from './requestFreshness.js';

const REFUSAL_AUDIT_EVERY_SECONDS = 3600;

// Public keys parsed once per installation: parsing PEM costs more than verifying a signature.
const keyCache = new Map<string, crypto.KeyObject>();
function publicKeyOf(pem: string): crypto.KeyObject {
  let key = keyCache.get(pem);
  if (!key) {
    if (keyCache.size > 50_000) keyCache.clear();
    key = crypto.createPublicKey(pem);
    keyCache.set(pem, key);
  }
  return key;
}

/**
 * A heartbeat proves the installation's identity (signature by its private key over the whole body),
 * is fresh (timestamp + nonce), comes from the bound IP and a usable license, and is answered with a
 * fresh lease built from the plan as it is now — so plan changes reach appliances at their next beat.
 */
export async function heartbeat(
  deps: Deps,
  req: { body: HeartbeatRequest; rawBody: Buffer; signature: string; ip: string },
): Promise<{ lease: LeaseEnvelope }> {
  const { body, ip } = req;
  const ipSubject = { key: `ip:${ip}`, limit: deps.config.GUESS_LIMIT_PER_IP };
  const wait = await deps.attempts.blockedFor([ipSubject]);
  if (wait > 0) throw tooManyAttempts(wait);

  const ctx = await loadHeartbeatContext(deps.db, body.installationId);
  if (!ctx) {
    await deps.attempts.recordFailure([ipSubject.key]);
    throw installationNotFound();
  }
  const audit = { actor: `installation:${ctx.installation_id}`, ip, licenseId: ctx.license_id, subjectType: 'installation', subjectId: ctx.installation_id };
  if (!verifyBody(req.rawBody, req.signature, publicKeyOf(ctx.public_key_pem))) {
    await deps.attempts.recordFailure([ipSubject.key]);
    throw await refuse(deps, invalidSignature(), audit);
  }
  const stale = await checkFreshness(deps, `hb:${ctx.installation_id}`, body.timestamp, body.nonce);
  if (stale) throw await refuse(deps, stale, audit);

  if (ctx.installation_status === 'superseded') {
    // Another machine holds the license now; this one still beating means a copy is running.
    await updateLicense(deps.db, ctx.license_id, { clone_suspected_at: deps.now() });
    throw await refuse(deps, installationSuperseded(), { ...audit, action: 'security.clone_suspected', detail: { reason: 'superseded_installation_heartbeat' } });
  }
  try {
    assertLicenseUsable({ status: ctx.license_status, status_reason: ctx.status_reason, expires_at: ctx.expires_at }, deps.now());
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    // A suspended or expired appliance checks every minute (so a resume lifts quickly): its refusal is
    // audited once an hour per installation and code, not on every beat. A Redis SET instead of an INSERT.
    const first = await deps.redis.set(`ls:hb-refused:${ctx.installation_id}:${err.code}`, '1', 'EX', REFUSAL_AUDIT_EVERY_SECONDS, 'NX').catch(() => 'OK');
    throw first === 'OK' ? await refuse(deps, err, { ...audit, action: 'appliance.heartbeat_refused' }) : err;
  }
  let boundIp = ctx.bound_ip;
  if (boundIp === null) {
    // The vendor cleared the binding (rebind without an IP): the next authenticated beat sets it.
    if (await bindIpIfUnbound(deps.db, ctx.license_id, ip)) {
      boundIp = ip;
      await insertAudit(deps.db, { ...audit, kind: 'appliance', action: 'appliance.bind_ip', after: { boundIp: ip } });
    } else {
      boundIp = (await findLicense(deps.db, ctx.license_id))!.bound_ip;
    }
  }
  if (boundIp !== ip) throw await refuse(deps, ipMismatch(ip), { ...audit, detail: { boundIp } });

  const fpHash = fingerprintHash(body.fingerprint);
  if (fpHash !== ctx.fingerprint_hash) {
    // Flag, do not refuse: honest hardware changes happen; a clone shows as a fingerprint that flips.
    await updateLicense(deps.db, ctx.license_id, { clone_suspected_at: deps.now() });
    await insertAudit(deps.db, {
      ...audit, kind: 'security', action: 'security.clone_suspected',
      detail: { reason: 'fingerprint_changed', previous: ctx.fingerprint_hash, current: fpHash, hostname: body.fingerprint.hostname },
    });
  }
  const seq = await recordHeartbeat(deps.db, {
    installationId: ctx.installation_id, licenseId: ctx.license_id, ip, version: body.version, usage: body.usage,
    fingerprintHash: fpHash, at: deps.now(),
  });
  const lease = issueLease(deps, {
    licenseId: ctx.license_id,
    client: { id: ctx.client_id, name: ctx.client_name },
    plan: { id: ctx.plan_id, code: ctx.plan_code, name: ctx.plan_name, version: ctx.plan_version, limits: ctx.limits, features: ctx.features },
    boundIp,
    installationId: ctx.installation_id,
    installationKeyId: ctx.key_id,
    licenseExpiresAt: ctx.expires_at,
    seq,
    nonce: body.nonce,
  });
  return { lease };
}
