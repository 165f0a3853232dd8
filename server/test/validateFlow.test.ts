import test from 'ava';
import { FlowDefinition, type FlowEdge, type FlowNode } from '../src/bots/flowDefinition.js';
import { optionsDelivery, validateFlow, type FlowIssue, type ValidationContext } from '../src/bots/validateFlow.js';

const TEAM = '11111111-1111-4111-8111-111111111111';
const USER = '22222222-2222-4222-8222-222222222222';
const UPLOAD = '33333333-3333-4333-8333-333333333333';
const OTHER = '99999999-9999-4999-8999-999999999999';
const ctx: ValidationContext = { teamIds: new Set([TEAM]), userIds: new Set([USER]), uploadIds: new Set([UPLOAD]), allowHttpLoopback: false };

const at = { x: 0, y: 0 };
let edgeSeq = 0;
/** A definition through the real schema (defaults applied, as the API stores it). */
const flow = (nodes: Array<Record<string, unknown>>, edges: Array<[string, string, string]>) =>
  FlowDefinition.parse({
    nodes: nodes.map((n) => ({ position: at, ...n })),
    edges: edges.map(([from, outcome, to]): FlowEdge => ({ id: `e${++edgeSeq}`, from, outcome, to })),
  });
const start = { id: 'start', type: 'start', data: {} } as const;
const end = (id = 'end') => ({ id, type: 'end', data: {} }) as const;
const msg = (id: string, data: Record<string, unknown>) => ({ id, type: 'message', data: { text: 'Olá', ...data } }) as unknown as FlowNode;
const opts = (n: number, title = (i: number) => `Opção ${i}`, description?: string) =>
  Array.from({ length: n }, (_, i) => ({ id: `o${i + 1}`, title: title(i + 1), ...(description ? { description } : {}) }));
/** Every option of a node to `end`, plus its `invalid`. */
const wireOptions = (id: string, n: number): Array<[string, string, string]> => [...opts(n).map((o): [string, string, string] => [id, o.id, 'end']), [id, 'invalid', 'end']];

const codes = (issues: FlowIssue[]) => issues.map((i) => i.code).sort();
const errors = (issues: FlowIssue[]) => issues.filter((i) => i.severity === 'error');
const only = (issues: FlowIssue[], code: string) => issues.filter((i) => i.code === code);

test('a connected flow has no issues', (t) => {
  const def = flow([start, msg('m', {}), end()], [['start', 'next', 'm'], ['m', 'next', 'end']]);
  t.deepEqual(validateFlow(def, ctx), []);
});

test('exactly one start node', (t) => {
  t.deepEqual(codes(validateFlow(flow([end()], []), ctx)), ['start_missing']);
  const two = validateFlow(flow([start, { id: 's2', type: 'start', data: {} }, end()], [['start', 'next', 'end'], ['s2', 'next', 'end']]), ctx);
  t.deepEqual(only(two, 'start_duplicate').map((i) => i.nodeId), ['s2']);
  t.is(only(two, 'start_duplicate')[0]!.severity, 'error');
});

test('duplicate node and edge ids', (t) => {
  const def = flow([start, end(), end()], [['start', 'next', 'end']]);
  t.deepEqual(codes(validateFlow(def, ctx)), ['node_id_duplicate']);
  const e = FlowDefinition.parse({ nodes: [{ ...start, position: at }, { ...end(), position: at }], edges: [{ id: 'x', from: 'start', outcome: 'next', to: 'end' }, { id: 'x', from: 'start', outcome: 'next', to: 'end' }] });
  t.deepEqual(codes(validateFlow(e, ctx)), ['edge_id_duplicate', 'outcome_multiple_edges']);
});

test('edges to unknown nodes and from outcomes the node does not have', (t) => {
  const def = flow([start, end()], [['start', 'next', 'end'], ['start', 'next', 'ghost'], ['ghost', 'next', 'end'], ['start', 'o1', 'end']]);
  const issues = validateFlow(def, ctx);
  t.deepEqual(codes(issues), ['edge_unknown_node', 'edge_unknown_node', 'edge_unknown_outcome']);
  const unknownOutcome = only(issues, 'edge_unknown_outcome')[0]!;
  t.like(unknownOutcome, { nodeId: 'start', outcome: 'o1', severity: 'error' });
  t.deepEqual(only(issues, 'edge_unknown_node').map((i) => i.nodeId).sort((a, b) => String(a).localeCompare(String(b))), [null, 'start'].sort((a, b) => String(a).localeCompare(String(b))));
});

test('two edges from one outcome', (t) => {
  const def = flow([start, end('a'), end('b')], [['start', 'next', 'a'], ['start', 'next', 'b']]);
  const issues = validateFlow(def, ctx);
  t.true(issues.some((i) => i.code === 'outcome_multiple_edges' && i.nodeId === 'start' && i.outcome === 'next'));
});

test('unreachable nodes are warnings and their outcomes are not required', (t) => {
  const def = flow([start, end(), msg('lost', {})], [['start', 'next', 'end']]);
  const issues = validateFlow(def, ctx);
  t.deepEqual(issues.map((i) => [i.code, i.nodeId, i.severity]), [['node_unreachable', 'lost', 'warning']]);
});

test('unconnected outcomes: errors, except invalid/timeout/error/else which hand over to people (warnings)', (t) => {
  const def = flow([
    start,
    msg('menu', { options: opts(2), timeout: { seconds: 60 } }),
    { id: 'hook', type: 'webhook', data: { url: 'https://api.loja.com.br/pedido', mode: 'async', timeoutSeconds: 3600 } },
    { id: 'cond', type: 'condition', data: { rules: [{ id: 'vip', all: [{ subject: 'tag', op: 'has', value: 'vip' }] }] } },
    end(),
  ], [['start', 'next', 'menu'], ['menu', 'o1', 'hook'], ['hook', 'next', 'cond'], ['cond', 'vip', 'end']]);
  const issues = validateFlow(def, ctx);
  const by = (sev: string) => issues.filter((i) => i.severity === sev).map((i) => `${i.code}:${i.nodeId}.${i.outcome}`).sort();
  t.deepEqual(by('error'), ['outcome_unconnected:menu.o2']);
  t.deepEqual(by('warning'), [
    'fallback_unconnected:cond.else', 'fallback_unconnected:hook.error', 'fallback_unconnected:hook.timeout',
    'fallback_unconnected:menu.invalid', 'fallback_unconnected:menu.timeout',
  ]);
});

test('a last message with nothing after it ends the flow there: a warning, not an error; a start with no edge is an error', (t) => {
  const def = flow([start, msg('bye', {})], [['start', 'next', 'bye']]);
  t.deepEqual(validateFlow(def, ctx).map((i) => [i.code, i.nodeId, i.severity]), [['flow_ends_here', 'bye', 'warning']]);
  const lone = flow([start], []);
  t.true(validateFlow(lone, ctx).some((i) => i.code === 'outcome_unconnected' && i.nodeId === 'start' && i.severity === 'error'));
});

test('duplicate option ids', (t) => {
  const def = flow([start, msg('m', { options: [{ id: 'a', title: 'Um' }, { id: 'a', title: 'Dois' }] }), end()], [['start', 'next', 'm'], ['m', 'a', 'end'], ['m', 'invalid', 'end']]);
  t.deepEqual(codes(validateFlow(def, ctx)), ['option_id_duplicate']);
});

test('how options go out decides the limits: buttons, list, numbered text', (t) => {
  t.is(optionsDelivery(1), 'buttons');
  t.is(optionsDelivery(3), 'buttons');
  t.is(optionsDelivery(4), 'list');
  t.is(optionsDelivery(10), 'list');
  t.is(optionsDelivery(11), 'numbered');

  const long = (n: number) => 'x'.repeat(n);
  const check = (options: unknown[], extra: Record<string, unknown> = {}) =>
    codes(validateFlow(flow([start, msg('m', { options, ...extra }), end()], [['start', 'next', 'm'], ...wireOptions('m', options.length)]), ctx));

  // Reply buttons: title ≤ 20; 20 is fine.
  t.deepEqual(check(opts(3, () => long(20))), []);
  t.deepEqual(check(opts(3, (i) => (i === 2 ? long(21) : 'ok'))), ['button_title_too_long']);
  t.deepEqual(check(opts(2, () => 'ok', 'shown nowhere')), ['button_description_ignored', 'button_description_ignored']);
  // A list: row title ≤ 24, description ≤ 72, button label ≤ 20.
  t.deepEqual(check(opts(4, () => long(24), long(72)), { buttonLabel: long(20) }), []);
  t.deepEqual(check(opts(4, (i) => (i === 1 ? long(25) : 'ok'))), ['list_title_too_long']);
  t.deepEqual(check(opts(10, () => 'ok', long(73))).filter((c) => c === 'list_description_too_long').length, 10);
  t.deepEqual(check(opts(7), { buttonLabel: long(21) }), ['list_button_too_long']);
  // More than ten: numbered text, titles of any length.
  t.deepEqual(check(opts(11, () => long(90)), { buttonLabel: long(40) }), []);
});

test('body limits: 1024 with buttons or a list, 4096 as numbered text', (t) => {
  const check = (text: string, n: number) =>
    codes(validateFlow(flow([start, msg('m', { text, options: opts(n) }), end()], [['start', 'next', 'm'], ...wireOptions('m', n)]), ctx));
  t.deepEqual(check('a'.repeat(1024), 3), []);
  t.deepEqual(check('a'.repeat(1025), 3), ['body_too_long']);
  t.deepEqual(check('a'.repeat(1025), 5), ['body_too_long']);
  t.deepEqual(check('a'.repeat(1025), 11), [], 'numbered text is a plain text message');
  t.deepEqual(check('a'.repeat(4000), 11), ['text_too_long'], 'the numbered lines count too');
  // Without options, a plain text may use the whole 4096 (the schema caps it).
  t.deepEqual(codes(validateFlow(flow([start, msg('m', { text: 'a'.repeat(4096) }), end()], [['start', 'next', 'm'], ['m', 'next', 'end']]), ctx)), []);
  t.deepEqual(codes(validateFlow(flow([start, msg('m', { text: ' ', options: opts(2) }), end()], [['start', 'next', 'm'], ...wireOptions('m', 2)]), ctx)), ['text_required']);
});

test('option questions need options; other types ignore them', (t) => {
  const q = (answerType: string, options?: unknown[]) => ({ id: 'q', type: 'question', data: { text: 'Qual?', answerType, ...(options ? { options } : {}) } }) as unknown as FlowNode;
  const empty = validateFlow(flow([start, q('option', []), end()], [['start', 'next', 'q'], ['q', 'invalid', 'end']]), ctx);
  t.deepEqual(codes(empty), ['options_required']);
  const none = validateFlow(flow([start, q('option'), end()], [['start', 'next', 'q'], ['q', 'invalid', 'end']]), ctx);
  t.deepEqual(codes(none), ['options_required']);
  const text = validateFlow(flow([start, q('email', opts(2)), end()], [['start', 'next', 'q'], ['q', 'next', 'end'], ['q', 'invalid', 'end']]), ctx);
  t.deepEqual(text.map((i) => [i.code, i.severity]), [['options_ignored', 'warning']]);
  const ok = validateFlow(flow([start, q('option', opts(5)), end()], [['start', 'next', 'q'], ...wireOptions('q', 5)]), ctx);
  t.deepEqual(ok, []);
});

test('unknown variables anywhere; saved ones and contato.* are known', (t) => {
  const def = flow([
    start,
    { id: 'q', type: 'question', data: { text: 'Seu nome?', answerType: 'text', saveTo: { variable: 'nome' } } },
    { id: 'set', type: 'set_field', data: { target: { variable: 'saudacao' }, value: 'Oi {{nome}}' } },
    { id: 'hook', type: 'webhook', data: { url: 'https://api.loja.com.br/p/{{pedido_id}}', mode: 'sync', timeoutSeconds: 10, map: [{ path: 'status', variable: 'status_pedido' }] } },
    msg('m', { text: '{{saudacao}}, {{ contato.nome }} ({{contact.phone}}): {{status_pedido}} {{cupom}} {{outro.x}}', retry: { max: 1, text: '{{tentativa}}' } }),
    { id: 'cond', type: 'condition', data: { rules: [{ id: 'r', all: [{ subject: 'variable', name: 'fantasma', op: 'is_set' }, { subject: 'variable', name: 'nome', op: 'equals', value: '{{desconhecida}}' }] }] } },
    { id: 'end', type: 'end', data: { text: 'Tchau {{nome}} {{sumida}}' } },
  ], [['start', 'next', 'q'], ['q', 'next', 'set'], ['q', 'invalid', 'end'], ['set', 'next', 'hook'], ['hook', 'next', 'm'], ['hook', 'error', 'end'], ['m', 'next', 'cond'], ['cond', 'r', 'end'], ['cond', 'else', 'end']]);
  const unknown = only(validateFlow(def, ctx), 'unknown_variable');
  t.deepEqual(unknown.map((i) => `${i.nodeId}:${i.message.match(/\{\{(.+?)\}\}/)![1]}`).sort(), [
    'cond:desconhecida', 'cond:fantasma', 'end:sumida', 'hook:pedido_id', 'm:cupom', 'm:outro.x', 'm:tentativa',
  ]);
  // The flow has a webhook, whose answer may bring any plain variable: those are warnings; `outro.x` can never be.
  t.deepEqual(unknown.filter((i) => i.severity === 'error').map((i) => i.nodeId), ['m']);
  const withoutHook = flow([start, msg('m', { text: 'Oi {{cupom}}' })], [['start', 'next', 'm']]);
  t.deepEqual(only(validateFlow(withoutHook, ctx), 'unknown_variable').map((i) => i.severity), ['error']);
});

test('webhook URLs: https; http only to loopback outside production', (t) => {
  const check = (url: string, allowHttpLoopback: boolean, mode: 'sync' | 'async' = 'sync', timeoutSeconds = 10) =>
    codes(validateFlow(flow([start, { id: 'h', type: 'webhook', data: { url, mode, timeoutSeconds } }, end()],
      [['start', 'next', 'h'], ['h', 'next', 'end'], ['h', 'error', 'end'], ...(mode === 'async' ? [['h', 'timeout', 'end'] as [string, string, string]] : [])]), { ...ctx, allowHttpLoopback }));
  t.deepEqual(check('https://api.loja.com.br/x', false), []);
  t.deepEqual(check('http://api.loja.com.br/x', false), ['webhook_url_not_https']);
  t.deepEqual(check('http://api.loja.com.br/x', true), ['webhook_url_not_https'], 'loopback only');
  for (const host of ['127.0.0.1:8080', 'localhost', '[::1]:3000']) {
    t.deepEqual(check(`http://${host}/hook`, true), [], host);
    t.deepEqual(check(`http://${host}/hook`, false), ['webhook_url_not_https'], `${host} in production`);
  }
  t.deepEqual(check('ftp://files.loja.com.br/x', true), ['webhook_url_invalid']);
  t.deepEqual(check('not a url', true), ['webhook_url_invalid']);
  t.deepEqual(check('', true), ['webhook_url_invalid']);
  t.deepEqual(check('https://user:pw@api.loja.com.br/', true), ['webhook_url_invalid']);
  t.deepEqual(check('https://{{host}}/x', true), ['unknown_variable', 'webhook_url_invalid'], 'the host never comes from a variable');
  t.deepEqual(check('https://api.loja.com.br/x', false, 'sync', 31), ['webhook_timeout_too_long']);
  t.deepEqual(check('https://api.loja.com.br/x', false, 'async', 86_400), []);
});

test('transfer to an unknown team or user', (t) => {
  const check = (data: Record<string, unknown>) => codes(validateFlow(flow([start, { id: 't', type: 'transfer', data } as FlowNode], [['start', 'next', 't']]), ctx));
  t.deepEqual(check({ teamId: TEAM, userId: USER }), []);
  t.deepEqual(check({}), [], 'no target: the conversation\'s own queue');
  t.deepEqual(check({ teamId: OTHER }), ['transfer_unknown_team']);
  t.deepEqual(check({ userId: OTHER }), ['transfer_unknown_user']);
});

test('media must be an upload of this appliance (when uploads are given)', (t) => {
  const def = (uploadId: string) => flow([start, msg('m', { text: '', media: { uploadId, type: 'image' } }), end()], [['start', 'next', 'm'], ['m', 'next', 'end']]);
  t.deepEqual(codes(validateFlow(def(UPLOAD), ctx)), []);
  t.deepEqual(codes(validateFlow(def(OTHER), ctx)), ['unknown_upload']);
  t.deepEqual(codes(validateFlow(def(OTHER), { ...ctx, uploadIds: undefined })), []);
  t.deepEqual(codes(validateFlow(flow([start, msg('m', { text: '' }), end()], [['start', 'next', 'm'], ['m', 'next', 'end']]), ctx)), ['text_required']);
});

test('condition rules need the name and value they compare', (t) => {
  const check = (...all: unknown[]) => validateFlow(flow([
    start, { id: 'q', type: 'question', data: { text: 'Idade?', answerType: 'number', saveTo: { variable: 'idade' } } },
    { id: 'c', type: 'condition', data: { rules: [{ id: 'r1', all }] } } as unknown as FlowNode, end(),
  ], [['start', 'next', 'q'], ['q', 'next', 'c'], ['q', 'invalid', 'end'], ['c', 'r1', 'end'], ['c', 'else', 'end']]), ctx);
  t.deepEqual(codes(check({ subject: 'variable', name: 'idade', op: 'gt', value: '18' }, { subject: 'contact_field', name: 'cidade', op: 'is_set' },
    { subject: 'tag', op: 'has', value: 'vip' }, { subject: 'business_hours', op: 'open' }, { subject: 'weekday', op: 'in', value: '1,2, 5' },
    { subject: 'time', op: 'between', value: '08:00-12:30' }, { subject: 'channel', op: 'equals', value: 'whatsapp' })), []);
  const r = check({ subject: 'variable', op: 'equals', value: 'x' }, { subject: 'contact_field', op: 'is_empty' });
  t.deepEqual(codes(r), ['condition_name_required', 'condition_name_required']);
  t.is(r[0]!.outcome, 'r1');
  t.deepEqual(codes(check({ subject: 'variable', name: 'idade', op: 'equals' }, { subject: 'tag', op: 'has', value: '  ' })), ['condition_value_required', 'condition_value_required']);
  t.deepEqual(codes(check({ subject: 'tag', op: 'equals', value: 'vip' }, { subject: 'business_hours', op: 'in', value: '1' })), ['condition_op_invalid', 'condition_op_invalid']);
  t.deepEqual(codes(check({ subject: 'weekday', op: 'in', value: 'seg' }, { subject: 'time', op: 'between', value: '8h-12h' },
    { subject: 'channel', op: 'equals', value: 'telegram' }, { subject: 'variable', name: 'idade', op: 'lt', value: 'dezoito' })),
  ['condition_value_invalid', 'condition_value_invalid', 'condition_value_invalid', 'condition_value_invalid']);
});

test('a tag node that does nothing is a warning', (t) => {
  const issues = validateFlow(flow([start, { id: 'tg', type: 'tag', data: {} } as unknown as FlowNode, end()], [['start', 'next', 'tg'], ['tg', 'next', 'end']]), ctx);
  t.deepEqual(issues.map((i) => [i.code, i.severity]), [['tag_empty', 'warning']]);
  t.deepEqual(errors(issues), []);
});
