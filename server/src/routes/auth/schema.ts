import { z } from 'zod';

export const password = z.string().min(10, 'at least 10 characters').max(200);

export const Login = z.strictObject({ email: z.email().max(254), password: z.string().min(1).max(200) });
export const ChangePassword = z.strictObject({ currentPassword: z.string().min(1).max(200), newPassword: password });
