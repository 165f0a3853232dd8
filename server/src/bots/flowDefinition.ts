import { z } from 'zod';

/**
 * What a chatbot flow is, as the editor saves it, the API validates it, versions keep it and the runtime
 * walks it: nodes with their settings, and edges from each node's outcomes to the next node.
 *
 * The shape is checked here (types, sizes); whether it makes sense as a flow (reachable nodes, outcomes
 * with no edge, Meta's length limits, unknown variables, webhook URLs) is bots/validateFlow.ts, which the
 * editor shows on the nodes and publishing requires.
 */

const Id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, '1-64 of A-Z, a-z, 0-9, _ and -');
/** Variable names as written in text: {{nome}}, {{pedido_id}}. `contato.` is the contact's (bots/textTemplate.ts). */
export const VariableName = z.string().regex(/^[a-z_][a-z0-9_]{0,39}$/, 'a-z, 0-9 and _, starting with a letter or _ (at most 40)');
const Text = z.string().max(4096);
const Position = z.object({ x: z.number().finite(), y: z.number().finite() });

/** A choice the customer can pick: sent as a reply button, a list row or a numbered line (bots/prompt.ts). */
export const FlowOption = z.strictObject({
  id: Id,
  title: z.string().trim().min(1).max(100),
  description: z.string().max(200).optional(),
});
export type FlowOption = z.infer<typeof FlowOption>;

const Media = z.strictObject({ uploadId: z.uuid(), type: z.enum(['image', 'video', 'audio', 'document']) });

/** An invalid answer is asked again up to `max` times with `text`; then the `invalid` outcome. */
const Retry = z.strictObject({ max: z.int().min(0).max(10), text: Text.optional() });
/** No answer for `seconds`: up to `reminders` reminders (each after `seconds` again), then the `timeout` outcome. */
const Timeout = z.strictObject({ seconds: z.int().min(10).max(7 * 86_400), reminders: z.int().min(0).max(5).default(0), reminderText: Text.optional() });

export const ANSWER_TYPES = ['text', 'number', 'email', 'cpf_cnpj', 'phone', 'date', 'option'] as const;
export type AnswerType = (typeof ANSWER_TYPES)[number];

/** Where an answer or a value goes: a flow variable, or a contact field (name, or a custom field). */
const SaveTo = z.union([z.strictObject({ variable: VariableName }), z.strictObject({ contactField: VariableName })]);

const Condition = z.strictObject({
  subject: z.enum(['variable', 'contact_field', 'tag', 'channel', 'business_hours', 'weekday', 'time']),
  /** The variable or field name (variable, contact_field). */
  name: VariableName.optional(),
  op: z.enum(['equals', 'not_equals', 'contains', 'starts_with', 'gt', 'lt', 'is_set', 'is_empty', 'has', 'not_has', 'open', 'closed', 'in', 'between']),
  /** The value compared with; weekday `in` takes '1,2,3' (Monday = 1), time `between` takes '08:00-12:00'. */
  value: z.string().max(500).optional(),
});
export type FlowCondition = z.infer<typeof Condition>;

const node = <T extends string, D extends z.ZodType>(type: T, data: D) =>
  z.strictObject({ id: Id, type: z.literal(type), position: Position, data });

export const FlowNode = z.discriminatedUnion('type', [
  node('start', z.strictObject({})),
  /** Text and media; with options it asks and waits for a choice (like a question of type option). */
  node('message', z.strictObject({
    text: Text, media: Media.optional(), options: z.array(FlowOption).max(100).optional(),
    /** The list message's button (4-10 options), ≤ 20 characters. */
    buttonLabel: z.string().max(100).optional(),
    retry: Retry.optional(), timeout: Timeout.optional(),
  })),
  node('question', z.strictObject({
    text: Text, answerType: z.enum(ANSWER_TYPES), options: z.array(FlowOption).max(100).optional(), buttonLabel: z.string().max(100).optional(),
    saveTo: SaveTo.optional(), retry: Retry.optional(), timeout: Timeout.optional(),
  })),
  node('condition', z.strictObject({ rules: z.array(z.strictObject({ id: Id, label: z.string().max(100).optional(), all: z.array(Condition).min(1).max(20) })).max(20) })),
  node('delay', z.strictObject({ seconds: z.int().min(1).max(30 * 86_400) })),
  node('webhook', z.strictObject({
    url: z.string().max(2000),
    mode: z.enum(['sync', 'async']),
    /** sync: the call's time limit (≤ 30 s); async: how long to wait for the callback (≤ 7 days). */
    timeoutSeconds: z.int().min(1).max(7 * 86_400),
    /** sync: JSON paths of the answer ('pedido.status') into variables. */
    map: z.array(z.strictObject({ path: z.string().max(200), variable: VariableName })).max(50).default([]),
  })),
  node('tag', z.strictObject({ add: z.array(z.string().trim().min(1).max(50)).max(20).default([]), remove: z.array(z.string().trim().min(1).max(50)).max(20).default([]) })),
  node('set_field', z.strictObject({ target: SaveTo, value: z.string().max(1000) })),
  /** The handoff: to a team's queue or a person; the bot stops for this conversation. */
  node('transfer', z.strictObject({ teamId: z.uuid().nullable().optional(), userId: z.uuid().nullable().optional(), text: Text.optional() })),
  node('end', z.strictObject({ text: Text.optional(), resolve: z.boolean().default(false) })),
]);
export type FlowNode = z.infer<typeof FlowNode>;
export type FlowNodeType = FlowNode['type'];
export type NodeOf<T extends FlowNodeType> = Extract<FlowNode, { type: T }>;

export const FlowEdge = z.strictObject({ id: Id, from: Id, outcome: z.string().max(64), to: Id });
export type FlowEdge = z.infer<typeof FlowEdge>;

export const FlowDefinition = z.strictObject({
  nodes: z.array(FlowNode).min(1).max(200),
  edges: z.array(FlowEdge).max(1000),
});
export type FlowDefinition = z.infer<typeof FlowDefinition>;

export const KEYWORD_MATCHES = ['equals', 'contains', 'starts_with', 'regex'] as const;

/** What starts a flow (bots/triggers.ts matches them, in flow priority order). */
export const FlowTrigger = z.discriminatedUnion('type', [
  /** The first customer message of a new conversation. */
  z.strictObject({ type: z.literal('new_conversation') }),
  /** Any customer message while no person owns the conversation. */
  z.strictObject({ type: z.literal('no_human') }),
  z.strictObject({ type: z.literal('keyword'), keywords: z.array(z.strictObject({ match: z.enum(KEYWORD_MATCHES), value: z.string().trim().min(1).max(200) })).min(1).max(50) }),
  /** A customer message while the connection's business hours are closed. */
  z.strictObject({ type: z.literal('outside_hours') }),
  /** A button or list reply (or a template's quick reply) whose id or payload is this. */
  z.strictObject({ type: z.literal('interactive_payload'), payload: z.string().min(1).max(256) }),
  /** Starts only as the fallback or by hand (test preview). */
  z.strictObject({ type: z.literal('none') }),
]);
export type FlowTrigger = z.infer<typeof FlowTrigger>;

export const FlowSettings = z.strictObject({
  /** Customer messages this soon after the one that started a bot turn are part of its burst: answered once. */
  burstMs: z.int().min(0).max(30_000).default(2_000),
  /** A node visited more often than this in one session ends it (loop guard). */
  maxNodeVisits: z.int().min(1).max(100).default(10),
});
export type FlowSettings = z.infer<typeof FlowSettings>;

/** The outcomes a node can leave by, each of which may have an edge. */
export function outcomesOf(n: FlowNode): string[] {
  switch (n.type) {
    case 'start': case 'delay': case 'tag': case 'set_field': return ['next'];
    case 'message': return n.data.options?.length ? [...n.data.options.map((o) => o.id), 'invalid', ...(n.data.timeout ? ['timeout'] : [])] : ['next'];
    case 'question': return [
      ...(n.data.answerType === 'option' ? (n.data.options ?? []).map((o) => o.id) : ['next']),
      'invalid', ...(n.data.timeout ? ['timeout'] : []),
    ];
    case 'condition': return [...n.data.rules.map((r) => r.id), 'else'];
    case 'webhook': return ['next', 'error', ...(n.data.mode === 'async' ? ['timeout'] : [])];
    case 'transfer': case 'end': return [];
  }
}

/**
 * Outcomes that may go unconnected: when taken with no edge, the conversation is handed to the people
 * of its queue (the safe default) instead of the flow ending silently.
 */
export const FALLBACK_OUTCOMES = new Set(['invalid', 'timeout', 'error', 'else']);

export const EMPTY_FLOW: FlowDefinition = {
  nodes: [{ id: 'start', type: 'start', position: { x: 0, y: 0 }, data: {} }],
  edges: [],
};
