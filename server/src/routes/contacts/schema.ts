import { z } from 'zod';

export const IdParam = z.uuid();

export const ContactConversationsQuery = z.object({
  cursor: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

/** Tags are matched exactly by the inbox filter, so they are kept in one form: trimmed, lowercase, once each. */
const Tags = z
  .array(z.string().trim().toLowerCase().min(1).max(40))
  .max(20)
  .transform((tags) => [...new Set(tags)]);

const CustomFields = z
  .record(z.string().regex(/^[a-z0-9_]{1,40}$/, 'keys are 1-40 of a-z, 0-9 and _'), z.string().max(500))
  .refine((f) => Object.keys(f).length <= 30, 'at most 30 fields');

/** `customFields` replaces the whole set; `name: null` goes back to the profile name. */
export const UpdateContactBody = z
  .strictObject({
    name: z.string().trim().min(1).max(120).nullable().optional(),
    tags: Tags.optional(),
    customFields: CustomFields.optional(),
  })
  .refine((b) => b.name !== undefined || b.tags !== undefined || b.customFields !== undefined, { message: 'nothing to change' });
export type UpdateContactInput = z.infer<typeof UpdateContactBody>;
