import type { Knex } from 'knex';
import { AppError, notFound } from '../errors.js';
import { findTemplate, type MessageTemplateRow } from '../repositories/messageTemplates.js';
import type { TemplateInput } from '../routes/outbound/schema.js';
import { buildTemplateContent, renderTemplateText, type TemplateValues } from './templateParams.js';

export const templateNotApproved = (t: Pick<MessageTemplateRow, 'name' | 'status'>) =>
  new AppError(422, 'template_not_approved', `the template ${t.name} is ${t.status} at Meta: only approved templates can be sent`, { status: t.status });

/** What the customer reads of a template send: header text, body and footer, as one text. */
export function templateText(t: MessageTemplateRow, values: TemplateValues): string {
  const r = renderTemplateText(t, values);
  return [r.header, r.body, r.footer].filter((s) => s && s.trim()).join('\n\n');
}

/**
 * A stored template of this connection, approved, with its parameters: the `template` content of a
 * send (queueOutboundMessage). 404 for another connection's template; 422 template_not_approved;
 * 422 template_params_invalid naming the slot.
 */
export async function storedTemplateContent(db: Knex, connectionId: string, templateId: string, params: TemplateValues):
Promise<{ type: 'template'; template: TemplateInput; text: string }> {
  const t = await findTemplate(db, templateId);
  if (!t || t.connection_id !== connectionId) throw notFound('template');
  if (t.status !== 'APPROVED') throw templateNotApproved(t);
  return { type: 'template', template: buildTemplateContent(t, params), text: templateText(t, params) };
}
