import { z } from 'zod';
import { TemplateParams } from '../outbound/schema.js';

const STATUSES = ['APPROVED', 'PENDING', 'REJECTED', 'PAUSED', 'DISABLED', 'IN_APPEAL', 'PENDING_DELETION', 'ARCHIVED', 'DELETED', 'LIMIT_EXCEEDED'] as const;

/** ?connectionId=&status=APPROVED or status=APPROVED,PAUSED */
export const ListTemplatesQuery = z.object({
  connectionId: z.uuid().optional(),
  status: z.string().trim().max(200).optional()
    .transform((s) => (s ? s.split(',').map((x) => x.trim().toUpperCase()).filter(Boolean) : undefined))
    .pipe(z.array(z.enum(STATUSES)).max(STATUSES.length).optional()),
});

export const SyncTemplatesBody = z.strictObject({ connectionId: z.uuid().optional() });

/** POST /api/conversations: a customer who may never have written, reached by an approved template. */
export const StartConversationBody = z.strictObject({
  connectionId: z.uuid(),
  phone: z.string().trim().min(1).max(40),
  templateId: z.uuid(),
  params: TemplateParams.default({}),
  teamId: z.uuid().optional(),
  clientId: z.string().trim().min(1).max(64).optional(),
});
export type StartConversationInput = z.infer<typeof StartConversationBody>;
