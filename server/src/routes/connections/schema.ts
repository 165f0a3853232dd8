import { z } from 'zod';

const secret = z.string().trim().min(8).max(2048);
const id = z.string().trim().regex(/^\d{5,30}$/, 'the numeric id Meta shows');

const common = {
  name: z.string().trim().min(1).max(80),
  teamId: z.uuid().nullable().optional(),
  accessToken: secret,
  appSecret: secret,
  verifyToken: secret,
  sendRatePerSecond: z.number().int().min(1).max(1000).nullable().optional(),
};

export const CreateConnectionBody = z.discriminatedUnion('channel', [
  z.strictObject({
    channel: z.literal('whatsapp'),
    phoneNumberId: id,
    businessAccountId: id.optional(),
    displayPhoneNumber: z.string().trim().max(40).optional(),
    ...common,
  }),
  z.strictObject({ channel: z.literal('instagram'), accountId: id, ...common }),
]);
export type CreateConnectionInput = z.infer<typeof CreateConnectionBody>;

/** Secrets may be replaced (rotated), never read. */
export const UpdateConnectionBody = z.strictObject({
  name: common.name.optional(),
  teamId: common.teamId,
  sendRatePerSecond: common.sendRatePerSecond,
  accessToken: secret.optional(),
  appSecret: secret.optional(),
  verifyToken: secret.optional(),
});
export type UpdateConnectionInput = z.infer<typeof UpdateConnectionBody>;

export const IdParam = z.uuid();
