import { z } from 'zod';

const fingerprint = z.strictObject({
  machineId: z.string().min(1).max(200),
  hostname: z.string().min(1).max(253),
  macs: z.array(z.string().max(64)).max(64),
  cpu: z.string().max(200),
});
const nonce = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, '16-64 base64url characters');
const timestamp = z.iso.datetime({ offset: true });
const version = z.string().regex(/^[0-9A-Za-z.+_-]{1,40}$/, 'a version such as 1.4.2');
const counter = z.number().int().min(0).max(1e12);

export const ActivateBody = z.strictObject({
  type: z.literal('activate'),
  licenseKey: z.string().max(80),
  publicKeyPem: z.string().max(4096),
  fingerprint,
  hostname: z.string().min(1).max(253),
  version,
  timestamp,
  nonce,
});

export type ActivateRequest = z.infer<typeof ActivateBody>;

export const HeartbeatBody = z.strictObject({
  type: z.literal('heartbeat'),
  installationId: z.uuid(),
  timestamp,
  nonce,
  version,
  fingerprint,
  usage: z.strictObject({ users: counter, connections: counter, messagesThisMonth: counter, campaignsThisMonth: counter }),
});

export type HeartbeatRequest = z.infer<typeof HeartbeatBody>;
