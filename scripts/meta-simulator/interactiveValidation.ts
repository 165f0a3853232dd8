/**
 * Meta's rules for the messages a customer answers by tapping: WhatsApp reply buttons and list messages
 * (type 'interactive') and Instagram quick replies. A message that breaks them is refused with Meta's error
 * shape; one that keeps them is rendered as the customer sees it (`Shown`), so tests read what was offered.
 *
 * Limits (Meta's interactive reply-buttons and list-messages guides; Instagram's quick-replies guide):
 *   buttons: 1-3 of {type:'reply', reply:{id ≤ 256, title 1-20, unique}}
 *   list: action.button 1-20, 1-10 sections, 1-10 rows in all, row id ≤ 200 (unique), title 1-24,
 *         description ≤ 72, section title ≤ 24 (required when there is more than one section)
 *   body.text 1-1024; header text and footer text ≤ 60; a list's header is text only
 *   Instagram: ≤ 13 quick replies, with text; content_type text needs a title (Instagram cuts it to 20
 *   characters on screen, it does not refuse it) and a payload ≤ 1000
 *
 * Errors: a value out of bounds is `(#131009) Parameter value is not valid` with the rule in
 * error_data.details, as Meta answers ("Button title length invalid. Min length: 1, Max length: 20",
 * "Invalid buttons count. Min allowed buttons: 1, Max allowed buttons: 3", "Total row count exceed max
 * allowed count: 10" are Meta's own words; the other details follow their pattern). A missing field is
 * `(#100) The parameter … is required.` like the simulator's other sends; Instagram answers code 100.
 * Lengths count characters (code points), not bytes.
 */
import { GraphError, invalidParameter } from './graphErrors.js';

type Json = Record<string, unknown>;

export const WA_LIMITS = {
  buttons: 3, buttonId: 256, buttonTitle: 20,
  listButton: 20, sections: 10, rows: 10, rowId: 200, rowTitle: 24, rowDescription: 72, sectionTitle: 24,
  body: 1024, header: 60, footer: 60,
} as const;
export const IG_LIMITS = { quickReplies: 13, title: 20, payload: 1000 } as const;

/** What the customer saw: the text and the choices under it. */
export interface Shown {
  kind: 'button' | 'list' | 'quick_replies';
  text: string;
  header?: string;
  footer?: string;
  /** The list's button label. */
  button?: string;
  options: Array<{ id: string; title: string; description?: string; section?: string }>;
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const chars = (s: string): number => [...s].length;

/** (#131009) Parameter value is not valid, with Meta's detail. */
export const invalidValue = (details: string): GraphError => new GraphError({ status: 400, code: 131009, details });

function lengthRule(value: unknown, name: string, min: number, max: number): string {
  if (typeof value !== 'string') throw invalidParameter(`The parameter ${name} is required.`);
  const n = chars(value);
  if (n < min || n > max) throw invalidValue(`${lengthLabel(name)} length invalid. Min length: ${min}, Max length: ${max}`);
  return value;
}

const LABELS: Record<string, string> = {
  "interactive['body']['text']": 'Body text',
  "interactive['header']['text']": 'Header text',
  "interactive['footer']['text']": 'Footer text',
  "interactive['action']['button']": 'Button text',
};
function lengthLabel(name: string): string {
  if (LABELS[name]) return LABELS[name]!;
  if (/\['reply'\]\['title'\]$/.test(name)) return 'Button title';
  if (/\['reply'\]\['id'\]$/.test(name)) return 'Button id';
  if (/\['rows'\]\[\d+\]\['title'\]$/.test(name)) return 'Row title';
  if (/\['rows'\]\[\d+\]\['id'\]$/.test(name)) return 'Row id';
  if (/\['rows'\]\[\d+\]\['description'\]$/.test(name)) return 'Row description';
  if (/\['sections'\]\[\d+\]\['title'\]$/.test(name)) return 'Section title';
  return name;
}

/** Checks a WhatsApp `interactive` object of type button or list; other types are only checked for an action. */
export function validateInteractive(content: Json): Shown | null {
  if (typeof content.type !== 'string' || content.type === '') throw invalidParameter("The parameter interactive['type'] is required.");
  if (!isObject(content.action)) throw invalidParameter("The parameter interactive['action'] is required.");
  if (content.type !== 'button' && content.type !== 'list') return null; // cta_url, product, flow…: not modelled
  const action = content.action;

  const body = content.body;
  if (!isObject(body) || body.text === undefined) throw invalidParameter("The parameter interactive['body'] is required.");
  const shown: Shown = { kind: content.type, text: lengthRule(body.text, "interactive['body']['text']", 1, WA_LIMITS.body), options: [] };
  if (content.header !== undefined) {
    const header = content.header;
    if (!isObject(header) || typeof header.type !== 'string') throw invalidParameter("The parameter interactive['header']['type'] is required.");
    if (header.type === 'text') shown.header = lengthRule(header.text, "interactive['header']['text']", 1, WA_LIMITS.header);
    else if (content.type === 'list') throw invalidValue('Header type must be text for list messages');
    else if (!['image', 'video', 'document'].includes(header.type)) {
      throw invalidParameter(`Param interactive['header']['type'] must be one of {TEXT, IMAGE, VIDEO, DOCUMENT} - got "${header.type}".`);
    }
  }
  if (content.footer !== undefined) {
    if (!isObject(content.footer)) throw invalidParameter("The parameter interactive['footer']['text'] is required.");
    shown.footer = lengthRule(content.footer.text, "interactive['footer']['text']", 1, WA_LIMITS.footer);
  }

  if (content.type === 'button') {
    const buttons = action.buttons;
    if (!Array.isArray(buttons)) throw invalidParameter("The parameter interactive['action']['buttons'] is required.");
    if (buttons.length < 1 || buttons.length > WA_LIMITS.buttons) {
      throw invalidValue(`Invalid buttons count. Min allowed buttons: 1, Max allowed buttons: ${WA_LIMITS.buttons}`);
    }
    const ids = new Set<string>();
    const titles = new Set<string>();
    buttons.forEach((b, i) => {
      const at = `interactive['action']['buttons'][${i}]`;
      if (!isObject(b) || b.type !== 'reply') throw invalidParameter(`Param ${at}['type'] must be one of {REPLY} - got "${String(isObject(b) ? b.type : b)}".`);
      if (!isObject(b.reply)) throw invalidParameter(`The parameter ${at}['reply'] is required.`);
      const id = lengthRule(b.reply.id, `${at}['reply']['id']`, 1, WA_LIMITS.buttonId);
      const title = lengthRule(b.reply.title, `${at}['reply']['title']`, 1, WA_LIMITS.buttonTitle);
      if (id !== id.trim()) throw invalidValue('Button id cannot have leading or trailing spaces');
      if (ids.has(id)) throw invalidValue('Duplicate buttons ids are not allowed');
      if (titles.has(title)) throw invalidValue('Button title must be unique within the message');
      ids.add(id);
      titles.add(title);
      shown.options.push({ id, title });
    });
    return shown;
  }

  shown.button = lengthRule(action.button, "interactive['action']['button']", 1, WA_LIMITS.listButton);
  const sections = action.sections;
  if (!Array.isArray(sections) || sections.length === 0) throw invalidParameter("The parameter interactive['action']['sections'] is required.");
  if (sections.length > WA_LIMITS.sections) throw invalidValue(`Too many sections. Max allowed sections: ${WA_LIMITS.sections}`);
  const total = sections.reduce((n: number, s) => n + (isObject(s) && Array.isArray(s.rows) ? s.rows.length : 0), 0);
  if (total > WA_LIMITS.rows) throw invalidValue(`Total row count exceed max allowed count: ${WA_LIMITS.rows}`);
  const ids = new Set<string>();
  sections.forEach((s, si) => {
    const at = `interactive['action']['sections'][${si}]`;
    if (!isObject(s) || !Array.isArray(s.rows) || s.rows.length === 0) throw invalidParameter(`The parameter ${at}['rows'] is required.`);
    let sectionTitle: string | undefined;
    if (s.title !== undefined || sections.length > 1) {
      if (s.title === undefined) throw invalidParameter(`The parameter ${at}['title'] is required.`);
      sectionTitle = lengthRule(s.title, `${at}['title']`, 1, WA_LIMITS.sectionTitle);
    }
    s.rows.forEach((r, ri) => {
      const rat = `${at}['rows'][${ri}]`;
      if (!isObject(r)) throw invalidParameter(`The parameter ${rat}['id'] is required.`);
      const id = lengthRule(r.id, `${rat}['id']`, 1, WA_LIMITS.rowId);
      const title = lengthRule(r.title, `${rat}['title']`, 1, WA_LIMITS.rowTitle);
      if (ids.has(id)) throw invalidValue('Row ids must be unique within the message');
      ids.add(id);
      const option: Shown['options'][number] = { id, title };
      if (r.description !== undefined) option.description = lengthRule(r.description, `${rat}['description']`, 0, WA_LIMITS.rowDescription);
      if (sectionTitle !== undefined) option.section = sectionTitle;
      shown.options.push(option);
    });
  });
  return shown;
}

/** Checks an Instagram message's quick_replies (the message has its text already checked). */
export function validateQuickReplies(message: Json): Shown | null {
  if (message.quick_replies === undefined) return null;
  const replies = message.quick_replies;
  if (!Array.isArray(replies) || replies.length === 0) throw invalidParameter('Param message[quick_replies] must be a non-empty array');
  if (replies.length > IG_LIMITS.quickReplies) {
    throw invalidParameter(`Param message[quick_replies] must contain at most ${IG_LIMITS.quickReplies} elements`);
  }
  if (typeof message.text !== 'string') throw invalidParameter('Quick replies need message[text]');
  const shown: Shown = { kind: 'quick_replies', text: message.text, options: [] };
  replies.forEach((q, i) => {
    const at = `message[quick_replies][${i}]`;
    if (!isObject(q) || typeof q.content_type !== 'string') throw invalidParameter(`The parameter ${at}[content_type] is required`);
    if (q.content_type === 'user_phone_number' || q.content_type === 'user_email') {
      shown.options.push({ id: q.content_type, title: q.content_type });
      return;
    }
    if (q.content_type !== 'text') {
      throw invalidParameter(`Param ${at}[content_type] must be one of {text, user_phone_number, user_email}`);
    }
    if (typeof q.title !== 'string' || q.title.trim() === '') throw invalidParameter(`The parameter ${at}[title] is required`);
    if (typeof q.payload !== 'string' && typeof q.payload !== 'number') throw invalidParameter(`The parameter ${at}[payload] is required`);
    const payload = String(q.payload);
    if (chars(payload) > IG_LIMITS.payload) throw invalidParameter(`Length of param ${at}[payload] must be less than or equal to ${IG_LIMITS.payload}`);
    // Instagram shows 20 characters of a longer title: the customer sees the cut title.
    shown.options.push({ id: payload, title: [...q.title].slice(0, IG_LIMITS.title).join('') });
  });
  return shown;
}
