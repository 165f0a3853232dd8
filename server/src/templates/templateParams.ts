import { AppError } from '#kit/errors.js';
import type { TemplateInput } from '../routes/outbound/schema.js';

/**
 * The parameters a WhatsApp message template needs, and the `template` object of a send built from
 * values for them. Pure functions: the composer, "new conversation", campaigns and schedules resolve the
 * values (typed by a person, a contact field, a CSV column) and call buildTemplateContent.
 *
 * Slot keys:
 *   'header'        the header's one variable ({{1}} of a TEXT header) or its media (IMAGE, VIDEO, DOCUMENT)
 *   'body.<name>'   a body variable by its placeholder: 'body.1', 'body.2' (positional) or 'body.first_name' (named)
 *   'button.<i>'    the variable of button i (0-based, in the template's button order): a dynamic URL's suffix or a copy code
 * Values: a string for text slots; { link, filename? } (a public https URL) or { uploadId } (a file uploaded
 * to the appliance, sent to Meta by the send worker) for media headers.
 */

/** A template as stored (message_templates) or as Meta lists it. */
export interface TemplateDefinition {
  name: string;
  language: string;
  components: Array<Record<string, any>>;
}

export type SlotKind = 'text' | 'image' | 'document' | 'video';

export interface TemplateSlot {
  key: string;
  component: 'header' | 'body' | 'button';
  /** header 0; body: the variable's position (1-based); button: the button's index. */
  index: number;
  kind: SlotKind;
  /** Named placeholders only: the parameter_name Meta expects. */
  name?: string;
  /** Meta's example for it (from the template's review), if any. */
  example: string | null;
}

export type MediaValue = { link: string; filename?: string } | { uploadId: string };
export type TemplateValue = string | MediaValue;
export type TemplateValues = Record<string, TemplateValue | undefined>;

export const templateParamsInvalid = (slot: string, why: string) =>
  new AppError(422, 'template_params_invalid', `${slot}: ${why}`, { slot });

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;
const MEDIA_FORMATS = new Set(['IMAGE', 'VIDEO', 'DOCUMENT']);
/** Meta's limit on one text parameter of a body is the body's 1024; we keep each one shorter than that. */
const TEXT_PARAM_MAX = 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The placeholders of a text in order of first appearance. */
export function placeholdersOf(text: unknown): string[] {
  if (typeof text !== 'string') return [];
  const out: string[] = [];
  for (const m of text.matchAll(PLACEHOLDER)) if (!out.includes(m[1]!)) out.push(m[1]!);
  return out;
}

const upper = (v: unknown): string => String(v ?? '').toUpperCase();
const componentOf = (t: TemplateDefinition, type: string) => t.components.find((c) => upper(c?.type) === type);
const buttonsOf = (t: TemplateDefinition): Array<Record<string, any>> => {
  const b = componentOf(t, 'BUTTONS')?.buttons;
  return Array.isArray(b) ? b : [];
};
const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

/** The slots a template needs filled for a send, in the order Meta reads them: header, body, buttons. */
export function templateSlots(template: TemplateDefinition): TemplateSlot[] {
  const slots: TemplateSlot[] = [];
  const header = componentOf(template, 'HEADER');
  if (header) {
    const format = upper(header.format || 'TEXT');
    if (MEDIA_FORMATS.has(format)) {
      slots.push({ key: 'header', component: 'header', index: 0, kind: format.toLowerCase() as SlotKind, example: str(header.example?.header_handle?.[0]) });
    } else {
      const names = placeholdersOf(header.text);
      if (names.length) {
        const named = !/^\d+$/.test(names[0]!);
        const example = named ? str(header.example?.header_text_named_params?.[0]?.example) : str(header.example?.header_text?.[0]);
        slots.push({ key: 'header', component: 'header', index: 0, kind: 'text', ...(named ? { name: names[0]! } : {}), example });
      }
    }
  }
  const body = componentOf(template, 'BODY');
  if (body) {
    placeholdersOf(body.text).forEach((name, i) => {
      const named = !/^\d+$/.test(name);
      const example = named
        ? str((body.example?.body_text_named_params ?? []).find((p: any) => p?.param_name === name)?.example)
        : str(body.example?.body_text?.[0]?.[Number(name) - 1]);
      slots.push({ key: `body.${name}`, component: 'body', index: named ? i + 1 : Number(name), kind: 'text', ...(named ? { name } : {}), example });
    });
  }
  buttonsOf(template).forEach((b, index) => {
    const type = upper(b?.type);
    if (type === 'URL' && placeholdersOf(b.url).length) {
      slots.push({ key: `button.${index}`, component: 'button', index, kind: 'text', example: str(Array.isArray(b.example) ? b.example[0] : b.example) });
    } else if (type === 'COPY_CODE') {
      slots.push({ key: `button.${index}`, component: 'button', index, kind: 'text', example: str(Array.isArray(b.example) ? b.example[0] : b.example) });
    }
  });
  return slots;
}

function textValue(slot: TemplateSlot, v: TemplateValue | undefined): string {
  if (v === undefined || v === null) throw templateParamsInvalid(slot.key, 'missing');
  if (typeof v !== 'string') throw templateParamsInvalid(slot.key, 'must be text');
  const text = v.trim();
  if (!text) throw templateParamsInvalid(slot.key, 'missing');
  if (text.length > TEXT_PARAM_MAX) throw templateParamsInvalid(slot.key, `at most ${TEXT_PARAM_MAX} characters`);
  // Meta refuses body parameters with line breaks, tabs or more than four consecutive spaces (132018).
  if (slot.component === 'body' && (/[\n\t]/.test(text) || / {5,}/.test(text))) {
    throw templateParamsInvalid(slot.key, 'no line breaks, tabs or runs of more than four spaces');
  }
  return text;
}

function mediaValue(slot: TemplateSlot, v: TemplateValue | undefined): Record<string, string> {
  if (v === undefined || v === null || v === '') throw templateParamsInvalid(slot.key, 'missing');
  if (typeof v === 'string' || typeof v !== 'object') throw templateParamsInvalid(slot.key, `a ${slot.kind} is needed: { link } or { uploadId }`);
  if ('uploadId' in v) {
    if (typeof v.uploadId !== 'string' || !UUID.test(v.uploadId)) throw templateParamsInvalid(slot.key, 'uploadId must be an upload id');
    // Replaced by Meta's media id when the send worker uploads the file (messaging/whatsappSend.ts).
    return { upload_id: v.uploadId };
  }
  if (!('link' in v) || typeof v.link !== 'string' || !/^https?:\/\/[^\s]+$/i.test(v.link)) {
    throw templateParamsInvalid(slot.key, 'link must be an http(s) URL');
  }
  const out: Record<string, string> = { link: v.link };
  if (slot.kind === 'document' && typeof v.filename === 'string' && v.filename.trim()) out.filename = v.filename.trim().slice(0, 240);
  return out;
}

/**
 * The `template` of a send, in Meta's shape (name, language, components with parameters), from a value
 * for every slot. Throws 422 `template_params_invalid` naming the first slot that is missing or wrong,
 * and for a value given for a slot the template does not have (a typo would otherwise go unnoticed).
 */
export function buildTemplateContent(template: TemplateDefinition, values: TemplateValues): TemplateInput {
  const slots = templateSlots(template);
  const known = new Set(slots.map((s) => s.key));
  for (const key of Object.keys(values)) {
    if (!known.has(key) && values[key] !== undefined) throw templateParamsInvalid(key, 'this template has no such parameter');
  }
  const components: Array<Record<string, unknown>> = [];
  const header = slots.find((s) => s.component === 'header');
  if (header) {
    const parameter = header.kind === 'text'
      ? { type: 'text', text: textValue(header, values.header), ...(header.name ? { parameter_name: header.name } : {}) }
      : { type: header.kind, [header.kind]: mediaValue(header, values.header) };
    components.push({ type: 'header', parameters: [parameter] });
  }
  const body = slots.filter((s) => s.component === 'body');
  if (body.length) {
    components.push({
      type: 'body',
      parameters: body.map((s) => ({ type: 'text', text: textValue(s, values[s.key]), ...(s.name ? { parameter_name: s.name } : {}) })),
    });
  }
  const buttons = buttonsOf(template);
  for (const s of slots.filter((x) => x.component === 'button')) {
    const type = upper(buttons[s.index]?.type);
    const value = textValue(s, values[s.key]);
    components.push(type === 'COPY_CODE'
      ? { type: 'button', sub_type: 'copy_code', index: String(s.index), parameters: [{ type: 'coupon_code', coupon_code: value }] }
      : { type: 'button', sub_type: 'url', index: String(s.index), parameters: [{ type: 'text', text: value }] });
  }
  return { name: template.name, language: template.language, ...(components.length ? { components: components as TemplateInput['components'] } : {}) };
}

/** The text the customer will read (header, body, footer, buttons), for previews and the conversation. */
export function renderTemplateText(template: TemplateDefinition, values: TemplateValues): { header: string | null; body: string; footer: string | null; buttons: string[] } {
  const fill = (text: unknown, prefix: string): string => String(text ?? '').replace(PLACEHOLDER, (_m, name: string) => {
    const v = values[prefix === 'header' ? 'header' : `${prefix}.${name}`];
    return typeof v === 'string' && v.trim() ? v.trim() : `{{${name}}}`;
  });
  const header = componentOf(template, 'HEADER');
  const headerText = header && !MEDIA_FORMATS.has(upper(header.format || 'TEXT')) ? fill(header.text, 'header') : null;
  return {
    header: headerText,
    body: fill(componentOf(template, 'BODY')?.text, 'body'),
    footer: str(componentOf(template, 'FOOTER')?.text),
    buttons: buttonsOf(template).map((b) => String(b?.text ?? '')).filter(Boolean),
  };
}

/** The upload a built template's media header refers to, if it is one of ours ({ uploadId }). */
export function headerUploadId(content: TemplateInput): string | null {
  for (const c of content.components ?? []) {
    if (String(c.type).toLowerCase() !== 'header') continue;
    for (const p of (c as { parameters?: Array<Record<string, any>> }).parameters ?? []) {
      const media = p?.[p?.type];
      if (media && typeof media === 'object' && typeof media.upload_id === 'string') return media.upload_id;
    }
  }
  return null;
}

/** The media type of a built template's header parameter (image, video, document), if it has one. */
export function templateHeaderType(content: TemplateInput): 'image' | 'video' | 'document' | null {
  for (const c of content.components ?? []) {
    if (String(c.type).toLowerCase() !== 'header') continue;
    const type = (c as { parameters?: Array<Record<string, any>> }).parameters?.[0]?.type;
    if (type === 'image' || type === 'video' || type === 'document') return type;
  }
  return null;
}

/** The template with its uploaded header ({ upload_id }) replaced by Meta's media id, for the send. */
export function withHeaderMediaId<T>(template: T, mediaId: string): T {
  const t = template as { components?: Array<Record<string, any>> };
  if (!Array.isArray(t?.components)) return template;
  return {
    ...t,
    components: t.components.map((c) => (String(c.type).toLowerCase() !== 'header' || !Array.isArray(c.parameters) ? c : {
      ...c,
      parameters: c.parameters.map((p: Record<string, any>) => {
        const media = p?.[p?.type];
        if (!media || typeof media !== 'object' || typeof media.upload_id !== 'string') return p;
        const { upload_id: _u, ...rest } = media;
        return { ...p, [p.type]: { ...rest, id: mediaId } };
      }),
    })),
  } as T;
}
