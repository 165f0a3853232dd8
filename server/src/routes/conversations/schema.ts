import { z } from 'zod';

export const IdParam = z.uuid();

const cursor = z.string().min(1).max(200).optional();
const limit = z.coerce.number().int().min(1).max(100).default(30);
/** An empty search box is no search. */
const optionalText = (max: number) => z.string().trim().max(max).optional().transform((s) => s || undefined);

export const ListConversationsQuery = z.object({
  queue: z.enum(['unassigned', 'mine', 'team', 'bot', 'all']).default('all'),
  status: z.enum(['open', 'resolved', 'all']).default('open'),
  connectionId: z.uuid().optional(),
  tag: optionalText(40).transform((s) => s?.toLowerCase()),
  q: optionalText(100),
  cursor,
  limit,
});
export type ListConversationsInput = z.infer<typeof ListConversationsQuery>;

export const CountsQuery = z.object({ status: z.enum(['open', 'resolved', 'all']).default('open') });

export const ListMessagesQuery = z.object({ cursor, limit });

/** `userId: null` gives it back to the team's unassigned queue. */
export const AssignBody = z.strictObject({ userId: z.uuid().nullable() });

export const TransferBody = z
  .strictObject({ teamId: z.uuid().nullable().optional(), userId: z.uuid().nullable().optional() })
  .refine((b) => b.teamId !== undefined || b.userId !== undefined, { message: 'give teamId, userId or both' });
export type TransferInput = z.infer<typeof TransferBody>;

export const NoteBody = z.strictObject({
  text: z.string().max(4096).refine((t) => t.trim().length > 0, 'must not be blank'),
});
