import type { z } from 'zod';
import { validationFailed } from '../errors.js';

/** Parses input with a schema; failures become `validation_failed` naming the first bad field. */
export function parse<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.length ? issue.path.join('.') : 'body';
  throw validationFailed(`${path}: ${issue.message}`);
}
