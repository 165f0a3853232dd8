import { FALLBACK_OUTCOMES, outcomesOf, type FlowCondition, type FlowDefinition, type FlowNode, type FlowOption } from './flowDefinition.js';
import {
  BUTTON_TITLE_MAX, INTERACTIVE_BODY_MAX, LIST_BUTTON_MAX, LIST_ROW_DESCRIPTION_MAX, LIST_ROW_TITLE_MAX, MAX_BUTTONS, MAX_LIST_ROWS,
} from '../messaging/interactiveLimits.js';
import { variablesIn } from './textTemplate.js';

/**
 * Whether a flow makes sense, beyond its shape (flowDefinition.ts checks that): the editor shows these on
 * the nodes, and publishing refuses while any has severity `error`. Pure: what it needs of the appliance
 * (its teams, users, uploads, whether http to loopback is allowed) comes in `ctx`.
 *
 * Warnings do not block publishing: an unconnected invalid/timeout/error/else outcome hands the
 * conversation to people, and a node nothing reaches never runs.
 */
export interface FlowIssue {
  nodeId: string | null;
  outcome?: string;
  code: FlowIssueCode;
  message: string;
  severity: 'error' | 'warning';
}

export type FlowIssueCode =
  | 'start_missing' | 'start_duplicate' | 'node_id_duplicate' | 'edge_id_duplicate'
  | 'edge_unknown_node' | 'edge_unknown_outcome' | 'outcome_multiple_edges'
  | 'outcome_unconnected' | 'fallback_unconnected' | 'flow_ends_here' | 'node_unreachable'
  | 'option_id_duplicate' | 'options_required' | 'options_ignored'
  | 'button_title_too_long' | 'button_description_ignored'
  | 'list_title_too_long' | 'list_description_too_long' | 'list_button_too_long'
  | 'body_too_long' | 'text_too_long' | 'text_required'
  | 'unknown_variable' | 'unknown_upload'
  | 'webhook_url_invalid' | 'webhook_url_not_https' | 'webhook_timeout_too_long'
  | 'transfer_unknown_team' | 'transfer_unknown_user'
  | 'condition_name_required' | 'condition_value_required' | 'condition_op_invalid' | 'condition_value_invalid'
  | 'tag_empty';

export interface ValidationContext {
  teamIds: Set<string>;
  userIds: Set<string>;
  /** When given, media must name one of these uploads; when absent, uploads are not checked. */
  uploadIds?: Set<string>;
  /** http:// to 127.0.0.1, localhost and ::1 (development and tests); https everywhere else. */
  allowHttpLoopback: boolean;
}

/** Meta's interactive message limits, as messaging/interactiveLimits.ts states them (prompt.ts sends by the same). */
export const META_LIMITS = {
  maxButtons: MAX_BUTTONS, buttonTitle: BUTTON_TITLE_MAX,
  maxListRows: MAX_LIST_ROWS, listRowTitle: LIST_ROW_TITLE_MAX, listRowDescription: LIST_ROW_DESCRIPTION_MAX, listButton: LIST_BUTTON_MAX,
  interactiveBody: INTERACTIVE_BODY_MAX, text: 4096,
} as const;

/** How a set of options goes out: reply buttons (1-3), a list message (4-10), numbered text (more). */
export function optionsDelivery(count: number): 'buttons' | 'list' | 'numbered' | 'none' {
  if (count === 0) return 'none';
  if (count <= META_LIMITS.maxButtons) return 'buttons';
  if (count <= META_LIMITS.maxListRows) return 'list';
  return 'numbered';
}

const SYNC_WEBHOOK_MAX_SECONDS = 30;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const TEXT_OPS = new Set(['equals', 'not_equals', 'contains', 'starts_with', 'gt', 'lt', 'is_set', 'is_empty']);
const OPS_BY_SUBJECT: Record<FlowCondition['subject'], Set<string>> = {
  variable: TEXT_OPS,
  contact_field: TEXT_OPS,
  tag: new Set(['has', 'not_has']),
  channel: new Set(['equals', 'not_equals']),
  business_hours: new Set(['open', 'closed']),
  weekday: new Set(['in']),
  time: new Set(['between']),
};
const NO_VALUE_OPS = new Set(['is_set', 'is_empty', 'open', 'closed']);
const WEEKDAYS = /^[1-7](\s*,\s*[1-7])*$/;
const TIME_RANGE = /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/;
const CHANNELS = new Set(['whatsapp', 'instagram']);

export function validateFlow(def: FlowDefinition, ctx: ValidationContext): FlowIssue[] {
  const issues: FlowIssue[] = [];
  const error = (nodeId: string | null, code: FlowIssueCode, message: string, outcome?: string) =>
    issues.push({ nodeId, ...(outcome !== undefined ? { outcome } : {}), code, message, severity: 'error' });
  const warning = (nodeId: string | null, code: FlowIssueCode, message: string, outcome?: string) =>
    issues.push({ nodeId, ...(outcome !== undefined ? { outcome } : {}), code, message, severity: 'warning' });

  // Nodes and the start.
  const nodes = new Map<string, FlowNode>();
  for (const n of def.nodes) {
    if (nodes.has(n.id)) error(n.id, 'node_id_duplicate', `two nodes have the id "${n.id}"`);
    else nodes.set(n.id, n);
  }
  const starts = def.nodes.filter((n) => n.type === 'start');
  if (starts.length === 0) error(null, 'start_missing', 'the flow has no start node');
  for (const extra of starts.slice(1)) error(extra.id, 'start_duplicate', 'a flow has exactly one start node');

  // Edges: from a node's own outcome to a node that exists, one edge per outcome.
  const outcomes = new Map([...nodes.values()].map((n) => [n.id, new Set(outcomesOf(n))]));
  const edgeIds = new Set<string>();
  const next = new Map<string, string[]>();
  const taken = new Set<string>();
  for (const e of def.edges) {
    if (edgeIds.has(e.id)) error(nodes.has(e.from) ? e.from : null, 'edge_id_duplicate', `two edges have the id "${e.id}"`);
    edgeIds.add(e.id);
    if (!nodes.has(e.from) || !nodes.has(e.to)) {
      const missing = !nodes.has(e.from) ? e.from : e.to;
      error(nodes.has(e.from) ? e.from : null, 'edge_unknown_node', `the edge "${e.id}" points to a node that does not exist ("${missing}")`, nodes.has(e.from) ? e.outcome : undefined);
      continue;
    }
    if (!outcomes.get(e.from)!.has(e.outcome)) {
      error(e.from, 'edge_unknown_outcome', `the edge "${e.id}" leaves by "${e.outcome}", which this node does not have`, e.outcome);
      continue;
    }
    const key = `${e.from}\u0000${e.outcome}`;
    if (taken.has(key)) {
      error(e.from, 'outcome_multiple_edges', `the outcome "${e.outcome}" has more than one edge`, e.outcome);
      continue;
    }
    taken.add(key);
    next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  }

  // Reachability from the start; outcomes are only required of nodes that can run.
  const reachable = new Set<string>();
  const queue = starts.length ? [starts[0]!.id] : [];
  while (queue.length) {
    const id = queue.pop()!;
    if (reachable.has(id)) continue;
    reachable.add(id);
    queue.push(...(next.get(id) ?? []));
  }
  for (const n of nodes.values()) {
    if (n.type === 'start' && n !== starts[0]) continue; // reported as start_duplicate
    if (starts.length && !reachable.has(n.id)) {
      warning(n.id, 'node_unreachable', 'no path from the start reaches this node');
      continue;
    }
    for (const o of outcomes.get(n.id)!) {
      if (taken.has(`${n.id}\u0000${o}`)) continue;
      if (FALLBACK_OUTCOMES.has(o)) warning(n.id, 'fallback_unconnected', `"${o}" has no edge: the conversation goes to the people of its queue`, o);
      // A last message (or tag, field, delay) with nothing after it ends the flow there, as its author meant.
      else if (o === 'next' && n.type !== 'start' && n.type !== 'webhook') warning(n.id, 'flow_ends_here', 'nothing comes after this block: the flow ends here', o);
      else error(n.id, 'outcome_unconnected', `"${o}" has no edge`, o);
    }
  }

  // Variables: known when some question, set_field or webhook map saves them.
  const known = new Set<string>();
  for (const n of def.nodes) {
    if (n.type === 'question' && n.data.saveTo && 'variable' in n.data.saveTo) known.add(n.data.saveTo.variable);
    if (n.type === 'set_field' && 'variable' in n.data.target) known.add(n.data.target.variable);
    if (n.type === 'webhook') for (const m of n.data.map) known.add(m.variable);
  }
  const answersBringVariables = def.nodes.some((n) => n.type === 'webhook');
  const texts = (nodeId: string, ...values: Array<string | undefined>) => {
    for (const v of values) {
      if (!v) continue;
      for (const ref of new Set(variablesIn(v))) {
        const [head, field] = ref.split('.');
        const ok = field === undefined ? known.has(head!) : head === 'contato' || head === 'contact';
        // A webhook's answer may bring any variable (its `variables` object): then an unknown one is only a warning.
        if (!ok) (answersBringVariables && field === undefined ? warning : error)(nodeId, 'unknown_variable', answersBringVariables && field === undefined
          ? `{{${ref}}} is not saved by this flow; it must come in a webhook's answer`
          : `{{${ref}}} is not saved anywhere in this flow`);
      }
    }
  };

  for (const n of nodes.values()) {
    switch (n.type) {
      case 'message': {
        const opts = n.data.options ?? [];
        if (!n.data.text.trim() && !n.data.media) error(n.id, 'text_required', 'the message has no text and no media');
        else if (!n.data.text.trim() && opts.length) error(n.id, 'text_required', 'a message with options needs text');
        checkOptions(n.id, n.data.text, opts, n.data.buttonLabel);
        media(n.id, n.data.media?.uploadId);
        texts(n.id, n.data.text, n.data.retry?.text, n.data.timeout?.reminderText);
        break;
      }
      case 'question': {
        const opts = n.data.options ?? [];
        if (!n.data.text.trim()) error(n.id, 'text_required', 'the question has no text');
        if (n.data.answerType === 'option') {
          if (!opts.length) error(n.id, 'options_required', 'a question of type option needs at least one option');
          checkOptions(n.id, n.data.text, opts, n.data.buttonLabel);
        } else if (opts.length) {
          warning(n.id, 'options_ignored', `options are only sent for questions of type option (this one is ${n.data.answerType})`);
        }
        texts(n.id, n.data.text, n.data.retry?.text, n.data.timeout?.reminderText);
        break;
      }
      case 'condition':
        for (const r of n.data.rules) for (const c of r.all) condition(n.id, r.id, c);
        break;
      case 'webhook': {
        webhook(n.id, n.data.url, n.data.mode, n.data.timeoutSeconds);
        texts(n.id, n.data.url);
        break;
      }
      case 'tag':
        if (!n.data.add.length && !n.data.remove.length) warning(n.id, 'tag_empty', 'the node adds and removes no tag');
        break;
      case 'set_field':
        texts(n.id, n.data.value);
        break;
      case 'transfer':
        if (n.data.teamId && !ctx.teamIds.has(n.data.teamId)) error(n.id, 'transfer_unknown_team', 'the team to transfer to does not exist');
        if (n.data.userId && !ctx.userIds.has(n.data.userId)) error(n.id, 'transfer_unknown_user', 'the person to transfer to does not exist or is disabled');
        texts(n.id, n.data.text);
        break;
      case 'end':
        texts(n.id, n.data.text);
        break;
      case 'start': case 'delay':
        break;
    }
  }
  return issues;

  function media(nodeId: string, uploadId: string | undefined) {
    if (uploadId && ctx.uploadIds && !ctx.uploadIds.has(uploadId)) error(nodeId, 'unknown_upload', 'the media file is not on this appliance; upload it again');
  }

  function checkOptions(nodeId: string, body: string, opts: FlowOption[], buttonLabel: string | undefined) {
    const seen = new Set<string>();
    for (const o of opts) {
      if (seen.has(o.id)) error(nodeId, 'option_id_duplicate', `two options have the id "${o.id}"`, o.id);
      seen.add(o.id);
    }
    const how = optionsDelivery(opts.length);
    const L = META_LIMITS;
    if (how === 'buttons') {
      for (const o of opts) {
        if (o.title.length > L.buttonTitle) error(nodeId, 'button_title_too_long', `"${o.title}" is longer than ${L.buttonTitle} characters (a reply button's title)`, o.id);
        if (o.description) warning(nodeId, 'button_description_ignored', `reply buttons show no description ("${o.title}")`, o.id);
      }
    } else if (how === 'list') {
      for (const o of opts) {
        if (o.title.length > L.listRowTitle) error(nodeId, 'list_title_too_long', `"${o.title}" is longer than ${L.listRowTitle} characters (a list row's title)`, o.id);
        if (o.description && o.description.length > L.listRowDescription) error(nodeId, 'list_description_too_long', `the description of "${o.title}" is longer than ${L.listRowDescription} characters`, o.id);
      }
      if (buttonLabel && buttonLabel.length > L.listButton) error(nodeId, 'list_button_too_long', `the list button "${buttonLabel}" is longer than ${L.listButton} characters`);
    }
    if ((how === 'buttons' || how === 'list') && body.length > L.interactiveBody) {
      error(nodeId, 'body_too_long', `the text is ${body.length} characters; a message with buttons or a list allows ${L.interactiveBody}`);
    }
    if (how === 'numbered') {
      // Sent as text with one numbered line per option ("12. Title", bots/prompt.ts).
      const total = body.length + opts.reduce((sum, o, i) => sum + String(i + 1).length + 3 + o.title.length, 2);
      if (total > L.text) error(nodeId, 'text_too_long', `the text with its numbered options is ${total} characters; a text message allows ${L.text}`);
    }
    for (const o of opts) texts(nodeId, o.title, o.description);
  }

  function condition(nodeId: string, ruleId: string, c: FlowCondition) {
    if (!OPS_BY_SUBJECT[c.subject].has(c.op)) {
      error(nodeId, 'condition_op_invalid', `"${c.op}" does not apply to ${c.subject} (use ${[...OPS_BY_SUBJECT[c.subject]].join(', ')})`, ruleId);
      return;
    }
    if ((c.subject === 'variable' || c.subject === 'contact_field') && !c.name) {
      error(nodeId, 'condition_name_required', `a ${c.subject === 'variable' ? 'variable' : 'contact field'} condition needs its name`, ruleId);
    }
    if (c.subject === 'variable' && c.name && !known.has(c.name)) (answersBringVariables ? warning : error)(nodeId, 'unknown_variable', `{{${c.name}}} is not saved anywhere in this flow`);
    const value = c.value?.trim() ?? '';
    if (NO_VALUE_OPS.has(c.op)) return;
    if (!value) {
      error(nodeId, 'condition_value_required', `"${c.op}" needs a value to compare with`, ruleId);
      return;
    }
    texts(nodeId, value);
    const templated = variablesIn(value).length > 0;
    if (c.subject === 'weekday' && !WEEKDAYS.test(value)) error(nodeId, 'condition_value_invalid', 'weekdays are written 1-7 separated by commas (Monday = 1)', ruleId);
    if (c.subject === 'time' && !TIME_RANGE.test(value)) error(nodeId, 'condition_value_invalid', 'a time range is written HH:MM-HH:MM', ruleId);
    if (c.subject === 'channel' && !CHANNELS.has(value)) error(nodeId, 'condition_value_invalid', 'the channel is whatsapp or instagram', ruleId);
    if ((c.op === 'gt' || c.op === 'lt') && !templated && !Number.isFinite(Number(value.replace(',', '.')))) {
      error(nodeId, 'condition_value_invalid', `"${c.op}" compares numbers; "${value}" is not one`, ruleId);
    }
  }

  function webhook(nodeId: string, raw: string, mode: 'sync' | 'async', timeoutSeconds: number) {
    if (mode === 'sync' && timeoutSeconds > SYNC_WEBHOOK_MAX_SECONDS) {
      error(nodeId, 'webhook_timeout_too_long', `a sync webhook waits at most ${SYNC_WEBHOOK_MAX_SECONDS} seconds; use async for longer`);
    }
    const origin = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(raw.trim())?.[0] ?? '';
    if (origin.includes('{{')) {
      error(nodeId, 'webhook_url_invalid', 'the address\'s host cannot come from a variable');
      return;
    }
    let url: URL;
    try {
      url = new URL(raw.trim().replace(/\{\{[^}]*\}\}/g, 'x'));
    } catch {
      error(nodeId, 'webhook_url_invalid', raw.trim() ? `"${raw}" is not a web address` : 'the webhook has no address');
      return;
    }
    if (url.username || url.password) error(nodeId, 'webhook_url_invalid', 'the address must not carry a user name or password');
    if (url.protocol === 'https:') return;
    if (url.protocol === 'http:') {
      if (ctx.allowHttpLoopback && LOOPBACK.has(url.hostname)) return;
      error(nodeId, 'webhook_url_not_https', ctx.allowHttpLoopback ? 'the address must be https (http only to 127.0.0.1, localhost or ::1)' : 'the address must be https');
      return;
    }
    error(nodeId, 'webhook_url_invalid', `"${url.protocol}" addresses are not supported; use https`);
  }
}

/** The uploads a definition's media name, for loading `ctx.uploadIds`. */
export function uploadIdsIn(def: FlowDefinition): string[] {
  return [...new Set(def.nodes.flatMap((n) => (n.type === 'message' && n.data.media ? [n.data.media.uploadId] : [])))];
}

export const blockingIssues = (issues: FlowIssue[]) => issues.filter((i) => i.severity === 'error');
