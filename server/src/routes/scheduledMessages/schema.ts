import { z } from 'zod';
import { TemplateParams } from '../outbound/schema.js';

export const IdParam = z.uuid();

/** A template as Meta takes it (the same shape the composer sends: routes/outbound/schema.ts). */
export const Template = z.strictObject({
  name: z.string().trim().min(1).max(512).regex(/^[a-z0-9_]+$/, 'lowercase letters, digits and underscores'),
  language: z.union([
    z.string().trim().min(2).max(15),
    z.strictObject({ code: z.string().trim().min(2).max(15), policy: z.literal('deterministic').optional() }),
  ]),
  components: z.array(z.object({ type: z.string().min(1).max(40) }).passthrough()).max(20).optional(),
});

/**
 * A template is given in Meta's shape (`template`), or as a synced template (GET /api/templates) with its
 * parameters by slot (`templateId`, `params`), as the dashboard's picker gives it: checked and built into
 * Meta's shape when the item is saved (commands/scheduledMessages.ts resolveTemplates).
 */
const Content = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('text'), text: z.string().min(1).max(4096).refine((t) => t.trim().length > 0, 'must not be blank') }),
  z.strictObject({ type: z.enum(['image', 'audio', 'video', 'document', 'sticker']), uploadId: z.uuid(), caption: z.string().max(1024).optional() }),
  z.strictObject({ type: z.literal('template'), template: Template.optional(), templateId: z.uuid().optional(), params: TemplateParams.optional() })
    .refine((c) => (c.template ? !c.templateId && !c.params : !!c.templateId), { message: 'give template, or templateId with its params', path: ['template'] }),
]);
/** Meta's shape, or a synced template with its parameters (one object, so a mistake is named on its field). */
const Fallback = Template.partial().extend({ templateId: z.uuid().optional(), params: TemplateParams.optional() }).strict()
  .refine((f) => (f.templateId ? !f.name && !f.language && !f.components : !!f.name && !!f.language && !f.params), {
    message: 'give name and language, or templateId with its params', path: ['name'],
  })
  .nullable().optional();

const Instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s));
const Recurrence = z.enum(['none', 'daily', 'weekly', 'monthly']);
/** Up to 30 days late after downtime; 0 = only on time (within the worker's tick). */
const MaxLateness = z.number().int().min(0).max(30 * 86_400);

export const CreateScheduleBody = z.strictObject({
  conversationId: z.uuid().optional(),
  connectionId: z.uuid().optional(),
  contactId: z.uuid().optional(),
  content: Content,
  fallbackTemplate: Fallback,
  sendAt: Instant,
  recurrence: Recurrence.default('none'),
  repeatUntil: Instant.nullable().optional(),
  maxLatenessSeconds: MaxLateness.default(3600),
  cancelIfCustomerWrites: z.boolean().default(false),
}).refine((b) => (b.conversationId ? !b.connectionId && !b.contactId : !!b.connectionId && !!b.contactId), {
  message: 'give conversationId, or connectionId and contactId',
  path: ['conversationId'],
});
export type CreateScheduleInput = z.infer<typeof CreateScheduleBody>;

export const UpdateScheduleBody = z.strictObject({
  content: Content.optional(),
  fallbackTemplate: Fallback,
  sendAt: Instant.optional(),
  recurrence: Recurrence.optional(),
  repeatUntil: Instant.nullable().optional(),
  maxLatenessSeconds: MaxLateness.optional(),
  cancelIfCustomerWrites: z.boolean().optional(),
}).refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'nothing to change' });
export type UpdateScheduleInput = z.infer<typeof UpdateScheduleBody>;

export const ListSchedulesQuery = z.object({
  conversationId: z.uuid().optional(),
  status: z.enum(['pending', 'sent', 'failed', 'cancelled', 'expired']).optional(),
  cursor: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
