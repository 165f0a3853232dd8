import type { OutboundContent } from '../commands/sendMessage.js';
import {
  BUTTON_TITLE_MAX, IG_QUICK_REPLIES_MAX, IG_QUICK_REPLY_TITLE_MAX, INTERACTIVE_BODY_MAX, LIST_BUTTON_MAX, LIST_ROW_DESCRIPTION_MAX,
  LIST_ROW_TITLE_MAX, MAX_BUTTONS, MAX_LIST_ROWS,
} from '../messaging/interactiveLimits.js';
import { DEFAULT_LIST_BUTTON } from '../messaging/interactiveMessage.js';
import type { FlowOption } from './flowDefinition.js';

/**
 * How a bot's message with choices goes out, chosen by the channel and the number of choices:
 *   WhatsApp: 1-3 reply buttons, 4-10 a list message, more a numbered text;
 *   Instagram: 1-13 quick replies, more a numbered text.
 * The editor keeps titles within Meta's limits (bots/validateFlow.ts); whatever still exceeds them is cut
 * here with '…' (and made unique again), so Meta never refuses a bot's menu. The customer's answer is read
 * back by bots/answers.ts, by reply id, number or title.
 */

/** Meta's text limits for a plain message: WhatsApp counts characters, Instagram bytes. */
const WHATSAPP_TEXT_MAX = 4096;
const INSTAGRAM_TEXT_MAX_BYTES = 1000;
/** Meta requires a body on interactive messages. */
const EMPTY_BODY = 'Escolha uma opção:';

/** At most `max` characters, cut with '…'. */
export function cut(s: string, max: number): string {
  const c = [...s];
  return c.length <= max ? s : `${c.slice(0, max - 1).join('').trimEnd()}…`;
}

/** At most `max` UTF-8 bytes, cut with '…' on a character boundary. */
function cutBytes(s: string, max: number): string {
  if (Buffer.byteLength(s) <= max) return s;
  let out = '';
  for (const ch of s) {
    if (Buffer.byteLength(out + ch) > max - 3) break; // '…' is 3 bytes
    out += ch;
  }
  return `${out.trimEnd()}…`;
}

/** Titles cut to `max`, and those that the cut made equal told apart (" 2", " 3"). */
function uniqueTitles(titles: string[], max: number): string[] {
  const seen = new Set<string>();
  return titles.map((title) => {
    let t = cut(title.trim(), max);
    for (let n = 2; seen.has(t); n++) t = `${cut(title.trim(), max - String(n).length - 1)} ${n}`;
    seen.add(t);
    return t;
  });
}

/** The text with "1. Pix\n2. Cartão…" under it, within the channel's text limit (the intro is cut first). */
function numbered(channel: 'whatsapp' | 'instagram', text: string, options: FlowOption[]): OutboundContent {
  const lines = options.map((o, i) => `${i + 1}. ${o.title.trim()}`).join('\n');
  const fits = (s: string) => (channel === 'instagram' ? Buffer.byteLength(s) <= INSTAGRAM_TEXT_MAX_BYTES : [...s].length <= WHATSAPP_TEXT_MAX);
  const join = (intro: string) => (intro.trim() ? `${intro.trimEnd()}\n\n${lines}` : lines);
  let full = join(text);
  if (!fits(full)) {
    const room = channel === 'instagram'
      ? INSTAGRAM_TEXT_MAX_BYTES - Buffer.byteLength(lines) - 2
      : WHATSAPP_TEXT_MAX - [...lines].length - 2;
    full = room > 20 ? join(channel === 'instagram' ? cutBytes(text, room) : cut(text, room)) : lines;
    if (!fits(full)) full = channel === 'instagram' ? cutBytes(full, INSTAGRAM_TEXT_MAX_BYTES) : cut(full, WHATSAPP_TEXT_MAX);
  }
  return { type: 'text', text: full };
}

export function promptContent(
  channel: 'whatsapp' | 'instagram', text: string, options: FlowOption[] | undefined, buttonLabel?: string,
): OutboundContent {
  if (!options || options.length === 0) return { type: 'text', text };
  const n = options.length;
  if (channel === 'instagram') {
    if (n > IG_QUICK_REPLIES_MAX) return numbered(channel, text, options);
    const titles = uniqueTitles(options.map((o) => o.title), IG_QUICK_REPLY_TITLE_MAX);
    return {
      type: 'interactive',
      text: cutBytes(cut(text.trim() ? text : EMPTY_BODY, INTERACTIVE_BODY_MAX), INSTAGRAM_TEXT_MAX_BYTES),
      options: options.map((o, i) => ({ id: o.id, title: titles[i]! })),
    };
  }
  if (n > MAX_LIST_ROWS) return numbered(channel, text, options);
  const body = cut(text.trim() ? text : EMPTY_BODY, INTERACTIVE_BODY_MAX);
  if (n <= MAX_BUTTONS) {
    const titles = uniqueTitles(options.map((o) => o.title), BUTTON_TITLE_MAX);
    return { type: 'interactive', text: body, options: options.map((o, i) => ({ id: o.id, title: titles[i]! })) };
  }
  const titles = uniqueTitles(options.map((o) => o.title), LIST_ROW_TITLE_MAX);
  return {
    type: 'interactive',
    text: body,
    options: options.map((o, i) => ({
      id: o.id, title: titles[i]!, ...(o.description?.trim() ? { description: cut(o.description.trim(), LIST_ROW_DESCRIPTION_MAX) } : {}),
    })),
    buttonLabel: cut(buttonLabel?.trim() || DEFAULT_LIST_BUTTON, LIST_BUTTON_MAX),
  };
}
