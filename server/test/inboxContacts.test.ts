import anyTest from 'ava';
import { makeConversation, record, startInboxWorld, type InboxWorld } from './inboxFixtures.js';
import { startLicenseServiceProcess, type LicenseServiceProcess } from './support.js';

// Contacts, quick replies, and the read-only license; the inbox listing and its changes are in inbox.test.ts.
const test = anyTest.serial;
let service: LicenseServiceProcess;
let w: InboxWorld;
let conn: string;

anyTest.before(async () => {
  service = await startLicenseServiceProcess();
  w = await startInboxWorld(service);
  conn = await w.connection('1000000001');
});
anyTest.after.always(async () => {
  await w?.app.close();
  await service?.close();
});

type Who = keyof InboxWorld['users'];
const api = (who: Who, method: string, route: string, body?: unknown) => w.app.api(method, `/api${route}`, { cookie: w.users[who].cookie, body });

test('a contact is seen by whoever sees one of its conversations; others get 404', async (t) => {
  const { contactId } = await makeConversation(w.app, { connectionId: conn, teamId: w.teamA, name: 'Maria', phone: '5511977776666' });
  for (const who of ['admin', 'supA', 'att1', 'att2'] as const) t.is((await api(who, 'GET', `/contacts/${contactId}`)).status, 200, who);
  const hidden = await api('attB', 'GET', `/contacts/${contactId}`);
  t.is(hidden.status, 404);
  t.is(hidden.body.error.code, 'not_found');
  const res = await api('att1', 'GET', `/contacts/${contactId}`);
  t.like(res.body, { id: contactId, connectionId: conn, name: 'Maria', profileName: 'Maria', savedName: null, externalId: '5511977776666', tags: [], customFields: {} });
  t.is((await api('admin', 'GET', '/contacts/00000000-0000-4000-8000-000000000001')).status, 404);
});

test('contact tags and custom fields: normalised, validated, audited, pushed on the open conversation', async (t) => {
  const { id, contactId } = await makeConversation(w.app, { connectionId: conn, teamId: w.teamA, assigneeId: w.users.att1.id, name: 'Pedro' });
  const sup = record(await w.app.socket(w.users.supA.cookie));
  const res = await api('att1', 'PATCH', `/contacts/${contactId}`, {
    name: '  Pedro Alves ', tags: [' VIP ', 'vip', 'Atacado'], customFields: { cpf: '123.456.789-00', cidade: 'Campinas' },
  });
  t.is(res.status, 200, res.text);
  t.like(res.body, { name: 'Pedro Alves', savedName: 'Pedro Alves', profileName: 'Pedro', tags: ['vip', 'atacado'], customFields: { cpf: '123.456.789-00', cidade: 'Campinas' } });
  const pushed = await sup.waitFor((e) => e.event === 'conversation:updated' && e.data.conversation.id === id);
  t.like(pushed.data.conversation.contact, { name: 'Pedro Alves', tags: ['vip', 'atacado'] });

  const listed = await api('att1', 'GET', '/conversations?tag=atacado');
  t.deepEqual(listed.body.items.map((i: any) => i.id), [id], 'the inbox filters by the new tag');
  const detail = await api('att1', 'GET', `/conversations/${id}`);
  t.deepEqual(detail.body.contact.customFields, { cpf: '123.456.789-00', cidade: 'Campinas' });

  const replaced = await api('att1', 'PATCH', `/contacts/${contactId}`, { customFields: { cpf: '1' } });
  t.deepEqual(replaced.body.customFields, { cpf: '1' }, 'customFields replaces the set');
  t.deepEqual(replaced.body.tags, ['vip', 'atacado'], 'what is not given stays');
  const audit = await w.app.deps.db('audit_log').where({ action: 'contact.update', subject_id: contactId }).orderBy('id');
  t.is(audit.length, 2);
  t.deepEqual(audit[0].detail.after.tags, ['vip', 'atacado']);
  t.is(audit[0].actor_user_id, w.users.att1.id);

  const bad: Array<[unknown, RegExp]> = [
    [{ tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, /^tags/],
    [{ tags: ['x'.repeat(41)] }, /^tags\.0/],
    [{ tags: ['  '] }, /^tags\.0/],
    [{ customFields: { 'Bad Key': 'x' } }, /^customFields/],
    [{ customFields: { ok: 'x'.repeat(501) } }, /^customFields\.ok/],
    [{ customFields: Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`k${i}`, 'v'])) }, /^customFields/],
    [{ customFields: { n: 1 } }, /^customFields\.n/],
    [{}, /^body/],
    [{ color: 'red' }, /./],
  ];
  for (const [body, field] of bad) {
    const r = await api('att1', 'PATCH', `/contacts/${contactId}`, body);
    t.is(r.status, 400, JSON.stringify(body));
    t.is(r.body.error.code, 'validation_failed');
    t.regex(r.body.error.message, field, JSON.stringify(body));
  }
  t.is((await api('attB', 'PATCH', `/contacts/${contactId}`, { tags: ['x'] })).status, 404, 'another team cannot change it');
});

test('quick replies: everyone lists by prefix; supervisors and admins manage; duplicates are 409', async (t) => {
  const denied = await api('att1', 'POST', '/quick-replies', { shortcut: 'ola', text: 'Olá! Como posso ajudar?' });
  t.is(denied.status, 403);
  t.is(denied.body.error.code, 'forbidden');

  const created = await api('supA', 'POST', '/quick-replies', { shortcut: '/ola', text: 'Olá! Como posso ajudar?' });
  t.is(created.status, 201, created.text);
  t.like(created.body, { shortcut: 'ola', text: 'Olá! Como posso ajudar?', createdBy: w.users.supA.id });
  const other = await api('admin', 'POST', '/quick-replies', { shortcut: 'obrigado', text: 'Obrigado pelo contato!' });
  t.is(other.status, 201);
  await api('admin', 'POST', '/quick-replies', { shortcut: 'pix', text: 'Nossa chave pix é …' });

  const dup = await api('admin', 'POST', '/quick-replies', { shortcut: 'ola', text: 'outro' });
  t.is(dup.status, 409);
  t.is(dup.body.error.code, 'quick_reply_exists');
  // A row written before the lowercase rule (or by hand) still blocks its case-insensitive twin.
  await w.app.deps.db('quick_replies').insert({ shortcut: 'Tchau', text: 'Até logo' });
  t.is((await api('admin', 'POST', '/quick-replies', { shortcut: 'tchau', text: 'x' })).body.error?.code, 'quick_reply_exists');

  const shortcuts = async (q: string) => (await api('att1', 'GET', `/quick-replies${q}`)).body.items.map((r: any) => r.shortcut);
  t.deepEqual(await shortcuts('?q=o'), ['obrigado', 'ola']);
  t.deepEqual(await shortcuts('?q=%2Fol'), ['ola'], 'the typed slash is ignored');
  t.deepEqual(await shortcuts('?q=TC'), ['Tchau'], 'prefix match ignores case');
  t.deepEqual(await shortcuts(''), ['obrigado', 'ola', 'pix', 'Tchau']);
  t.deepEqual(await shortcuts('?q=%25'), [], 'LIKE wildcards are literal');

  const clash = await api('supA', 'PATCH', `/quick-replies/${created.body.id}`, { shortcut: 'pix' });
  t.is(clash.status, 409);
  t.is(clash.body.error.code, 'quick_reply_exists');
  const edited = await api('supA', 'PATCH', `/quick-replies/${created.body.id}`, { text: 'Oi! Em que posso ajudar?' });
  t.like(edited.body, { shortcut: 'ola', text: 'Oi! Em que posso ajudar?' });
  t.is((await api('att1', 'PATCH', `/quick-replies/${created.body.id}`, { text: 'x' })).status, 403);
  t.is((await api('att1', 'DELETE', `/quick-replies/${created.body.id}`)).status, 403);

  for (const [body, field] of [[{ shortcut: 'a b', text: 'x' }, /^shortcut/], [{ shortcut: 'x'.repeat(33), text: 'x' }, /^shortcut/], [{ shortcut: 'Ola', text: 'x' }, /^shortcut/], [{ shortcut: 'ok', text: '' }, /^text/], [{ shortcut: 'ok', text: 'x'.repeat(4097) }, /^text/]] as const) {
    const r = await api('admin', 'POST', '/quick-replies', body);
    t.is(r.status, 400, JSON.stringify(body).slice(0, 60));
    t.regex(r.body.error.message, field);
  }
  t.is((await api('admin', 'PATCH', `/quick-replies/${created.body.id}`, {})).status, 400);

  t.is((await api('supA', 'DELETE', `/quick-replies/${created.body.id}`)).status, 204);
  t.is((await api('supA', 'DELETE', `/quick-replies/${created.body.id}`)).status, 404);
  t.is((await api('supA', 'PATCH', `/quick-replies/${created.body.id}`, { text: 'x' })).status, 404);
  const actions = (await w.app.deps.db('audit_log').where({ subject_id: created.body.id }).orderBy('id')).map((a) => a.action);
  t.deepEqual(actions, ['quick_reply.create', 'quick_reply.update', 'quick_reply.delete']);
});

test('a restricted license: the inbox still reads; assigning, notes, contacts and quick replies are refused', async (t) => {
  const { id, contactId } = await makeConversation(w.app, { connectionId: conn, teamId: w.teamA });
  await service.admin('POST', `/licenses/${w.licenseId}/revoke`);
  w.app.clock.advance(16 * 60_000);
  await w.app.web.scheduler.tick();
  t.is((await api('admin', 'GET', '/license')).body.state, 'restricted');

  t.is((await api('att1', 'GET', '/conversations')).status, 200);
  t.is((await api('att1', 'GET', `/conversations/${id}/messages`)).status, 200);
  t.is((await api('att1', 'GET', `/contacts/${contactId}`)).status, 200);
  t.is((await api('att1', 'GET', '/quick-replies')).status, 200);
  t.is((await api('att1', 'POST', `/conversations/${id}/read`)).status, 200, 'marking read is part of reading');
  const refused: Array<[Who, string, string, unknown]> = [
    ['att1', 'POST', `/conversations/${id}/assign`, { userId: w.users.att1.id }],
    ['supA', 'POST', `/conversations/${id}/transfer`, { teamId: w.teamB }],
    ['att1', 'POST', `/conversations/${id}/resolve`, {}],
    ['att1', 'POST', `/conversations/${id}/notes`, { text: 'oi' }],
    ['att1', 'PATCH', `/contacts/${contactId}`, { tags: ['x'] }],
    ['admin', 'POST', '/quick-replies', { shortcut: 'novo', text: 'x' }],
  ];
  for (const [who, method, route, body] of refused) {
    const res = await api(who, method, route, body);
    t.is(res.status, 403, route);
    t.is(res.body.error.code, 'license_restricted', route);
  }
  const row = await w.app.deps.db('conversations').where({ id }).first();
  t.is(row.assignee_id, null, 'nothing changed');
});
