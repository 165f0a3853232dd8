import crypto from 'node:crypto';
import { canonicalJson, type Json } from './canonicalJson.js';

export const LEASE_FORMAT = 1;

export interface PlanLimits {
  users: number;
  connections: number;
  messagesPerMonth: number;
  campaignsPerMonth: number;
}

export interface PlanFeatures {
  instagram: boolean;
  chatbot: boolean;
  campaigns: boolean;
  api: boolean;
}

/** What a lease states. All times are ISO-8601 UTC strings; all numbers are integers. */
export interface Lease {
  format: number;
  licenseId: string;
  client: { id: string; name: string };
  plan: { id: string; code: string; name: string; version: number; limits: PlanLimits; features: PlanFeatures };
  boundIp: string;
  installationId: string;
  installationKeyId: string;
  licenseExpiresAt: string;
  issuedAt: string;
  notAfter: string;
  seq: number;
  nonce: string;
  serviceTime: string;
  heartbeatIntervalSeconds: number;
  /** How long the appliance keeps full function after notAfter while the service is unreachable. Set by the vendor. */
  gracePeriodSeconds: number;
}

/**
 * The signed form. `payload` is the lease as canonical JSON text, signed byte for byte; the appliance
 * stores the envelope as received and verifies the same bytes again whenever it loads it.
 */
export interface LeaseEnvelope {
  payload: string;
  alg: 'RS256' | 'EdDSA';
  kid: string;
  signature: string;
}

export function signLease(lease: Lease, key: { kid: string; privateKey: crypto.KeyObject }): LeaseEnvelope {
  const payload = canonicalJson(lease as unknown as Json);
  const isEd = key.privateKey.asymmetricKeyType === 'ed25519';
  const signature = crypto.sign(isEd ? null : 'sha256', Buffer.from(payload), key.privateKey).toString('base64');
  return { payload, alg: isEd ? 'EdDSA' : 'RS256', kid: key.kid, signature };
}

export type LeaseVerification =
  | { ok: true; lease: Lease }
  | { ok: false; reason: 'malformed' | 'unknown_key' | 'bad_signature' | 'not_canonical' };

/**
 * Verifies an envelope against the trusted public keys (kid → key). Any edited byte of the payload,
 * the signature or the kid fails. The payload must also be canonical, so no two texts verify as one lease.
 */
export function verifyLease(envelope: unknown, trustedKeys: ReadonlyMap<string, crypto.KeyObject>): LeaseVerification {
  if (!isEnvelope(envelope)) return { ok: false, reason: 'malformed' };
  const key = trustedKeys.get(envelope.kid);
  if (!key) return { ok: false, reason: 'unknown_key' };
  const expectedAlg = key.asymmetricKeyType === 'ed25519' ? 'EdDSA' : 'RS256';
  if (envelope.alg !== expectedAlg) return { ok: false, reason: 'bad_signature' };
  let valid = false;
  try {
    valid = crypto.verify(
      expectedAlg === 'EdDSA' ? null : 'sha256',
      Buffer.from(envelope.payload),
      key,
      Buffer.from(envelope.signature, 'base64'),
    );
  } catch {
    valid = false;
  }
  if (!valid) return { ok: false, reason: 'bad_signature' };
  let lease: unknown;
  try {
    lease = JSON.parse(envelope.payload);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (canonicalJson(lease as Json) !== envelope.payload) return { ok: false, reason: 'not_canonical' };
  if (!isLease(lease)) return { ok: false, reason: 'malformed' };
  return { ok: true, lease };
}

function isEnvelope(v: unknown): v is LeaseEnvelope {
  if (!v || typeof v !== 'object') return false;
  const e = v as Record<string, unknown>;
  return typeof e.payload === 'string' && typeof e.kid === 'string' && typeof e.signature === 'string'
    && (e.alg === 'RS256' || e.alg === 'EdDSA') && /^[A-Za-z0-9+/]+={0,2}$/.test(e.signature);
}

function isLease(v: unknown): v is Lease {
  if (!v || typeof v !== 'object') return false;
  const l = v as Record<string, unknown>;
  return l.format === LEASE_FORMAT && typeof l.licenseId === 'string' && typeof l.seq === 'number'
    && typeof l.notAfter === 'string' && typeof l.gracePeriodSeconds === 'number' && typeof l.issuedAt === 'string' && typeof l.plan === 'object' && l.plan !== null;
}
