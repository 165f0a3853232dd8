import type { z } from 'zod';
import { validationFailed } from '../errors.js';
import { cleanJson } from '../text.js';
import { MAX_BODY_DEPTH } from './jsonBody.js';

/**
 * Parses input with a schema; failures become `validation_failed` naming the first bad field.
 * `label` names the input when the schema is not an object (a path parameter such as `id`).
 *
 * Every input is cleaned first with kit/text.ts, whatever it is (a JSON body, ctx.query, a path
 * parameter): NUL removed, unpaired surrogates replaced. So the schema judges the text as it will be
 * stored — a name that was only "\u0000" is empty and fails its min length — and no text PostgreSQL
 * refuses gets past the edge. JSON bodies were cleaned by jsonBody already; again costs one walk.
 */
export function parse<S extends z.ZodType>(schema: S, input: unknown, label = 'body'): z.infer<S> {
  const cleaned = cleanJson(input, { maxDepth: MAX_BODY_DEPTH });
  if (cleaned.cut) throw validationFailed(`${label}: nested deeper than ${MAX_BODY_DEPTH} levels`);
  const result = schema.safeParse(cleaned.value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.length ? issue.path.join('.') : label;
  throw validationFailed(`${path}: ${issue.message}`);
}
