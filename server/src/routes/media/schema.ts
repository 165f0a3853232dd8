import { z } from 'zod';

export const MessageIdParam = z.uuid();
