import type { MessageTemplateRow } from '../repositories/messageTemplates.js';
import type { ParamSource } from '../repositories/campaigns.js';
import { buildTemplateContent, renderTemplateText, templateSlots, type TemplateValues } from '../templates/templateParams.js';
import type { TemplateInput } from '../routes/outbound/schema.js';

/** What a campaign's parameters read from: the contact and the recipient row's own columns (an import's). */
export interface RecipientFacts {
  name: string | null;
  profile_name: string | null;
  external_id: string;
  custom_fields: Record<string, unknown> | null;
  variables: Record<string, string> | null;
}

/** The value of one parameter for one recipient; undefined when the contact has none. */
export function paramValue(source: ParamSource, r: RecipientFacts): string | undefined {
  const clean = (v: unknown) => (v === null || v === undefined || String(v).trim() === '' ? undefined : String(v).trim());
  switch (source.kind) {
    case 'text':
      return clean(source.value);
    case 'column':
      return clean(r.variables?.[source.column]);
    case 'contact_field': {
      const name = clean(r.name) ?? clean(r.profile_name);
      if (source.field === 'name') return name;
      if (source.field === 'first_name') return name?.split(/\s+/)[0];
      if (source.field === 'phone') return r.external_id;
      return clean(r.custom_fields?.[source.field]);
    }
  }
}

export function valuesFor(params: Record<string, ParamSource>, r: RecipientFacts): TemplateValues {
  return Object.fromEntries(Object.entries(params).map(([k, s]) => [k, paramValue(s, r)]));
}

/** The send's `template` for this recipient (throws 422 template_params_invalid naming the slot). */
export function templateFor(template: MessageTemplateRow, params: Record<string, ParamSource>, r: RecipientFacts): TemplateInput {
  return buildTemplateContent(template, valuesFor(params, r));
}

export function renderedFor(template: MessageTemplateRow, params: Record<string, ParamSource>, r: RecipientFacts) {
  return renderTemplateText(template, valuesFor(params, r));
}

/** Slots of the template that no parameter fills: refused at start. */
export function unfilledSlots(template: MessageTemplateRow, params: Record<string, ParamSource>): string[] {
  return templateSlots(template).map((s) => s.key).filter((k) => !params[k]);
}
