import type { z } from 'zod';
import { validationFailed } from '../errors.js';

/**
 * Parses input with a schema; failures become `validation_failed` naming the first bad field.
 * `label` names the input when the schema is not an object (a path parameter such as `id`).
 */
export function parse<S extends z.ZodType>(schema: S, input: unknown, label = 'body'): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.length ? issue.path.join('.') : label;
  throw validationFailed(`${path}: ${issue.message}`);
}
