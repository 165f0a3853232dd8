import crypto from 'node:crypto';
import anyTest from 'ava';
import { activateLicense } from '../src/commands/licenseActivation.js';
import { sendHeartbeat } from '../src/commands/licenseHeartbeat.js';
import { makeConversation, startInboxWorld, type InboxWorld } from './inboxFixtures.js';
import { PASSWORD, startLicenseServiceProcess, startTestAppliance, type LicenseServiceProcess, type TestAppliance } from './support.js';

/**
 * The flows API through HTTP: the draft, validation, publishing and versions, status, export to a second
 * appliance and import there, sessions, the plan's chatbot feature and roles. Two appliances share one
 * license service: A (the inbox world: teams, a supervisor, attendants) and B, where flows are imported
 * and whose plan later loses the chatbot feature.
 */
const test = anyTest.serial;
let service: LicenseServiceProcess;
let w: InboxWorld;
let b: { app: TestAppliance; cookie: string; licenseId: string };
let conn: string;

anyTest.before(async () => {
  service = await startLicenseServiceProcess();
  w = await startInboxWorld(service);
  conn = await w.connection('7000000001');
  const lic = await service.issueLicense();
  const app = await startTestAppliance({ licenseUrl: service.url, trustedKeys: service.trustedKeys });
  await activateLicense(app.deps, lic.key);
  await app.addUser({ email: 'dona@outra.com.br', role: 'admin' });
  b = { app, cookie: (await app.login('dona@outra.com.br', PASSWORD)).cookie, licenseId: lic.licenseId };
});
anyTest.after.always(async () => {
  await b?.app.close();
  await w?.app.close();
  await service?.close();
});

type Who = 'admin' | 'supA' | 'att1';
const api = (method: string, route: string, body?: unknown, who: Who = 'admin') => w.app.api(method, route, { cookie: w.users[who].cookie, body });
const ok = async (method: string, route: string, body?: unknown, status = 200) => {
  const res = await api(method, route, body);
  if (res.status !== status) throw new Error(`${method} ${route}: ${res.status} ${res.text}`);
  return res.body;
};

const at = { x: 10, y: 20 };
/** A small valid flow: start → ask the name → greet with a menu → transfer or end. */
const goodDraft = (teamId: string | null = null, userId: string | null = null) => ({
  nodes: [
    { id: 'start', type: 'start', position: at, data: {} },
    { id: 'nome', type: 'question', position: at, data: { text: 'Qual é o seu nome?', answerType: 'text', saveTo: { variable: 'nome' } } },
    { id: 'menu', type: 'message', position: at, data: { text: 'Oi {{nome}}! Como ajudo?', options: [{ id: 'vendas', title: 'Comprar' }, { id: 'sair', title: 'Só olhando' }] } },
    { id: 'humano', type: 'transfer', position: at, data: { teamId, userId, text: 'Já te passo para alguém.' } },
    { id: 'fim', type: 'end', position: at, data: { text: 'Até logo, {{contato.nome}}!', resolve: false } },
  ],
  edges: [
    { id: 'e1', from: 'start', outcome: 'next', to: 'nome' },
    { id: 'e2', from: 'nome', outcome: 'next', to: 'menu' },
    { id: 'e3', from: 'menu', outcome: 'vendas', to: 'humano' },
    { id: 'e4', from: 'menu', outcome: 'sair', to: 'fim' },
  ],
});

let seq = 0;
const newFlow = async (body: Record<string, unknown> = {}) => ok('POST', '/api/flows', { name: `Fluxo ${++seq}`, ...body }, 201);

test('create, read, list, change and delete a flow', async (t) => {
  const created = await ok('POST', '/api/flows', { name: 'Boas-vindas', connectionIds: [conn], trigger: { type: 'new_conversation' }, priority: 10 }, 201);
  t.like(created, {
    name: 'Boas-vindas', connectionIds: [conn], trigger: { type: 'new_conversation' }, priority: 10, isFallback: false, status: 'off',
    testPhone: null, exitKeywords: ['sair'], settings: { burstMs: 2000, maxNodeVisits: 10 }, publishedVersion: null, draftChanged: true,
    sessionCounts: { running: 0, waiting: 0, handedOff: 0, ended: 0, failed: 0 },
  });
  t.deepEqual(created.draft.nodes.map((n: any) => n.type), ['start'], 'an empty flow is its start node');
  t.true(!Number.isNaN(Date.parse(created.createdAt)) && !Number.isNaN(Date.parse(created.updatedAt)));

  const defaults = await ok('POST', '/api/flows', { name: 'Sem nada' }, 201);
  t.like(defaults, { trigger: { type: 'none' }, connectionIds: [], priority: 100 });

  t.deepEqual(await ok('GET', `/api/flows/${created.id}`), created);
  const list = await ok('GET', '/api/flows');
  t.deepEqual(list.items.map((f: any) => f.name), ['Boas-vindas', 'Sem nada'], 'in priority order');
  t.false('draft' in list.items[0], 'the list carries no definitions');
  t.deepEqual({ ...list.items[0], draft: created.draft }, created);

  // The editor's autosave: the draft with positions, alone.
  const moved = goodDraft();
  moved.nodes[1]!.position = { x: 300, y: 140.5 };
  const saved = await ok('PATCH', `/api/flows/${created.id}`, { draft: moved });
  t.deepEqual(saved.draft, moved);
  t.is(saved.name, 'Boas-vindas');
  const renamed = await ok('PATCH', `/api/flows/${created.id}`, { name: 'Recepção', exitKeywords: ['sair', 'parar'], settings: { burstMs: 500 }, connectionIds: [] });
  t.like(renamed, { name: 'Recepção', exitKeywords: ['sair', 'parar'], settings: { burstMs: 500, maxNodeVisits: 10 }, connectionIds: [] });
  t.deepEqual(renamed.draft, moved, 'the draft is left as it was');
  const audited = await w.app.deps.db('audit_log').where({ subject_id: created.id }).select('action');
  t.deepEqual(audited.map((r) => r.action).sort(), ['flow.create', 'flow.update'], 'autosave writes no audit row');

  // Bad input.
  for (const [body, field] of [
    [{ name: '' }, 'name'], [{ name: 'x', trigger: { type: 'keyword', keywords: [] } }, 'trigger'], [{ name: 'x', connectionIds: ['nope'] }, 'connectionIds'],
    [{ name: 'x', draft: { nodes: [], edges: [] } }, 'draft'], [{ name: 'x', surprise: 1 }, 'surprise'], [{ name: 'x', priority: -1 }, 'priority'],
  ] as const) {
    const res = await api('POST', '/api/flows', body);
    t.is(res.status, 400, JSON.stringify(body));
    t.is(res.body.error.code, 'validation_failed');
    t.true(res.body.error.message.includes(field) || res.body.error.message.startsWith('body'), res.body.error.message);
  }
  const unknownConn = await api('POST', '/api/flows', { name: 'x', connectionIds: [crypto.randomUUID()] });
  t.is(unknownConn.body.error.code, 'validation_failed');
  t.is((await api('PATCH', `/api/flows/${created.id}`, {})).body.error.code, 'validation_failed');
  t.is((await api('GET', `/api/flows/${crypto.randomUUID()}`)).status, 404);
  t.is((await api('GET', '/api/flows/not-a-uuid')).body.error.code, 'validation_failed');

  // Names are unique case-insensitively; one fallback at most.
  const taken = await api('POST', '/api/flows', { name: 'RECEPÇÃO' });
  t.is(taken.status, 409);
  t.is(taken.body.error.code, 'flow_name_taken');
  t.is((await api('PATCH', `/api/flows/${defaults.id}`, { name: 'recepção' })).body.error.code, 'flow_name_taken');
  await ok('PATCH', `/api/flows/${defaults.id}`, { isFallback: true });
  const second = await api('POST', '/api/flows', { name: 'Outro fallback', isFallback: true });
  t.is(second.status, 409);
  t.is(second.body.error.code, 'flow_fallback_taken');
  t.is((await api('PATCH', `/api/flows/${created.id}`, { isFallback: true })).body.error.code, 'flow_fallback_taken');

  // Delete is soft: gone from the API, kept in the database; the name and the fallback are free again.
  t.is((await api('DELETE', `/api/flows/${defaults.id}`)).status, 204);
  t.is((await api('GET', `/api/flows/${defaults.id}`)).status, 404);
  t.is((await api('DELETE', `/api/flows/${defaults.id}`)).status, 404);
  const row = await w.app.deps.db('flows').where({ id: defaults.id }).first();
  t.truthy(row.deleted_at);
  t.is(row.status, 'off');
  await ok('POST', '/api/flows', { name: 'Sem nada', isFallback: true }, 201);
});

test('validation: each issue kind on a crafted draft, with node, outcome, code and severity', async (t) => {
  const team = w.teamA;
  const draft = {
    nodes: [
      { id: 'start', type: 'start', position: at, data: {} },
      { id: 'start2', type: 'start', position: at, data: {} },
      { id: 'menu', type: 'message', position: at, data: { text: 'x'.repeat(1025), options: [{ id: 'a', title: 'Um título comprido demais' }, { id: 'a', title: 'Dois' }] } },
      { id: 'lista', type: 'message', position: at, data: { text: 'Escolha {{cupom}}', buttonLabel: 'Ver todas as opções agora', options: [1, 2, 3, 4].map((i) => ({ id: `l${i}`, title: i === 1 ? 'y'.repeat(25) : `Linha ${i}`, description: i === 2 ? 'z'.repeat(73) : undefined })) } },
      { id: 'pergunta', type: 'question', position: at, data: { text: 'Qual?', answerType: 'option', options: [] } },
      { id: 'hook', type: 'webhook', position: at, data: { url: 'http://api.loja.com.br/x', mode: 'sync', timeoutSeconds: 10 } },
      { id: 'local', type: 'webhook', position: at, data: { url: 'http://127.0.0.1:9/x', mode: 'sync', timeoutSeconds: 10 } },
      { id: 'cond', type: 'condition', position: at, data: { rules: [{ id: 'r', all: [{ subject: 'variable', op: 'equals', value: 'a' }, { subject: 'tag', op: 'has' }] }] } },
      { id: 'equipe', type: 'transfer', position: at, data: { teamId: team } },
      { id: 'ninguem', type: 'transfer', position: at, data: { teamId: crypto.randomUUID(), userId: crypto.randomUUID() } },
      { id: 'solto', type: 'end', position: at, data: {} },
    ],
    edges: [
      { id: 'e1', from: 'start', outcome: 'next', to: 'menu' },
      { id: 'e2', from: 'menu', outcome: 'a', to: 'lista' },
      { id: 'e3', from: 'lista', outcome: 'l1', to: 'pergunta' },
      { id: 'e4', from: 'lista', outcome: 'l2', to: 'hook' },
      { id: 'e5', from: 'hook', outcome: 'next', to: 'local' },
      { id: 'e6', from: 'local', outcome: 'next', to: 'cond' },
      { id: 'e7', from: 'cond', outcome: 'r', to: 'equipe' },
      { id: 'e8', from: 'lista', outcome: 'l3', to: 'ninguem' },
      { id: 'e9', from: 'lista', outcome: 'l4', to: 'fantasma' },
      { id: 'e10', from: 'pergunta', outcome: 'sim', to: 'equipe' },
      { id: 'e11', from: 'start2', outcome: 'next', to: 'equipe' },
    ],
  };
  const flow = await newFlow({ draft });
  const { issues } = await ok('GET', `/api/flows/${flow.id}/validation`);
  const got = issues.map((i: any) => `${i.severity} ${i.code} ${i.nodeId}${i.outcome ? `.${i.outcome}` : ''}`).sort();
  t.deepEqual(got, [
    'error body_too_long menu',
    'error button_title_too_long menu.a',
    'error condition_name_required cond.r',
    'error condition_value_required cond.r',
    'error edge_unknown_node lista.l4',
    'error edge_unknown_outcome pergunta.sim',
    'error list_button_too_long lista',
    'error list_description_too_long lista.l2',
    'error list_title_too_long lista.l1',
    'error option_id_duplicate menu.a',
    'error options_required pergunta',
    'error outcome_unconnected lista.l4',
    'error start_duplicate start2',
    'error transfer_unknown_team ninguem',
    'error transfer_unknown_user ninguem',
    'error webhook_url_not_https hook',
    'warning fallback_unconnected cond.else',
    'warning fallback_unconnected hook.error',
    'warning fallback_unconnected lista.invalid',
    'warning fallback_unconnected local.error',
    'warning fallback_unconnected menu.invalid',
    'warning fallback_unconnected pergunta.invalid',
    'warning node_unreachable solto',
    'warning unknown_variable lista', // the flow has webhooks: their answers may bring it
  ].sort(), 'http to 127.0.0.1 is allowed outside production; the transfer to a real team is fine; an edge to nowhere leaves its outcome unconnected');
  t.true(issues.every((i: any) => typeof i.message === 'string' && i.message.length > 0));
  // outcome_unconnected: a menu option with no edge (the duplicate id "a" above is one outcome).
  const one = await newFlow({ draft: { ...goodDraft(), edges: goodDraft().edges.filter((e) => e.id !== 'e4') } });
  const oneIssues = (await ok('GET', `/api/flows/${one.id}/validation`)).issues;
  t.deepEqual(oneIssues.map((i: any) => `${i.severity} ${i.code} ${i.nodeId}${i.outcome ? `.${i.outcome}` : ''}`).sort(), [
    'error outcome_unconnected menu.sair', 'warning fallback_unconnected menu.invalid', 'warning fallback_unconnected nome.invalid', 'warning node_unreachable fim',
  ]);
  t.is((await api('GET', `/api/flows/${flow.id}/validation`, undefined, 'supA')).status, 200, 'supervisors read validation');
});

test('publish: refused with its issues, then accepted; versions, draftChanged, rollback', async (t) => {
  const flow = await newFlow({ draft: { ...goodDraft(), edges: goodDraft().edges.slice(0, 3) } });
  const refused = await api('POST', `/api/flows/${flow.id}/publish`);
  t.is(refused.status, 422);
  t.is(refused.body.error.code, 'flow_invalid');
  t.deepEqual(refused.body.error.issues.map((i: any) => [i.code, i.nodeId, i.outcome, i.severity]), [['outcome_unconnected', 'menu', 'sair', 'error']], 'errors only');
  t.is(await w.app.deps.db('flow_versions').where({ flow_id: flow.id }).count('* as n').first().then((r: any) => Number(r.n)), 0);

  await ok('PATCH', `/api/flows/${flow.id}`, { draft: goodDraft(w.teamA, w.users.supA.id) });
  const p1 = await ok('POST', `/api/flows/${flow.id}/publish`);
  t.like(p1.version, { version: 1, live: true, publishedBy: { id: w.users.admin.id, name: 'admin' } });
  t.like(p1.flow, { draftChanged: false, publishedVersion: { id: p1.version.id, version: 1, publishedBy: { id: w.users.admin.id, name: 'admin' } } });
  t.is(p1.flow.publishedVersion.publishedAt, p1.version.publishedAt);
  const stored = await w.app.deps.db('flow_versions').where({ id: p1.version.id }).first();
  t.deepEqual(stored.definition, goodDraft(w.teamA, w.users.supA.id), 'the version is the draft as it was');

  // Moving a node is a change to publish; the live version does not move with the draft.
  const changed = goodDraft(w.teamA);
  changed.nodes[2]!.position = { x: 999, y: 1 };
  t.true((await ok('PATCH', `/api/flows/${flow.id}`, { draft: changed })).draftChanged);
  const p2 = await ok('POST', `/api/flows/${flow.id}/publish`);
  t.is(p2.version.version, 2);
  t.false(p2.flow.draftChanged);

  // Two at once (and more): each gets its own number, none is lost or repeated.
  const many = await Promise.all(Array.from({ length: 6 }, () => api('POST', `/api/flows/${flow.id}/publish`)));
  t.deepEqual(many.map((r) => r.status), [200, 200, 200, 200, 200, 200]);
  t.deepEqual(many.map((r) => r.body.version.version).sort((x, y) => x - y), [3, 4, 5, 6, 7, 8]);

  const versions = await ok('GET', `/api/flows/${flow.id}/versions`);
  t.deepEqual(versions.items.map((v: any) => v.version), [8, 7, 6, 5, 4, 3, 2, 1], 'newest first');
  t.deepEqual(versions.items.map((v: any) => v.live), [true, false, false, false, false, false, false, false]);
  t.deepEqual(Object.keys(versions.items[0]).sort(), ['id', 'live', 'publishedAt', 'publishedBy', 'version']);

  // Rollback: one action, the draft untouched.
  const v1 = versions.items.at(-1);
  const before = await ok('GET', `/api/flows/${flow.id}`);
  const rolled = await ok('POST', `/api/flows/${flow.id}/rollback`, { versionId: v1.id });
  t.like(rolled.publishedVersion, { id: v1.id, version: 1 });
  t.deepEqual(rolled.draft, before.draft);
  t.true(rolled.draftChanged, 'the draft differs from v1');
  t.deepEqual((await ok('GET', `/api/flows/${flow.id}/versions`)).items.filter((v: any) => v.live).map((v: any) => v.version), [1]);
  const other = await newFlow({ draft: goodDraft() });
  const otherV = (await ok('POST', `/api/flows/${other.id}/publish`)).version;
  const foreign = await api('POST', `/api/flows/${flow.id}/rollback`, { versionId: otherV.id });
  t.is(foreign.status, 404, 'a version of another flow');
  t.is((await api('POST', `/api/flows/${flow.id}/rollback`, { versionId: crypto.randomUUID() })).status, 404);
  t.is((await api('POST', `/api/flows/${flow.id}/rollback`, {})).body.error.code, 'validation_failed');
  t.is((await api('POST', `/api/flows/${crypto.randomUUID()}/publish`)).status, 404);
});

test('status: test and live need a published version, test needs a phone, off always', async (t) => {
  const flow = await newFlow({ draft: goodDraft() });
  for (const status of ['test', 'live']) {
    const res = await api('POST', `/api/flows/${flow.id}/status`, { status, testPhone: '5511987654321' });
    t.is(res.status, 409, status);
    t.is(res.body.error.code, 'flow_not_published');
  }
  t.is((await ok('POST', `/api/flows/${flow.id}/status`, { status: 'off' })).status, 'off');
  await ok('POST', `/api/flows/${flow.id}/publish`);

  const noPhone = await api('POST', `/api/flows/${flow.id}/status`, { status: 'test' });
  t.is(noPhone.status, 400);
  t.is(noPhone.body.error.code, 'validation_failed');
  t.regex(noPhone.body.error.message, /testPhone/);
  t.is((await api('POST', `/api/flows/${flow.id}/status`, { status: 'test', testPhone: '12ab' })).body.error.code, 'validation_failed');
  t.is((await api('POST', `/api/flows/${flow.id}/status`, { status: 'test', testPhone: '123' })).body.error.code, 'validation_failed');
  t.is((await api('POST', `/api/flows/${flow.id}/status`, { status: 'paused' })).body.error.code, 'validation_failed');

  // A Brazilian mobile in its old twelve-digit form, formatted: stored as the thirteen-digit key.
  const inTest = await ok('POST', `/api/flows/${flow.id}/status`, { status: 'test', testPhone: '+55 (11) 8765-4321' });
  t.like(inTest, { status: 'test', testPhone: '5511987654321' });
  t.like(await ok('POST', `/api/flows/${flow.id}/status`, { status: 'live' }), { status: 'live', testPhone: '5511987654321' });
  t.like(await ok('POST', `/api/flows/${flow.id}/status`, { status: 'test' }), { status: 'test' }, 'the phone given before is kept');
  t.like(await ok('POST', `/api/flows/${flow.id}/status`, { status: 'off' }), { status: 'off' });
});

test('export, then import on a second appliance; bad files are invalid_flow_file', async (t) => {
  const draft = goodDraft(w.teamA, w.users.supA.id);
  const flow = await newFlow({ name: 'Atendimento à noite', connectionIds: [conn], trigger: { type: 'keyword', keywords: [{ match: 'contains', value: 'orçamento' }] }, exitKeywords: ['sair', 'fim'], settings: { burstMs: 1500, maxNodeVisits: 7 }, draft });
  const res = await api('GET', `/api/flows/${flow.id}/export`, undefined, 'supA');
  t.is(res.status, 200);
  t.regex(String(res.headers['content-disposition']), /^attachment; filename="atendimento-a-noite\.atendo-flow\.json"/);
  t.deepEqual(res.body, {
    format: 'atendo.flow', formatVersion: 1, name: 'Atendimento à noite',
    trigger: { type: 'keyword', keywords: [{ match: 'contains', value: 'orçamento' }] },
    settings: { burstMs: 1500, maxNodeVisits: 7 }, exitKeywords: ['sair', 'fim'], definition: draft,
  });
  t.false(JSON.stringify(res.body).includes(conn), 'no connection ids');

  const imp = async (doc: unknown) => b.app.api('POST', '/api/flows/import', { cookie: b.cookie, body: doc });
  const first = await imp(res.body);
  t.is(first.status, 201, first.text);
  t.like(first.body.flow, {
    name: 'Atendimento à noite', status: 'off', connectionIds: [], isFallback: false, publishedVersion: null,
    trigger: res.body.trigger, settings: res.body.settings, exitKeywords: ['sair', 'fim'],
  });
  const transfer = first.body.flow.draft.nodes.find((n: any) => n.type === 'transfer');
  t.like(transfer.data, { teamId: null, userId: null }, 'the first appliance\'s team and person mean nothing here');
  t.deepEqual(first.body.warnings.map((x: any) => [x.nodeId, x.code]), [['humano', 'transfer_team_cleared'], ['humano', 'transfer_user_cleared']]);
  t.deepEqual({ ...first.body.flow.draft, nodes: first.body.flow.draft.nodes.filter((n: any) => n.type !== 'transfer') }, { ...draft, nodes: draft.nodes.filter((n) => n.type !== 'transfer') });
  t.is((await b.app.api('POST', `/api/flows/${first.body.flow.id}/publish`, { cookie: b.cookie })).status, 200, 'it publishes as it is on B');

  const again = await imp(res.body);
  t.is(again.body.flow.name, 'Atendimento à noite (2)');
  t.is((await imp(res.body)).body.flow.name, 'Atendimento à noite (3)');
  // Back on A, the same file keeps its transfer targets: they exist here.
  const home = await api('POST', '/api/flows/import', res.body);
  t.is(home.status, 201);
  t.is(home.body.flow.name, 'Atendimento à noite (2)');
  t.deepEqual(home.body.warnings, []);
  t.deepEqual(home.body.flow.draft, draft);

  // Media uploads belong to one appliance: dropped, with a warning, where the file is not.
  const withMedia = { ...res.body, name: 'Com foto', definition: { ...draft, nodes: draft.nodes.map((n) => (n.id === 'menu' ? { ...n, data: { ...n.data, media: { uploadId: crypto.randomUUID(), type: 'image' } } } : n)) } };
  const media = await imp(withMedia);
  t.is(media.status, 201);
  t.false('media' in media.body.flow.draft.nodes.find((n: any) => n.id === 'menu').data);
  t.true(media.body.warnings.some((x: any) => x.nodeId === 'menu' && x.code === 'media_cleared'));

  for (const [doc, expect] of [
    [{ ...res.body, format: 'typebot' }, /format/],
    [{ ...res.body, formatVersion: 2 }, /formatVersion/],
    [{ ...res.body, definition: { nodes: [{ id: 'x', type: 'teleport', position: at, data: {} }], edges: [] } }, /definition\.nodes\.0/],
    [{ ...res.body, definition: undefined }, /definition/],
    [{ ...res.body, name: '' }, /name/],
    [[1, 2, 3], /file/],
    [{}, /format/],
  ] as const) {
    const bad = await imp(doc);
    t.is(bad.status, 400, JSON.stringify(doc).slice(0, 80));
    t.is(bad.body.error.code, 'invalid_flow_file');
    t.regex(bad.body.error.message, expect);
  }
  const notJson = await b.app.api('POST', '/api/flows/import', { cookie: b.cookie, body: '{"format": "atendo.flow", ', headers: { 'content-type': 'application/json' } });
  t.is(notJson.status, 400, 'a truncated file is refused before it reaches the importer');
});

test('sessions: counts on the flow and cursor pages newest first, filtered by status', async (t) => {
  const flow = await newFlow({ draft: goodDraft() });
  const { version } = await ok('POST', `/api/flows/${flow.id}/publish`);
  const db = w.app.deps.db;
  const base = Date.now() - 3_600_000;
  const statuses = ['running', 'waiting_answer', 'waiting_time', 'handed_off', 'ended', 'ended', 'ended', 'failed'];
  const rows: Array<Record<string, any>> = [];
  for (const [i, status] of statuses.entries()) {
    const conv = await makeConversation(w.app, { connectionId: conn, teamId: w.teamA, name: `Cliente ${i}`, phone: `551198765${String(4000 + i)}` });
    // Two sessions share a start time: the id breaks the tie.
    const startedAt = new Date(base + (i === 3 ? 2 : i) * 60_000);
    rows.push({
      id: crypto.randomUUID(), conversation_id: conv.id, flow_id: flow.id, version_id: version.id, node_id: 'menu', status,
      reason: status === 'ended' ? 'completed' : status === 'handed_off' ? 'transfer' : null,
      started_at: startedAt, updated_at: startedAt, ended_at: ['ended', 'failed', 'handed_off'].includes(status) ? new Date(startedAt.getTime() + 1000) : null,
      contact_id: conv.contactId, contact_name: `Cliente ${i}`,
    });
  }
  await db('bot_sessions').insert(rows.map(({ contact_id: _c, contact_name: _n, ...r }) => r));
  const expected = [...rows].sort((x, y) => y.started_at.getTime() - x.started_at.getTime() || (y.id < x.id ? -1 : 1));

  t.deepEqual((await ok('GET', `/api/flows/${flow.id}`)).sessionCounts, { running: 1, waiting: 2, handedOff: 1, ended: 3, failed: 1 });
  t.deepEqual((await ok('GET', '/api/flows')).items.find((f: any) => f.id === flow.id).sessionCounts, { running: 1, waiting: 2, handedOff: 1, ended: 3, failed: 1 });

  const seen: any[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page: any = await ok('GET', `/api/flows/${flow.id}/sessions?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
    seen.push(...page.items);
    cursor = page.nextCursor;
    pages++;
  } while (cursor);
  t.is(pages, 3);
  t.deepEqual(seen.map((s) => s.id), expected.map((r) => r.id));
  const first = seen.find((s) => s.id === rows[4]!.id);
  t.deepEqual(first, {
    id: rows[4]!.id, conversationId: rows[4]!.conversation_id, contact: { id: rows[4]!.contact_id, name: 'Cliente 4', phone: '5511987654004' },
    version: 1, status: 'ended', reason: 'completed', nodeId: 'menu',
    startedAt: rows[4]!.started_at.toISOString(), updatedAt: rows[4]!.updated_at.toISOString(), endedAt: rows[4]!.ended_at!.toISOString(),
  });

  const only = async (status: string) => (await ok('GET', `/api/flows/${flow.id}/sessions?status=${status}`)).items.map((s: any) => s.status).sort();
  t.deepEqual(await only('waiting'), ['waiting_answer', 'waiting_time']);
  t.deepEqual(await only('live'), ['running', 'waiting_answer', 'waiting_time']);
  t.deepEqual(await only('ended'), ['ended', 'ended', 'ended']);
  t.deepEqual(await only('handed_off'), ['handed_off']);
  t.is((await api('GET', `/api/flows/${flow.id}/sessions?status=bogus`)).body.error.code, 'validation_failed');
  t.is((await api('GET', `/api/flows/${flow.id}/sessions?cursor=forged`)).body.error.code, 'invalid_cursor');
  t.is((await api('GET', `/api/flows/${flow.id}/sessions`, undefined, 'supA')).status, 200);

  // Deleting the flow keeps its versions and sessions (in flight ones finish on their version).
  t.is((await api('DELETE', `/api/flows/${flow.id}`)).status, 204);
  t.is(Number((await db('bot_sessions').where({ flow_id: flow.id }).count('* as n').first() as any).n), 8);
  t.is(Number((await db('flow_versions').where({ flow_id: flow.id }).count('* as n').first() as any).n), 1);
});

test('roles: admins write, supervisors read, attendants see nothing', async (t) => {
  const flow = await newFlow({ draft: goodDraft() });
  const reads = ['/api/flows', `/api/flows/${flow.id}`, `/api/flows/${flow.id}/validation`, `/api/flows/${flow.id}/versions`, `/api/flows/${flow.id}/export`, `/api/flows/${flow.id}/sessions`];
  for (const route of reads) {
    t.is((await api('GET', route, undefined, 'supA')).status, 200, `supervisor ${route}`);
    const att = await api('GET', route, undefined, 'att1');
    t.is(att.status, 403, `attendant ${route}`);
    t.is(att.body.error.code, 'forbidden');
  }
  const writes: Array<[string, string, unknown]> = [
    ['POST', '/api/flows', { name: 'Do supervisor' }], ['PATCH', `/api/flows/${flow.id}`, { name: 'Mudado' }],
    ['DELETE', `/api/flows/${flow.id}`, undefined], ['POST', `/api/flows/${flow.id}/publish`, undefined],
    ['POST', `/api/flows/${flow.id}/status`, { status: 'off' }], ['POST', `/api/flows/${flow.id}/rollback`, { versionId: crypto.randomUUID() }],
    ['POST', '/api/flows/import', { format: 'atendo.flow' }],
  ];
  for (const who of ['supA', 'att1'] as const) {
    for (const [method, route, body] of writes) {
      const res = await api(method, route, body, who);
      t.is(res.status, 403, `${who} ${method} ${route}`);
      t.is(res.body.error.code, 'forbidden');
    }
  }
  t.like(await ok('GET', `/api/flows/${flow.id}`), { name: flow.name, status: 'off' }, 'nothing changed');
  t.is((await w.app.api('GET', '/api/flows')).status, 401, 'logged out');
});

test('a plan without the chatbot feature refuses create, import, publish, rollback and test/live; reading, editing, export and off work; nothing is lost', async (t) => {
  const bApi = (method: string, route: string, body?: unknown) => b.app.api(method, route, { cookie: b.cookie, body });
  // While the plan has the feature: a live flow with a version.
  const made = await bApi('POST', '/api/flows', { name: 'Vai ficar', draft: goodDraft() });
  t.is(made.status, 201);
  const id = made.body.id;
  const v1 = (await bApi('POST', `/api/flows/${id}/publish`)).body.version;
  t.is((await bApi('POST', `/api/flows/${id}/status`, { status: 'live' })).status, 200);

  // The vendor moves the license to a plan without chatbots; the next heartbeat brings the lease.
  const plan = await service.admin('POST', '/plans', {
    code: `nobot-${crypto.randomBytes(3).toString('hex')}`, name: 'Básico',
    limits: { users: 5, connections: 2, messagesPerMonth: 1000, campaignsPerMonth: 4 },
    features: { instagram: true, chatbot: false, campaigns: true, api: true },
  });
  t.is((await service.admin('POST', `/licenses/${b.licenseId}/plan`, { planId: plan.body.id })).status, 200);
  t.is(await sendHeartbeat(b.app.deps), 'ok');

  const refused = async (method: string, route: string, body?: unknown) => {
    const res = await bApi(method, route, body);
    t.is(res.status, 403, `${method} ${route}: ${res.text}`);
    t.is(res.body.error?.code, 'plan_feature_disabled', `${method} ${route}`);
    t.is(res.body.error?.feature, 'chatbot');
  };
  await refused('POST', '/api/flows', { name: 'Novo' });
  await refused('POST', `/api/flows/${id}/publish`);
  await refused('POST', `/api/flows/${id}/rollback`, { versionId: v1.id });
  await refused('POST', `/api/flows/${id}/status`, { status: 'test', testPhone: '5511987654321' });
  await refused('POST', `/api/flows/${id}/status`, { status: 'live' });
  const file = (await bApi('GET', `/api/flows/${id}/export`)).body;
  t.is(file.format, 'atendo.flow', 'export works');
  await refused('POST', '/api/flows/import', file);

  // Reading, the editor's draft, and switching off still work; nothing was deleted.
  const flow = (await bApi('GET', `/api/flows/${id}`)).body;
  t.like(flow, { status: 'live', publishedVersion: { id: v1.id, version: 1 } }, 'the plan change deleted or stopped nothing by itself');
  t.is((await bApi('GET', '/api/flows')).status, 200);
  const edited = await bApi('PATCH', `/api/flows/${id}`, { draft: { ...goodDraft(), nodes: goodDraft().nodes.map((n) => ({ ...n, position: { x: 5, y: 5 } })) } });
  t.is(edited.status, 200, 'editing the draft is allowed so nothing typed is lost');
  t.true(edited.body.draftChanged);
  t.is((await bApi('GET', `/api/flows/${id}/versions`)).body.items.length, 1);
  t.like((await bApi('POST', `/api/flows/${id}/status`, { status: 'off' })).body, { status: 'off' });
  t.is((await bApi('DELETE', `/api/flows/${id}`)).status, 204, 'deleting is the admin\'s choice, not the plan\'s');
});
