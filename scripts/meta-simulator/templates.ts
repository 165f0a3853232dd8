/**
 * Message templates as the simulator keeps them per WhatsApp Business Account (WABA): the listing of
 * GET /{waba-id}/message_templates (Meta's shape and cursor paging), the checks Meta makes on a template
 * send (unknown or unapproved → 132001, paused → 132015, disabled → 132016, a wrong number of header,
 * body or button parameters → 132000, a header parameter of the wrong media type → 132012), and the
 * webhook values of the template and phone-number quality fields.
 *
 * A WABA with no template registered accepts any template send (the simulator's behaviour before it
 * learnt templates, which older tests and benchmarks rely on); once one is added or seeded, every send
 * is checked as Meta checks it.
 */
import crypto from 'node:crypto';
import { GraphError } from './graphErrors.js';

export type TemplateStatus = 'APPROVED' | 'PENDING' | 'REJECTED' | 'PAUSED' | 'DISABLED' | 'IN_APPEAL' | 'PENDING_DELETION' | 'ARCHIVED';
export type QualityScore = 'GREEN' | 'YELLOW' | 'RED' | 'UNKNOWN';

/** A component as Meta lists it (HEADER, BODY, FOOTER, BUTTONS), with its examples. */
export type TemplateComponent = Record<string, any> & { type: string };

export interface SimTemplate {
  id: string;
  wabaId: string;
  name: string;
  language: string;
  category: string;
  status: TemplateStatus;
  components: TemplateComponent[];
  quality: QualityScore;
  rejectedReason: string;
}

export interface AddTemplateInput {
  wabaId: string;
  name: string;
  language: string;
  category?: string;
  status?: TemplateStatus;
  components?: TemplateComponent[];
  quality?: QualityScore;
  id?: string;
}

const newTemplateId = (): string => `${crypto.randomInt(1, 10)}${Array.from({ length: 15 }, () => crypto.randomInt(0, 10)).join('')}`;

/** The placeholders of a text: `{{1}}`, `{{2}}` (positional) or `{{first_name}}` (named), in order, once each. */
export function placeholders(text: unknown): string[] {
  if (typeof text !== 'string') return [];
  const seen: string[] = [];
  for (const m of text.matchAll(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)) if (!seen.includes(m[1]!)) seen.push(m[1]!);
  return seen;
}

/** What a new WABA gets from Meta (hello_world) plus the templates the demo and tests use. */
export function seedTemplateInputs(wabaId: string): AddTemplateInput[] {
  return [
    {
      wabaId, name: 'hello_world', language: 'en_US', category: 'UTILITY',
      components: [
        { type: 'HEADER', format: 'TEXT', text: 'Hello World' },
        { type: 'BODY', text: 'Welcome and congratulations!! This message demonstrates your ability to send a WhatsApp message notification from the Cloud API, hosted by Meta. Thank you for taking the time to test with us.' },
        { type: 'FOOTER', text: 'WhatsApp Business Platform sample message' },
      ],
    },
    {
      wabaId, name: 'pedido_pronto', language: 'pt_BR', category: 'UTILITY',
      components: [
        { type: 'BODY', text: 'Olá {{1}}, seu pedido {{2}} está pronto para retirada.', example: { body_text: [['Maria', '#4521']] } },
        { type: 'FOOTER', text: 'Padaria Pão Quente' },
      ],
    },
    {
      wabaId, name: 'promocao_mes', language: 'pt_BR', category: 'MARKETING',
      components: [
        { type: 'HEADER', format: 'IMAGE', example: { header_handle: ['https://example.com/promo.jpg'] } },
        { type: 'BODY', text: 'Oi {{1}}! Neste mês, {{2}} de desconto em toda a loja.', example: { body_text: [['Maria', '15%']] } },
        {
          type: 'BUTTONS', buttons: [
            { type: 'URL', text: 'Ver ofertas', url: 'https://loja.example.com/ofertas/{{1}}', example: ['https://loja.example.com/ofertas/maio'] },
            { type: 'QUICK_REPLY', text: 'Parar promoções' },
          ],
        },
      ],
    },
    {
      wabaId, name: 'boleto_disponivel', language: 'pt_BR', category: 'UTILITY',
      components: [
        { type: 'HEADER', format: 'DOCUMENT', example: { header_handle: ['https://example.com/boleto.pdf'] } },
        { type: 'BODY', text: 'Seu boleto de {{1}} vence em {{2}}.', example: { body_text: [['R$ 120,00', '10/06']] } },
      ],
    },
  ];
}

export class TemplateStore {
  private readonly byWaba = new Map<string, SimTemplate[]>();

  add(t: AddTemplateInput): SimTemplate {
    const list = this.byWaba.get(t.wabaId) ?? [];
    this.byWaba.set(t.wabaId, list);
    const existing = list.find((x) => x.name === t.name && x.language === t.language);
    const template: SimTemplate = {
      id: t.id ?? existing?.id ?? newTemplateId(),
      wabaId: t.wabaId, name: t.name, language: t.language,
      category: t.category ?? 'UTILITY', status: t.status ?? 'APPROVED',
      components: t.components ?? [{ type: 'BODY', text: t.name }],
      quality: t.quality ?? 'UNKNOWN', rejectedReason: 'NONE',
    };
    if (existing) list.splice(list.indexOf(existing), 1, template);
    else list.push(template);
    return template;
  }

  remove(wabaId: string, name: string, language?: string): number {
    const list = this.byWaba.get(wabaId) ?? [];
    const keep = list.filter((t) => t.name !== name || (language !== undefined && t.language !== language));
    this.byWaba.set(wabaId, keep);
    return list.length - keep.length;
  }

  find(wabaId: string, name: string, language: string): SimTemplate | undefined {
    return this.byWaba.get(wabaId)?.find((t) => t.name === name && t.language === language);
  }

  of(wabaId: string): SimTemplate[] {
    return this.byWaba.get(wabaId) ?? [];
  }

  /** Whether sends from this WABA are checked (it has at least one template). */
  checks(wabaId: string): boolean {
    return this.of(wabaId).length > 0;
  }

  /**
   * GET /{waba-id}/message_templates: `limit` (default 25), `after`/`before` cursors, optional `name`
   * (contains), `status`, `language`, `category` filters and `fields` (id is always there).
   */
  list(wabaId: string, query: Record<string, string>, pageUrl: (q: Record<string, string>) => string): object {
    let rows = this.of(wabaId);
    if (query.name) rows = rows.filter((t) => t.name.includes(query.name!));
    for (const key of ['status', 'language', 'category'] as const) {
      const wanted = query[key]?.split(',').map((s) => s.trim().toUpperCase());
      if (wanted) rows = rows.filter((t) => wanted.includes(String(t[key]).toUpperCase()));
    }
    const limit = Math.min(Math.max(Number(query.limit) || 25, 1), 1000);
    const decode = (c: string | undefined): number | null => {
      if (!c) return null;
      const n = Number(Buffer.from(c, 'base64url').toString('utf8').replace(/^idx:/, ''));
      return Number.isInteger(n) && n >= 0 ? n : null;
    };
    const encode = (i: number): string => Buffer.from(`idx:${i}`).toString('base64url');
    const after = decode(query.after);
    const before = decode(query.before);
    let start = after !== null ? after + 1 : 0;
    if (before !== null && after === null) start = Math.max(0, before - limit);
    const page = rows.slice(start, start + limit);
    const fields = query.fields ? new Set(query.fields.split(',').map((f) => f.trim()).filter(Boolean)) : null;
    const data = page.map((t) => {
      const full: Record<string, unknown> = {
        name: t.name, parameter_format: t.components.some((c) => placeholders(c.text).some((p) => !/^\d+$/.test(p))) ? 'NAMED' : 'POSITIONAL',
        components: t.components, language: t.language, status: t.status, category: t.category, id: t.id,
        quality_score: { score: t.quality }, rejected_reason: t.rejectedReason,
      };
      if (!fields) return full;
      return Object.fromEntries(Object.entries(full).filter(([k]) => k === 'id' || fields.has(k)));
    });
    const body: Record<string, unknown> = { data };
    if (page.length > 0) {
      const cursors = { before: encode(start), after: encode(start + page.length - 1) };
      const paging: Record<string, unknown> = { cursors };
      if (start + page.length < rows.length) paging.next = pageUrl({ ...query, limit: String(limit), after: cursors.after });
      if (start > 0) paging.previous = pageUrl({ ...query, limit: String(limit), before: cursors.before });
      body.paging = paging;
    }
    return body;
  }

  /** Throws Meta's error when a template send from this WABA would be refused. */
  validateSend(wabaId: string, template: Record<string, any>): void {
    if (!this.checks(wabaId)) return;
    const name = String(template.name);
    const language = String(template.language?.code ?? '');
    const t = this.find(wabaId, name, language);
    if (!t || !['APPROVED', 'PAUSED', 'DISABLED'].includes(t.status)) {
      throw new GraphError({
        status: 404, code: 132001, message: '(#132001) Template name does not exist in the translation',
        details: `template name (${name}) does not exist in ${language}`,
      });
    }
    if (t.status === 'PAUSED') {
      throw new GraphError({ status: 400, code: 132015, message: '(#132015) Template is Paused', details: `Template ${name} is paused due to low quality so it cannot be sent in a template message.` });
    }
    if (t.status === 'DISABLED') {
      throw new GraphError({ status: 400, code: 132016, message: '(#132016) Template is Disabled', details: `Template ${name} has been paused too many times due to low quality and is now permanently disabled.` });
    }
    checkParameters(t, Array.isArray(template.components) ? template.components : []);
  }
}

const countMismatch = (where: string, got: number, expected: number): GraphError => new GraphError({
  status: 400, code: 132000, message: '(#132000) Number of parameters does not match the expected number of params',
  details: `${where}: number of localizable_params (${got}) does not match the expected number of params (${expected})`,
});

const formatMismatch = (details: string): GraphError => new GraphError({
  status: 400, code: 132012, message: '(#132012) Parameter format does not match format in the created template', details,
});

const MEDIA_FORMATS = new Set(['IMAGE', 'VIDEO', 'DOCUMENT']);

/** Header, body and button parameters against the template's placeholders, as Meta counts them. */
function checkParameters(t: SimTemplate, sent: Array<Record<string, any>>): void {
  const of = (type: string) => sent.filter((c) => String(c?.type).toLowerCase() === type);
  const params = (c: Record<string, any> | undefined): Array<Record<string, any>> => (Array.isArray(c?.parameters) ? c!.parameters : []);

  const header = t.components.find((c) => c.type === 'HEADER');
  const sentHeader = of('header')[0];
  if (header && MEDIA_FORMATS.has(String(header.format))) {
    const p = params(sentHeader);
    if (p.length !== 1) throw countMismatch('header', p.length, 1);
    const kind = String(header.format).toLowerCase();
    if (p[0]!.type !== kind || typeof p[0]![kind] !== 'object' || (!p[0]![kind].id && !p[0]![kind].link)) {
      throw formatMismatch(`header: expected a ${kind} parameter with id or link`);
    }
  } else {
    const expected = header ? placeholders(header.text).length : 0;
    const p = params(sentHeader);
    if (p.length !== expected) throw countMismatch('header', p.length, expected);
    if (p.some((x) => x.type !== 'text' || typeof x.text !== 'string')) throw formatMismatch('header: expected text parameters');
  }

  const body = t.components.find((c) => c.type === 'BODY');
  const expectedBody = body ? placeholders(body.text).length : 0;
  const sentBody = params(of('body')[0]);
  if (sentBody.length !== expectedBody) throw countMismatch('body', sentBody.length, expectedBody);
  if (sentBody.some((x) => x.type !== 'text' && x.type !== 'currency' && x.type !== 'date_time')) throw formatMismatch('body: expected text parameters');
  if (sentBody.some((x) => x.type === 'text' && (typeof x.text !== 'string' || x.text.trim() === ''))) {
    throw new GraphError({ status: 400, code: 131008, message: '(#131008) Required parameter is missing', details: 'body: a text parameter is empty' });
  }

  const buttons: Array<Record<string, any>> = t.components.find((c) => c.type === 'BUTTONS')?.buttons ?? [];
  const sentButtons = of('button');
  buttons.forEach((b, index) => {
    const mine = sentButtons.filter((c) => Number(c.index) === index);
    const type = String(b.type).toUpperCase();
    const expected = type === 'URL' ? placeholders(b.url).length : type === 'COPY_CODE' ? 1 : 0;
    const got = mine.reduce((n, c) => n + params(c).length, 0);
    // A quick reply may carry a payload of its own (optional); dynamic URL and copy-code buttons need theirs.
    if (type === 'QUICK_REPLY') {
      if (got > 1) throw countMismatch(`button ${index}`, got, 1);
      return;
    }
    if (got !== expected) throw countMismatch(`button ${index}`, got, expected);
  });
  const unknown = sentButtons.find((c) => !(Number(c.index) >= 0 && Number(c.index) < buttons.length));
  if (unknown) throw countMismatch(`button ${String(unknown.index)}`, params(unknown).length, 0);
}

// ─────────── webhook values (field names and shapes of Meta's webhook reference) ───────────

/** value of a `message_template_status_update` change. */
export function templateStatusValue(t: SimTemplate, event: string, reason = 'NONE'): object {
  const value: Record<string, unknown> = {
    event, message_template_id: Number(t.id), message_template_name: t.name, message_template_language: t.language,
    reason, message_template_category: t.category,
  };
  if (event === 'DISABLED') value.disable_info = { disable_date: Math.floor(Date.now() / 1000) };
  return value;
}

/** value of a `message_template_quality_update` change. */
export function templateQualityValue(t: SimTemplate, previous: QualityScore, next: QualityScore): object {
  return {
    previous_quality_score: previous, new_quality_score: next,
    message_template_id: Number(t.id), message_template_name: t.name, message_template_language: t.language,
  };
}

/** value of a `phone_number_quality_update` change (FLAGGED, UNFLAGGED, UPGRADE, DOWNGRADE…). */
export function phoneQualityValue(displayPhoneNumber: string, event: string, currentLimit = 'TIER_1K'): object {
  return { display_phone_number: displayPhoneNumber, event, current_limit: currentLimit, max_daily_conversations_per_business: currentLimit.replace('TIER_', '') };
}
