import crypto from 'node:crypto';
import { signBody } from './requestSigning.js';

/**
 * Builds the signed requests an appliance sends. Pure: no I/O, so the appliance, the tests and the
 * benchmark all send exactly what PROTOCOL.md describes.
 */
export interface Fingerprint {
  machineId: string;
  hostname: string;
  macs: string[];
  cpu: string;
}

export interface Usage {
  users: number;
  connections: number;
  messagesThisMonth: number;
  campaignsThisMonth: number;
}

export interface SignedRequest {
  body: string;
  signature: string;
}

export function newNonce(): string {
  return crypto.randomBytes(18).toString('base64url');
}

export function activationRequest(a: {
  licenseKey: string;
  publicKeyPem: string;
  privateKey: crypto.KeyObject | string;
  fingerprint: Fingerprint;
  hostname: string;
  version: string;
  now: Date;
  nonce?: string;
}): SignedRequest {
  const body = JSON.stringify({
    type: 'activate',
    licenseKey: a.licenseKey,
    publicKeyPem: a.publicKeyPem,
    fingerprint: a.fingerprint,
    hostname: a.hostname,
    version: a.version,
    timestamp: a.now.toISOString(),
    nonce: a.nonce ?? newNonce(),
  });
  return { body, signature: signBody(body, a.privateKey) };
}

export function heartbeatRequest(h: {
  installationId: string;
  privateKey: crypto.KeyObject | string;
  fingerprint: Fingerprint;
  version: string;
  usage: Usage;
  now: Date;
  nonce?: string;
}): SignedRequest {
  const body = JSON.stringify({
    type: 'heartbeat',
    installationId: h.installationId,
    timestamp: h.now.toISOString(),
    nonce: h.nonce ?? newNonce(),
    version: h.version,
    fingerprint: h.fingerprint,
    usage: h.usage,
  });
  return { body, signature: signBody(body, h.privateKey) };
}
