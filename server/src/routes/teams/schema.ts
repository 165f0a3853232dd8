import { z } from 'zod';

export const TeamBody = z.strictObject({ name: z.string().trim().min(1).max(80) });
export const IdParam = z.uuid();
