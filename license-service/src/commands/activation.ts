import crypto from 'node:crypto';
import type { Deps } from '../deps.js';
import {
  AppError, invalidLicenseKey, invalidSignature, ipMismatch, licenseAlreadyActivated, licenseNotFound, tooManyAttempts,
  validationFailed,
} from '../errors.js';
import { checkLicenseKey, hashLicenseKey } from '#protocol/licenseKey.js';
import { publicKeyId, verifyBody } from '#protocol/requestSigning.js';
import type { LeaseEnvelope } from '#protocol/lease.js';
import { assertLicenseUsable } from '../policies/licenseStanding.js';
import { findClient } from '../repositories/clients.js';
import {
  findActiveInstallation, insertInstallation, nextLeaseSeq, updateInstallationOnActivation,
} from '../repositories/installations.js';
import { findLicenseByKeyHash, updateLicense } from '../repositories/licenses.js';
import { insertAudit } from '../repositories/audit.js';
import { findPlan } from '../repositories/plans.js';
import type { ActivateRequest } from '../routes/appliance/schema.js';
import { refuse } from './auditTrail.js';
import { fingerprintHash } from './fingerprintHash.js';
import { issueLease } from './leaseIssuer.js';
import { checkFreshness } from './requestFreshness.js';

type Outcome =
  | { ok: ActivationResult }
  | { refused: AppError; countsAsGuess?: boolean; licenseId?: string; detail?: unknown };

export interface ActivationResult {
  installationId: string;
  licenseId: string;
  client: { id: string; name: string };
  plan: { id: string; code: string; name: string };
  licenseExpiresAt: string;
  boundIp: string;
  lease: LeaseEnvelope;
}

/**
 * Binds a license to this machine (its public key and fingerprint) and to the source IP, and returns
 * the first lease. Running it again from the same machine (same key) is allowed and refreshes the facts;
 * from another machine it is refused until the vendor rebinds the license.
 */
export async function activate(
  deps: Deps,
  req: { body: ActivateRequest; rawBody: Buffer; signature: string; ip: string },
): Promise<ActivationResult> {
  const { body, ip } = req;
  const cfg = deps.config;

  const key = checkLicenseKey(body.licenseKey);
  const keyHash = key.ok ? hashLicenseKey(key.normalized) : null;
  const subjects = [{ key: `ip:${ip}`, limit: cfg.GUESS_LIMIT_PER_IP }];
  if (keyHash) subjects.push({ key: `key:${keyHash}`, limit: cfg.GUESS_LIMIT_PER_KEY });
  const wait = await deps.attempts.blockedFor(subjects);
  if (wait > 0) {
    // Recorded once per IP and window: a flood of refused requests must not become a flood of writes.
    const first = await deps.redis.set(`ls:throttle-audited:${ip}`, '1', 'EX', wait, 'NX');
    if (first !== 'OK') throw tooManyAttempts(wait);
    throw await refuse(deps, tooManyAttempts(wait), { actor: 'appliance', ip, action: 'security.activation_throttled' });
  }
  const failed = async (error: AppError, extra: { licenseId?: string; detail?: unknown } = {}) => {
    await deps.attempts.recordFailure(subjects.map((s) => s.key));
    return refuse(deps, error, { actor: 'appliance', ip, action: 'security.activation_refused', ...extra });
  };

  if (!key.ok) throw await failed(invalidLicenseKey(key.reason));

  let publicKey: crypto.KeyObject;
  try {
    publicKey = crypto.createPublicKey(body.publicKeyPem);
  } catch {
    throw validationFailed('publicKeyPem: not a PEM public key');
  }
  if (publicKey.asymmetricKeyType !== 'rsa' && publicKey.asymmetricKeyType !== 'ed25519') {
    throw validationFailed('publicKeyPem: must be an RSA or Ed25519 key');
  }
  if (publicKey.asymmetricKeyType === 'rsa' && (publicKey.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) {
    throw validationFailed('publicKeyPem: RSA keys must have at least 2048 bits');
  }
  // Proof that the caller holds the private key it asks us to trust.
  if (!verifyBody(req.rawBody, req.signature, publicKey)) throw await failed(invalidSignature());
  const keyId = publicKeyId(publicKey);
  const stale = await checkFreshness(deps, `activate:${keyId}`, body.timestamp, body.nonce);
  if (stale) throw await refuse(deps, stale, { actor: 'appliance', ip, action: 'security.activation_refused' });

  const fpHash = fingerprintHash(body.fingerprint);
  const result = await deps.db.transaction(async (trx): Promise<Outcome> => {
    const license = await findLicenseByKeyHash(trx, keyHash!, true);
    if (!license) return { refused: licenseNotFound(), countsAsGuess: true };
    try {
      assertLicenseUsable(license, deps.now());
    } catch (err) {
      if (err instanceof AppError) return { refused: err, licenseId: license.id };
      throw err;
    }
    if (license.bound_ip && license.bound_ip !== ip) {
      return { refused: ipMismatch(ip), licenseId: license.id, detail: { boundIp: license.bound_ip } };
    }
    const current = await findActiveInstallation(trx, license.id);
    if (current && current.key_id !== keyId) {
      // The same key from a second machine: the signature of a shared or copied license key.
      await updateLicense(trx, license.id, { clone_suspected_at: deps.now() });
      return {
        refused: licenseAlreadyActivated(),
        licenseId: license.id,
        detail: { reason: 'second_machine', activeInstallationId: current.id, hostname: body.hostname },
      };
    }
    const facts = { fingerprint: body.fingerprint, fingerprint_hash: fpHash, hostname: body.hostname, version: body.version, last_ip: ip };
    const installation = current
      ? await updateInstallationOnActivation(trx, current.id, facts)
      : await insertInstallation(trx, { ...facts, license_id: license.id, public_key_pem: body.publicKeyPem, key_id: keyId });
    const bound = license.bound_ip ?? ip;
    if (!license.bound_ip) await updateLicense(trx, license.id, { bound_ip: bound });
    const plan = (await findPlan(trx, license.plan_id))!;
    const client = (await findClient(trx, license.client_id))!;
    const seq = await nextLeaseSeq(trx, license.id);
    await insertAudit(trx, {
      kind: 'appliance', action: current ? 'appliance.reactivate' : 'appliance.activate', actor: `installation:${installation.id}`,
      ip, licenseId: license.id, subjectType: 'installation', subjectId: installation.id,
      after: { boundIp: bound, hostname: body.hostname, version: body.version, keyId },
    });
    const lease = issueLease(deps, {
      licenseId: license.id,
      client: { id: client.id, name: client.name },
      plan: { id: plan.id, code: plan.code, name: plan.name, version: plan.version, limits: plan.limits, features: plan.features },
      boundIp: bound,
      installationId: installation.id,
      installationKeyId: keyId,
      licenseExpiresAt: license.expires_at,
      seq,
      nonce: body.nonce,
    });
    return {
      ok: {
        installationId: installation.id,
        licenseId: license.id,
        client: { id: client.id, name: client.name },
        plan: { id: plan.id, code: plan.code, name: plan.name },
        licenseExpiresAt: license.expires_at.toISOString(),
        boundIp: bound,
        lease,
      } satisfies ActivationResult,
    };
  });
  if ('ok' in result) return result.ok;
  if (result.countsAsGuess) throw await failed(result.refused);
  throw await refuse(deps, result.refused, {
    actor: 'appliance', ip, action: 'security.activation_refused', licenseId: result.licenseId, detail: result.detail,
  });
}
