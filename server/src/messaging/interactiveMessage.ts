import { AppError } from '../errors.js';
import {
  BUTTON_TITLE_MAX, IG_QUICK_REPLIES_MAX, IG_QUICK_REPLY_TITLE_MAX, INTERACTIVE_BODY_MAX, INTERACTIVE_FOOTER_MAX,
  INTERACTIVE_HEADER_MAX, LIST_BUTTON_MAX, LIST_ROW_DESCRIPTION_MAX, LIST_ROW_ID_MAX, LIST_ROW_TITLE_MAX, MAX_BUTTONS, MAX_LIST_ROWS,
} from './interactiveLimits.js';

/** A choice offered under a bot's message: a reply button, a list row or an Instagram quick reply. */
export interface InteractiveOption { id: string; title: string; description?: string }

export interface InteractiveContent {
  text: string;
  options: InteractiveOption[];
  buttonLabel?: string;
  header?: string;
  footer?: string;
}

/**
 * How an interactive message goes out, kept in the message's payload (`{ interactive: … }`): the send
 * worker builds Meta's body from it and the dashboard shows it under the text.
 */
export interface InteractiveRendering {
  kind: 'button' | 'list' | 'quick_replies';
  options: InteractiveOption[];
  /** The list's button label. */
  button?: string;
  header?: string;
  footer?: string;
}

export const DEFAULT_LIST_BUTTON = 'Ver opções';

const chars = (s: string) => [...s].length;
const invalid = (message: string) => new AppError(400, 'validation_failed', message);

/**
 * Chooses the form for the channel (WhatsApp: 1-3 reply buttons, 4-10 a list; Instagram: 1-13 quick
 * replies) and refuses, as validation_failed, what Meta would refuse (bots/prompt.ts shapes content so it
 * never gets here).
 */
export function renderInteractive(channel: 'whatsapp' | 'instagram', c: InteractiveContent): InteractiveRendering {
  if (!c.text.trim()) throw invalid('text: must not be blank');
  if (chars(c.text) > INTERACTIVE_BODY_MAX) throw invalid(`text: at most ${INTERACTIVE_BODY_MAX} characters with options`);
  const n = c.options.length;
  const max = channel === 'instagram' ? IG_QUICK_REPLIES_MAX : MAX_LIST_ROWS;
  if (n < 1 || n > max) throw invalid(`options: 1 to ${max} on ${channel === 'instagram' ? 'Instagram' : 'WhatsApp'}, got ${n}`);
  const kind: InteractiveRendering['kind'] = channel === 'instagram' ? 'quick_replies' : n <= MAX_BUTTONS ? 'button' : 'list';
  const titleMax = kind === 'button' ? BUTTON_TITLE_MAX : kind === 'list' ? LIST_ROW_TITLE_MAX : IG_QUICK_REPLY_TITLE_MAX;
  const ids = new Set<string>();
  const titles = new Set<string>();
  c.options.forEach((o, i) => {
    if (!o.id || chars(o.id) > LIST_ROW_ID_MAX || o.id !== o.id.trim()) throw invalid(`options.${i}.id: 1 to ${LIST_ROW_ID_MAX} characters, no outer spaces`);
    if (!o.title.trim() || chars(o.title) > titleMax) throw invalid(`options.${i}.title: 1 to ${titleMax} characters`);
    if (o.description !== undefined && chars(o.description) > LIST_ROW_DESCRIPTION_MAX) {
      throw invalid(`options.${i}.description: at most ${LIST_ROW_DESCRIPTION_MAX} characters`);
    }
    if (ids.has(o.id)) throw invalid(`options.${i}.id: repeated`);
    if (kind === 'button' && titles.has(o.title)) throw invalid(`options.${i}.title: repeated`);
    ids.add(o.id);
    titles.add(o.title);
  });
  const rendering: InteractiveRendering = {
    kind,
    // Descriptions only show in a list.
    options: c.options.map((o) => (kind === 'list' && o.description ? { id: o.id, title: o.title, description: o.description } : { id: o.id, title: o.title })),
  };
  if (kind === 'list') {
    const button = c.buttonLabel?.trim() || DEFAULT_LIST_BUTTON;
    if (chars(button) > LIST_BUTTON_MAX) throw invalid(`buttonLabel: at most ${LIST_BUTTON_MAX} characters`);
    rendering.button = button;
  }
  if (channel === 'whatsapp') {
    if (c.header?.trim()) {
      if (chars(c.header) > INTERACTIVE_HEADER_MAX) throw invalid(`header: at most ${INTERACTIVE_HEADER_MAX} characters`);
      rendering.header = c.header;
    }
    if (c.footer?.trim()) {
      if (chars(c.footer) > INTERACTIVE_FOOTER_MAX) throw invalid(`footer: at most ${INTERACTIVE_FOOTER_MAX} characters`);
      rendering.footer = c.footer;
    }
  }
  return rendering;
}

/** Meta's `interactive` object (type button or list, one untitled section) for a stored rendering. */
export function whatsappInteractive(text: string, r: InteractiveRendering): Record<string, unknown> {
  const frame: Record<string, unknown> = {};
  if (r.header) frame.header = { type: 'text', text: r.header };
  frame.body = { text };
  if (r.footer) frame.footer = { text: r.footer };
  if (r.kind === 'button') {
    return { type: 'button', ...frame, action: { buttons: r.options.map((o) => ({ type: 'reply', reply: { id: o.id, title: o.title } })) } };
  }
  return {
    type: 'list', ...frame,
    action: {
      button: r.button ?? DEFAULT_LIST_BUTTON,
      sections: [{ rows: r.options.map((o) => ({ id: o.id, title: o.title, ...(o.description ? { description: o.description } : {}) })) }],
    },
  };
}
