import { z } from 'zod';

export const IdParam = z.uuid();
/** The one-time token of an async webhook's callback URL (base64url of 32 bytes). */
export const CallbackToken = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'not a callback token');
/** Whatever the automation posts back: `variables` go into the flow as they are; any JSON is allowed. */
export const CallbackBody = z.union([z.record(z.string(), z.unknown()), z.array(z.unknown()), z.null()]).optional();

export const PreviewBody = z.strictObject({
  /** What the previous preview step returned; absent to start from the beginning. */
  state: z.unknown().optional(),
  input: z.union([
    z.strictObject({ text: z.string().max(4096) }),
    z.strictObject({ optionId: z.string().max(256) }),
    z.strictObject({ timeout: z.literal(true) }),
  ]).optional(),
});
export type PreviewInput = z.infer<typeof PreviewBody>;
