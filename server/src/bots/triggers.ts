import { digitsOnly, whatsAppMatchKey } from '../lib/phone.js';
import type { StartableFlow } from '../repositories/botSessions.js';
import { normalizeText } from './answers.js';
import type { FlowTrigger } from './flowDefinition.js';

/** What a customer message offers to the flows' triggers. */
export interface TriggerContext {
  connectionId: string;
  /** The contact's phone (digits), for flows in test mode. */
  contactPhone: string;
  /** The first customer message of a new conversation. */
  firstMessage: boolean;
  text: string | null;
  /** A button or list reply's id, or a template quick reply's payload. */
  replyId: string | null;
  /** null: the connection has no business hours. */
  businessOpen: boolean | null;
}

/**
 * The flow a message starts: the first whose trigger matches, in priority order (flows come sorted), or
 * the fallback flow when none does. Only called while no person owns the conversation.
 */
export function pickFlow(flows: StartableFlow[], ctx: TriggerContext): StartableFlow | null {
  const eligible = flows.filter((f) =>
    (f.connection_ids.length === 0 || f.connection_ids.includes(ctx.connectionId))
    && (f.status === 'live' || (!!f.test_phone && samePhone(f.test_phone, ctx.contactPhone))));
  return eligible.find((f) => !f.is_fallback && matches(f.trigger, ctx)) ?? eligible.find((f) => f.is_fallback) ?? null;
}

export function matches(trigger: FlowTrigger, ctx: TriggerContext): boolean {
  switch (trigger.type) {
    case 'new_conversation': return ctx.firstMessage;
    case 'no_human': return true;
    case 'outside_hours': return ctx.businessOpen === false;
    case 'interactive_payload': return ctx.replyId === trigger.payload;
    case 'none': return false;
    case 'keyword': {
      if (!ctx.text) return false;
      const text = normalizeText(ctx.text);
      return trigger.keywords.some((k) => {
        const v = normalizeText(k.value);
        switch (k.match) {
          case 'equals': return text === v;
          case 'contains': return text.includes(v);
          case 'starts_with': return text.startsWith(v);
          case 'regex': return safeRegex(k.value)?.test(text) === true || safeRegex(k.value)?.test(ctx.text!) === true;
        }
      });
    }
  }
}

/** The customer's words that end a running session ("sair"). */
export function isExitKeyword(text: string | null, keywords: string[]): boolean {
  if (!text) return false;
  const t = normalizeText(text);
  return keywords.some((k) => normalizeText(k) === t);
}

const regexCache = new Map<string, RegExp | null>();
function safeRegex(source: string): RegExp | null {
  if (!regexCache.has(source)) {
    let re: RegExp | null = null;
    try { re = new RegExp(source, 'iu'); } catch { re = null; }
    if (regexCache.size > 500) regexCache.clear();
    regexCache.set(source, re);
  }
  return regexCache.get(source)!;
}

/** A test phone typed with or without the country code and the mobile ninth digit still matches. */
function samePhone(a: string, b: string): boolean {
  const key = (p: string) => {
    const d = digitsOnly(p);
    return whatsAppMatchKey(d.length === 10 || d.length === 11 ? `55${d}` : d);
  };
  return key(a) === key(b);
}
