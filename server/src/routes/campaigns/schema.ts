import { z } from 'zod';
import { AudienceSchema } from '../../audiences/audienceQuery.js';

export const IdParam = z.uuid();

const Clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM');
const TimeZone = z.string().min(1).max(64).refine((tz) => {
  try { new Intl.DateTimeFormat('en-US', { timeZone: tz }); return true; } catch { return false; }
}, 'an IANA time zone');

export const SendWindowSchema = z.strictObject({
  days: z.array(z.int().min(1).max(7)).min(1).max(7).transform((d) => [...new Set(d)].sort()),
  from: Clock,
  to: Clock,
  timezone: TimeZone,
});

const SlotKey = z.string().regex(/^(header|body\.[A-Za-z0-9_]{1,40}|button\.\d{1,2})$/, "a template slot: 'header', 'body.1', 'button.0'");
export const ParamSourceSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('text'), value: z.string().max(1024) }),
  z.strictObject({ kind: z.literal('contact_field'), field: z.string().regex(/^[a-z0-9_]{1,40}$/) }),
  z.strictObject({ kind: z.literal('column'), column: z.string().min(1).max(100) }),
]);

const fields = {
  name: z.string().trim().min(1).max(200),
  connectionId: z.uuid(),
  templateId: z.uuid().nullable(),
  templateParams: z.record(SlotKey, ParamSourceSchema),
  audience: AudienceSchema.nullable(),
  ratePerSecond: z.int().min(1).max(1000).nullable(),
  sendWindow: SendWindowSchema.nullable(),
  dailyCap: z.int().min(1).max(10_000_000).nullable(),
  excludeOpenConversations: z.boolean(),
  requireConsent: z.boolean(),
  teamId: z.uuid().nullable(),
  flowId: z.uuid().nullable(),
  attributionHours: z.int().min(1).max(720),
};

export const CreateCampaignBody = z.strictObject({
  name: fields.name,
  connectionId: fields.connectionId,
  templateId: fields.templateId.optional(),
  templateParams: fields.templateParams.optional(),
  audience: fields.audience.optional(),
  ratePerSecond: fields.ratePerSecond.optional(),
  sendWindow: fields.sendWindow.optional(),
  dailyCap: fields.dailyCap.optional(),
  excludeOpenConversations: fields.excludeOpenConversations.optional(),
  requireConsent: fields.requireConsent.optional(),
  teamId: fields.teamId.optional(),
  flowId: fields.flowId.optional(),
  attributionHours: fields.attributionHours.optional(),
});
export type CreateCampaignInput = z.infer<typeof CreateCampaignBody>;

export const UpdateCampaignBody = CreateCampaignBody.partial();
export type UpdateCampaignInput = z.infer<typeof UpdateCampaignBody>;

export const StartBody = z.strictObject({ scheduledAt: z.iso.datetime({ offset: true }).nullable().optional() });
export const TestSendBody = z.strictObject({ phone: z.string().trim().min(1).max(40) });

const STATUSES = ['draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled'] as const;
export const ListQuery = z.object({
  status: z.string().optional().transform((s) => (s ? s.split(',').filter(Boolean) : [])).pipe(z.array(z.enum([...STATUSES, 'active'])))
    .transform((list) => list.flatMap((s) => (s === 'active' ? ['scheduled', 'running', 'paused'] : [s]))),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const RecipientsQuery = z.object({
  status: z.enum(['pending', 'queued', 'sent', 'delivered', 'read', 'failed', 'skipped']).optional(),
  cursor: z.string().max(40).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
