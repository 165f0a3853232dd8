import { z } from 'zod';
import { password } from '../auth/schema.js';

const role = z.enum(['admin', 'supervisor', 'attendant']);
const teamIds = z.array(z.uuid()).max(100);

export const UserCreate = z.strictObject({
  email: z.email().max(254),
  name: z.string().trim().min(1).max(120),
  role,
  password,
  teamIds: teamIds.default([]),
});

export const UserPatch = z
  .strictObject({ name: z.string().trim().min(1).max(120).optional(), role: role.optional(), teamIds: teamIds.optional(), disabled: z.boolean().optional() })
  .refine((p) => Object.values(p).some((v) => v !== undefined), 'name, role, teamIds or disabled is required');

export const PasswordReset = z.strictObject({ password });

export const UserList = z.strictObject({ cursor: z.string().max(200).optional(), limit: z.coerce.number().int().min(1).max(200).default(50) });

export const IdParam = z.uuid();
