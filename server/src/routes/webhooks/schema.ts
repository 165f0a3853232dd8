import { z } from 'zod';

/** Meta's verification request: GET …?hub.mode=subscribe&hub.verify_token=…&hub.challenge=… */
export const VerifyQuery = z.object({
  'hub.mode': z.literal('subscribe'),
  'hub.verify_token': z.string().min(1).max(2048),
  'hub.challenge': z.string().min(1).max(512),
});

/** Connection ids are UUIDs; anything else cannot name one (and must not reach PostgreSQL as a uuid). */
export const ConnectionIdParam = z.uuid();

/** The part of the envelope checked before a body is stored; the rest is read by the worker. */
export const WhatsAppEnvelope = z.object({ object: z.literal('whatsapp_business_account'), entry: z.array(z.unknown()) });
export const InstagramEnvelope = z.object({ object: z.literal('instagram'), entry: z.array(z.unknown()) });
