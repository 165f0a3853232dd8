import { localTime, parseClock } from '../lib/localTime.js';
import { normalizeText, parseAnswer } from './answers.js';
import { FALLBACK_OUTCOMES, type AnswerType, type FlowCondition, type FlowDefinition, type FlowNode, type FlowOption, type FlowSettings, type NodeOf } from './flowDefinition.js';
import { lookup, renderText, type TemplateScope } from './textTemplate.js';

/**
 * The flow engine: one step of a bot session, as a pure function of the flow, the session's state and
 * what happened (a customer message, a timer, a webhook's answer). It says what to do (effects) and the
 * state after; it touches nothing. The runtime (commands/botTurn.ts) applies the effects in the same
 * transaction as the state, and the editor's preview runs the very same steps without sending anything.
 */

export const LIVE_STATUSES = ['running', 'waiting_answer', 'waiting_time', 'waiting_webhook', 'waiting_callback'] as const;
export type SessionStatus = (typeof LIVE_STATUSES)[number] | 'handed_off' | 'ended' | 'failed';

export interface SessionState {
  nodeId: string;
  status: SessionStatus;
  /** Why it stopped: completed, transfer, exit_keyword, loop_guard, unhandled_invalid, no_edge, … */
  reason: string | null;
  variables: Record<string, unknown>;
  retries: number;
  reminders: number;
  visits: Record<string, number>;
  /** The next timer, in milliseconds from the step's `now`; null for none. */
  dueInMs: number | null;
}

export type BotEffect =
  | { kind: 'send'; text: string; options?: FlowOption[]; buttonLabel?: string; media?: { uploadId: string; type: 'image' | 'video' | 'audio' | 'document' } }
  | { kind: 'tags'; add: string[]; remove: string[] }
  | { kind: 'contact_field'; name: string; value: unknown }
  | { kind: 'transfer'; teamId: string | null; userId: string | null }
  | { kind: 'resolve' }
  /** The runtime calls the webhook node after the commit and feeds its answer back as `webhook_called`. */
  | { kind: 'call_webhook'; nodeId: string };

export type BotInput =
  | { kind: 'start' }
  | { kind: 'message'; text: string | null; replyId: string | null }
  | { kind: 'timer' }
  | { kind: 'webhook_called'; ok: boolean; data?: unknown }
  | { kind: 'callback'; data: unknown };

export interface EngineEnv {
  now: Date;
  timeZone: string;
  channel: 'whatsapp' | 'instagram';
  contact: { name: string | null; phone: string | null; fields: Record<string, unknown>; tags: string[] };
  /** The business hours that apply: null when none are configured (treated as open). */
  businessOpen: boolean | null;
}

export interface StepResult {
  state: SessionState;
  effects: BotEffect[];
}

/** Bot texts the customer sees when the flow has none of its own (the product speaks pt-BR by default). */
const RETRY_TEXT: Record<AnswerType, string> = {
  text: 'Por favor, escreva sua resposta.',
  number: 'Por favor, responda com um número.',
  email: 'Esse e-mail não parece válido. Pode conferir?',
  cpf_cnpj: 'Esse CPF/CNPJ não é válido. Pode conferir os números?',
  phone: 'Esse telefone não parece válido. Informe com DDD, por exemplo (11) 91234-5678.',
  date: 'Não entendi a data. Use o formato dd/mm/aaaa.',
  option: 'Não entendi. Escolha uma das opções:',
};

/** More nodes than this in one step is a loop the visit counter would catch only later. */
const MAX_NODES_PER_STEP = 100;

/**
 * Whether a customer message would be a valid answer where the session waits. Within a burst, only a
 * valid answer moves the flow: the rest of the burst ("tudo bem?", "quero pagar") is not answered with
 * "não entendi" once per message.
 */
export function answerFits(def: FlowDefinition, state: SessionState, input: { text: string | null; replyId: string | null }, env: EngineEnv): boolean {
  const n = def.nodes.find((x) => x.id === state.nodeId);
  if (state.status !== 'waiting_answer' || !n || (n.type !== 'message' && n.type !== 'question')) return false;
  return parseAnswer(n.type === 'message' ? 'option' : n.data.answerType, input, n.data.options, env.now, env.timeZone).ok;
}

export function initialState(def: FlowDefinition): SessionState {
  const start = def.nodes.find((n) => n.type === 'start');
  return { nodeId: start?.id ?? '', status: 'running', reason: null, variables: {}, retries: 0, reminders: 0, visits: {}, dueInMs: null };
}

export function step(def: FlowDefinition, settings: FlowSettings, prev: SessionState, input: BotInput, env: EngineEnv): StepResult {
  const s: SessionState = { ...prev, variables: { ...prev.variables }, visits: { ...prev.visits }, dueInMs: null };
  const effects: BotEffect[] = [];
  const contact = { ...env.contact, fields: { ...env.contact.fields }, tags: [...env.contact.tags] };
  const nodes = new Map(def.nodes.map((n) => [n.id, n]));
  const scope = (): TemplateScope => ({ variables: s.variables, contact });
  const text = (t: string) => renderText(t, scope());
  const stop = (status: SessionStatus, reason: string) => { s.status = status; s.reason = reason; s.dueInMs = null; };

  /** The node an outcome leads to; with no edge the session stops (fallback outcomes hand to people). */
  const follow = (from: FlowNode, outcome: string): FlowNode | null => {
    const edge = def.edges.find((e) => e.from === from.id && e.outcome === outcome);
    const to = edge && nodes.get(edge.to);
    if (to) return to;
    if (FALLBACK_OUTCOMES.has(outcome)) stop('handed_off', `unhandled_${outcome}`);
    else stop('ended', outcome === 'next' ? 'completed' : 'no_edge');
    return null;
  };

  const ask = (n: NodeOf<'message'> | NodeOf<'question'>, body: string) => {
    const withOptions = n.type === 'message' || n.data.answerType === 'option';
    effects.push({ kind: 'send', text: text(body), ...(withOptions && n.data.options?.length ? { options: n.data.options, buttonLabel: n.data.buttonLabel } : {}) });
    s.status = 'waiting_answer';
    s.dueInMs = n.data.timeout ? n.data.timeout.seconds * 1000 : null;
  };

  /** Runs a node; the next node to run, or null when the session waits or stopped. */
  const enter = (n: FlowNode): FlowNode | null => {
    s.nodeId = n.id;
    s.status = 'running';
    s.retries = 0;
    s.reminders = 0;
    s.visits[n.id] = (s.visits[n.id] ?? 0) + 1;
    if (s.visits[n.id]! > settings.maxNodeVisits) {
      stop('failed', 'loop_guard');
      return null;
    }
    switch (n.type) {
      case 'start': return follow(n, 'next');
      case 'message':
        if (n.data.options?.length) {
          if (n.data.media) effects.push({ kind: 'send', text: '', media: n.data.media });
          ask(n, n.data.text);
          return null;
        }
        effects.push({ kind: 'send', text: text(n.data.text), ...(n.data.media ? { media: n.data.media } : {}) });
        return follow(n, 'next');
      case 'question':
        ask(n, n.data.text);
        return null;
      case 'condition': {
        const rule = n.data.rules.find((r) => r.all.every((c) => holds(c)));
        return follow(n, rule ? rule.id : 'else');
      }
      case 'delay':
        s.status = 'waiting_time';
        s.dueInMs = n.data.seconds * 1000;
        return null;
      case 'webhook':
        s.status = 'waiting_webhook';
        effects.push({ kind: 'call_webhook', nodeId: n.id });
        // A safety net: if the call's job is lost, the timer takes the error edge.
        s.dueInMs = (n.data.mode === 'sync' ? n.data.timeoutSeconds : 30) * 1000 + 60_000;
        return null;
      case 'tag': {
        const add = n.data.add.filter((t) => !contact.tags.includes(t));
        const remove = n.data.remove.filter((t) => contact.tags.includes(t));
        contact.tags = [...contact.tags.filter((t) => !remove.includes(t)), ...add];
        if (add.length || remove.length) effects.push({ kind: 'tags', add, remove });
        return follow(n, 'next');
      }
      case 'set_field':
        save(n.data.target, text(n.data.value));
        return follow(n, 'next');
      case 'transfer':
        if (n.data.text) effects.push({ kind: 'send', text: text(n.data.text) });
        effects.push({ kind: 'transfer', teamId: n.data.teamId ?? null, userId: n.data.userId ?? null });
        stop('handed_off', 'transfer');
        return null;
      case 'end':
        if (n.data.text) effects.push({ kind: 'send', text: text(n.data.text) });
        if (n.data.resolve) effects.push({ kind: 'resolve' });
        stop('ended', 'completed');
        return null;
    }
  };

  const save = (target: { variable: string } | { contactField: string }, value: unknown) => {
    if ('variable' in target) {
      s.variables[target.variable] = value;
    } else {
      if (target.contactField === 'nome' || target.contactField === 'name') contact.name = String(value);
      else contact.fields[target.contactField] = value;
      effects.push({ kind: 'contact_field', name: target.contactField, value });
    }
  };

  const holds = (c: FlowCondition): boolean => {
    switch (c.subject) {
      case 'variable':
      case 'contact_field': {
        const v = c.subject === 'variable' ? s.variables[c.name ?? ''] : lookup(`contato.${c.name ?? ''}`, scope());
        return compare(v, c.op, c.value ?? '');
      }
      case 'tag': {
        const has = contact.tags.some((t) => normalizeText(t) === normalizeText(c.value ?? ''));
        return c.op === 'not_has' ? !has : has;
      }
      case 'channel': return c.op === 'not_equals' ? env.channel !== c.value : env.channel === c.value;
      case 'business_hours': return c.op === 'closed' ? env.businessOpen === false : env.businessOpen !== false;
      case 'weekday': {
        const days = (c.value ?? '').split(',').map((d) => Number(d.trim()));
        return days.includes(localTime(env.now, env.timeZone).weekday) !== (c.op === 'not_equals');
      }
      case 'time': {
        const [from, to] = (c.value ?? '').split('-').map((x) => parseClock(x));
        if (from == null || to == null) return false;
        const m = localTime(env.now, env.timeZone).minutes;
        return from <= to ? m >= from && m < to : m >= from || m < to; // to <= from: across midnight
      }
    }
  };

  const answer = (n: NodeOf<'message'> | NodeOf<'question'>, input: { text: string | null; replyId: string | null }): FlowNode | null => {
    const type: AnswerType = n.type === 'message' ? 'option' : n.data.answerType;
    const parsed = parseAnswer(type, input, n.data.options, env.now, env.timeZone);
    if (parsed.ok) {
      if (n.type === 'question' && n.data.saveTo) save(n.data.saveTo, parsed.value);
      return follow(n, type === 'option' ? parsed.optionId! : 'next');
    }
    s.retries += 1;
    if (s.retries > (n.data.retry?.max ?? 2)) return follow(n, 'invalid');
    const retries = s.retries;
    ask(n, n.data.retry?.text ?? RETRY_TEXT[type]);
    s.retries = retries;
    return null;
  };

  let next: FlowNode | null = null;
  const current = nodes.get(s.nodeId);
  if (!current) {
    stop('failed', 'node_missing');
    return { state: s, effects };
  }
  switch (input.kind) {
    case 'start':
      next = current;
      break;
    case 'message':
      if (s.status !== 'waiting_answer' || (current.type !== 'message' && current.type !== 'question')) return { state: prev, effects: [] };
      next = answer(current, input);
      break;
    case 'timer':
      if (s.status === 'waiting_time') next = follow(current, 'next');
      else if (s.status === 'waiting_webhook') next = follow(current, 'error');
      else if (s.status === 'waiting_callback') next = follow(current, 'timeout');
      else if (s.status === 'waiting_answer' && (current.type === 'message' || current.type === 'question') && current.data.timeout) {
        const t = current.data.timeout;
        if (s.reminders < t.reminders) {
          const { retries, reminders } = s;
          ask(current, t.reminderText ?? current.data.text);
          s.retries = retries;
          s.reminders = reminders + 1;
        } else {
          next = follow(current, 'timeout');
        }
      } else return { state: prev, effects: [] };
      break;
    case 'webhook_called': {
      if (s.status !== 'waiting_webhook' || current.type !== 'webhook') return { state: prev, effects: [] };
      if (!input.ok) next = follow(current, 'error');
      else if (current.data.mode === 'sync') {
        mapAnswer(current, input.data, s.variables);
        next = follow(current, 'next');
      } else {
        s.status = 'waiting_callback';
        s.dueInMs = current.data.timeoutSeconds * 1000;
      }
      break;
    }
    case 'callback':
      if (s.status !== 'waiting_callback' || current.type !== 'webhook') return { state: prev, effects: [] };
      mapAnswer(current, input.data, s.variables);
      next = follow(current, 'next');
      break;
  }
  for (let n = 0; next; n++) {
    if (n === MAX_NODES_PER_STEP) {
      stop('failed', 'loop_guard');
      break;
    }
    next = enter(next);
  }
  return { state: s, effects };
}

/** A webhook's JSON answer into variables: `variables` of the body as they are, then the node's paths. */
function mapAnswer(n: NodeOf<'webhook'>, data: unknown, variables: Record<string, unknown>): void {
  if (isObject(data) && isObject(data.variables)) {
    for (const [k, v] of Object.entries(data.variables)) if (/^[a-z_][a-z0-9_]{0,39}$/.test(k)) variables[k] = v;
  }
  for (const m of n.data.map) {
    let v: unknown = data;
    for (const key of m.path.split('.').filter(Boolean)) v = isObject(v) || Array.isArray(v) ? (v as Record<string, unknown>)[key] : undefined;
    if (v !== undefined) variables[m.variable] = v;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function compare(v: unknown, op: FlowCondition['op'], value: string): boolean {
  const set = v !== null && v !== undefined && String(v).trim() !== '';
  const a = normalizeText(set ? String(v) : '');
  const b = normalizeText(value);
  switch (op) {
    case 'is_set': return set;
    case 'is_empty': return !set;
    case 'equals': return a === b;
    case 'not_equals': return a !== b;
    case 'contains': return a.includes(b);
    case 'starts_with': return a.startsWith(b);
    case 'gt': case 'lt': {
      const x = toNumber(v);
      const y = toNumber(value);
      if (x === null || y === null) return false;
      return op === 'gt' ? x > y : x < y;
    }
    default: return false;
  }
}

function toNumber(v: unknown): number | null {
  if (typeof v === 'number') return v;
  const s = String(v ?? '').replace(/[^\d,.-]/g, '');
  const n = Number(s.includes(',') ? s.replace(/\./g, '').replace(',', '.') : s);
  return s && Number.isFinite(n) ? n : null;
}
