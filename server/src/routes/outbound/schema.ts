import { z } from 'zod';

const clientId = z.string().trim().min(1).max(64).optional();

/** A template as Meta takes it: name, language, and the components that carry its parameters. */
const Template = z.strictObject({
  name: z.string().trim().min(1).max(512).regex(/^[a-z0-9_]+$/, 'lowercase letters, digits and underscores'),
  language: z.union([
    z.string().trim().min(2).max(15),
    z.strictObject({ code: z.string().trim().min(2).max(15), policy: z.literal('deterministic').optional() }),
  ]),
  components: z.array(z.object({ type: z.string().min(1).max(40) }).passthrough()).max(20).optional(),
});

const TextBody = z.strictObject({
  clientId, type: z.literal('text'), text: z.string().min(1).max(4096).refine((t) => t.trim().length > 0, 'must not be blank'),
});
const MediaBody = z.strictObject({
  clientId,
  type: z.enum(['image', 'audio', 'video', 'document', 'sticker']),
  uploadId: z.uuid(),
  caption: z.string().max(1024).optional(),
});
const QuickReplyBody = z.strictObject({ clientId, quickReplyId: z.uuid() });
const TemplateBody = z.strictObject({ clientId, type: z.literal('template'), template: Template });

/**
 * A template's parameters by slot key ('header', 'body.1', 'button.0': templates/templateParams.ts): text,
 * or a media header as a public link or an upload of the sender's.
 */
export const TemplateParams = z.record(
  z.string().min(1).max(80),
  z.union([
    z.string().max(1024),
    z.strictObject({ link: z.url({ protocol: /^https?$/ }).max(2000), filename: z.string().trim().max(240).optional() }),
    z.strictObject({ uploadId: z.uuid() }),
  ]),
).refine((r) => Object.keys(r).length <= 40, 'at most 40 parameters');
/** A synced template (GET /api/templates) with its parameters: checked against the template before it is queued. */
const StoredTemplateBody = z.strictObject({ clientId, type: z.literal('template'), templateId: z.uuid(), params: TemplateParams.default({}) });

export const SendMessageBody = z.union([TextBody, MediaBody, QuickReplyBody, TemplateBody, StoredTemplateBody]);

/** Picks the variant by its shape first, so a mistake is reported on the field, not as "invalid input". */
export function sendBodySchema(body: unknown): z.ZodType<SendMessageInput> {
  const b = (body ?? {}) as Record<string, unknown>;
  if (typeof b === 'object' && 'quickReplyId' in b) return QuickReplyBody;
  if (b.type === 'text') return TextBody;
  if (b.type === 'template') return 'templateId' in b ? StoredTemplateBody : TemplateBody;
  if (typeof b.type === 'string' && MediaBody.shape.type.options.includes(b.type as never)) return MediaBody;
  return SendMessageBody;
}
export type SendMessageInput = z.infer<typeof SendMessageBody>;
export type TemplateInput = z.infer<typeof Template>;

export const IdParam = z.uuid();

export const UploadQuery = z.object({ filename: z.string().trim().min(1).max(255).optional() });
