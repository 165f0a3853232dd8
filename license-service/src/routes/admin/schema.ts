import net from 'node:net';
import { z } from 'zod';
import { canonicalIp } from '#kit/sourceIp.js';
import { checkTaxId } from '#kit/taxId.js';

const count = z.number().int().min(0).max(1_000_000_000);
const limits = z.strictObject({ users: count, connections: count, messagesPerMonth: count, campaignsPerMonth: count });
const features = z.strictObject({ instagram: z.boolean(), chatbot: z.boolean(), campaigns: z.boolean(), api: z.boolean() });
// Stored in one spelling, so it compares equal to the address the service sees.
const ip = z.string().refine((s) => net.isIP(s) !== 0, 'must be an IPv4 or IPv6 address').transform(canonicalIp);
const future = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

export const PlanCreate = z.strictObject({
  code: z.string().regex(/^[a-z0-9][a-z0-9-]{1,39}$/, 'lowercase letters, digits and dashes, 2-40 characters'),
  name: z.string().trim().min(1).max(100),
  limits,
  features,
});

export const PlanPatch = z
  .strictObject({ name: z.string().trim().min(1).max(100).optional(), limits: limits.partial().optional(), features: features.partial().optional() })
  .refine((p) => p.name !== undefined || p.limits !== undefined || p.features !== undefined, 'name, limits or features is required');

export const ClientCreate = z.strictObject({
  name: z.string().trim().min(1).max(200),
  email: z.email().max(254),
  taxId: z
    .string()
    .max(40)
    .nullish()
    .transform((s, ctx) => {
      if (!s) return null;
      const r = checkTaxId(s);
      if (!r.ok) {
        ctx.addIssue({ code: 'custom', message: r.message });
        return z.NEVER;
      }
      return r.normalized;
    }),
});

export const LicenseIssue = z
  .strictObject({
    clientId: z.uuid(),
    planId: z.uuid(),
    expiresAt: future.optional(),
    validDays: z.number().int().min(1).max(3650).optional(),
    boundIp: ip.optional(),
  })
  .refine((l) => (l.expiresAt === undefined) !== (l.validDays === undefined), 'give exactly one of expiresAt or validDays');

export const StatusChange = z.strictObject({ reason: z.string().max(500).optional() });

export const Renew = z
  .strictObject({ expiresAt: future.optional(), extendDays: z.number().int().min(1).max(3650).optional() })
  .refine((r) => (r.expiresAt === undefined) !== (r.extendDays === undefined), 'give exactly one of expiresAt or extendDays');

export const ChangePlan = z.strictObject({ planId: z.uuid() });

export const Rebind = z
  .strictObject({ ip: ip.nullable().optional(), newMachine: z.boolean().optional() })
  .refine((r) => r.ip !== undefined || r.newMachine === true, 'give ip (an address, or null to bind at the next contact) and/or newMachine: true');

const pageParams = {
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
};

export const ClientList = z.strictObject(pageParams);
export const LicenseList = z.strictObject({ ...pageParams, clientId: z.uuid().optional(), status: z.enum(['active', 'suspended', 'revoked']).optional() });
export const InstallationList = z.strictObject({
  ...pageParams,
  licenseId: z.uuid().optional(),
  status: z.enum(['active', 'superseded']).optional(),
  stale: z.enum(['true', 'false']).optional(),
});
export const AuditList = z.strictObject({
  ...pageParams,
  kind: z.enum(['admin', 'security', 'appliance']).optional(),
  action: z.string().regex(/^[a-z_.]+\*?$/, 'an action such as license.suspend, or a prefix ending in *').max(80).optional(),
  licenseId: z.uuid().optional(),
  actor: z.string().max(120).optional(),
  since: z.iso.datetime({ offset: true }).transform((s) => new Date(s)).optional(),
  until: z.iso.datetime({ offset: true }).transform((s) => new Date(s)).optional(),
});

export const IdParam = z.uuid();
