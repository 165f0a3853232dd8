import { z } from 'zod';

export const IdParam = z.uuid();

/** Typed as `/shortcut` in the composer; stored without the slash. */
const Shortcut = z
  .string()
  .trim()
  .transform((s) => s.replace(/^\//, ''))
  .pipe(z.string().regex(/^[a-z0-9_-]{1,32}$/, '1-32 of a-z, 0-9, _ and -'));
const Text = z.string().max(4096).refine((t) => t.trim().length > 0, 'must not be blank');

export const ListQuickRepliesQuery = z.object({
  q: z.string().trim().max(33).optional().transform((s) => s?.replace(/^\//, '').toLowerCase() || undefined),
});

export const CreateQuickReplyBody = z.strictObject({ shortcut: Shortcut, text: Text });
export type CreateQuickReplyInput = z.infer<typeof CreateQuickReplyBody>;

export const UpdateQuickReplyBody = z
  .strictObject({ shortcut: Shortcut.optional(), text: Text.optional() })
  .refine((b) => b.shortcut !== undefined || b.text !== undefined, { message: 'nothing to change' });
export type UpdateQuickReplyInput = z.infer<typeof UpdateQuickReplyBody>;
