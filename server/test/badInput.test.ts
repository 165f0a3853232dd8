import anyTest from 'ava';
import crypto from 'node:crypto';
import { conversationWith, messageRow, startOutboundWorld, waitForStatus, whatsappConnection, type OutboundWorld } from './outboundSupport.js';
import { call, PASSWORD } from './support.js';

/**
 * Bad input through the real HTTP surface (issue #11, section 2): forged cursors, NUL and unpaired
 * surrogates in API text, absurd nesting. Each gets a clear 4xx with a stable code, or is cleaned by the
 * one rule (kit/text.ts at the edge) and stored whole — never a 500, never a neighbour lost.
 */
const test = anyTest.serial;
let w: OutboundWorld;
let connection: string;
let conv: string;
let contactId: string;

anyTest.before(async () => {
  w = await startOutboundWorld();
  connection = await whatsappConnection(w, '3000000001');
  conv = await conversationWith(w, connection, '5511912345678');
  contactId = (await w.app.deps.db('conversations').where({ id: conv }).first()).contact_id;
  // A second conversation and a second user, so every listing has a page after the first.
  await conversationWith(w, connection, '5511912345679');
  await w.app.addUser({ email: 'ana@loja.com.br', role: 'attendant' });
  for (const text of ['primeira nota', 'segunda nota']) {
    const res = await api('POST', `/api/conversations/${conv}/notes`, { text });
    if (res.status !== 201) throw new Error(res.text);
  }
});
anyTest.after.always(async () => {
  await w?.close();
});

const api = (method: string, route: string, body?: unknown) => w.app.api(method, route, { cookie: w.admin, body });
const db = () => w.app.deps.db;

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const AT = '2026-11-01T12:00:00.000Z';
const ID = crypto.randomUUID();
/** Cursors no service issued: each must be 400 invalid_cursor, never reach SQL. */
const FORGED: Record<string, string> = {
  'base64 of text that is not JSON': Buffer.from('not json at all').toString('base64url'),
  'characters outside base64url': '%%%***$$$',
  'JSON null': b64(null),
  'an object instead of a pair': b64({ at: AT, id: ID }),
  'one element': b64([AT]),
  'three elements': b64([AT, ID, 'x']),
  'a number id': b64([AT, 42]),
  'a non-uuid id': b64([AT, 'abc']),
  'a number id that overflows bigint': b64([AT, '9223372036854775808']),
  'year 275760': b64(['+275760-09-13T00:00:00.000Z', ID]),
  'a negative year': b64(['-004713-01-01T00:00:00.000Z', ID]),
  'year -1': b64(['-000001-01-01T00:00:00.000Z', ID]),
  'year 0': b64(['0000-01-01T00:00:00.000Z', ID]),
  'February 30th': b64(['2026-02-30T00:00:00.000Z', ID]),
  'a time that is not a date': b64(['yesterday', ID]),
  'a number time': b64([1_700_000_000_000, ID]),
};

const listings = () => [
  { name: 'GET /api/conversations', route: '/api/conversations?status=open' },
  { name: 'GET /api/conversations/:id/messages', route: `/api/conversations/${conv}/messages?` },
  { name: 'GET /api/users', route: '/api/users?' },
  { name: 'GET /api/contacts/:id/conversations', route: `/api/contacts/${contactId}/conversations?` },
];

test('a forged cursor is 400 invalid_cursor on every paged listing, and the cursors we issue still page', async (t) => {
  for (const { name, route } of listings()) {
    for (const [what, cursor] of Object.entries(FORGED)) {
      const res = await api('GET', `${route}&cursor=${encodeURIComponent(cursor)}`);
      t.is(res.status, 400, `${name} with ${what}: ${res.text}`);
      t.is(res.body.error?.code, 'invalid_cursor', `${name} with ${what}`);
    }
  }
  // The cursors the listings hand out are still taken (one item per page, so each has a next page,
  // except the contact's listing: one conversation).
  for (const { name, route } of listings().slice(0, 3)) {
    const first = await api('GET', `${route}&limit=1`);
    t.is(first.status, 200, name);
    t.truthy(first.body.nextCursor, `${name} has a second page`);
    const second = await api('GET', `${route}&limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    t.is(second.status, 200, `${name} page 2: ${second.text}`);
    t.is(second.body.items.length, 1, name);
    t.not(second.body.items[0].id, first.body.items[0].id, name);
  }
  const contacts = await api('GET', `/api/contacts/${contactId}/conversations`);
  t.is(contacts.status, 200);
  t.is(contacts.body.items.length, 1);
});

test('GET /api/quick-replies?q=%00 is a search for nothing, not a 500', async (t) => {
  const made = await api('POST', '/api/quick-replies', { shortcut: 'pix', text: 'Nossa chave Pix é o CNPJ.' });
  t.is(made.status, 201, made.text);
  const all = await api('GET', '/api/quick-replies');
  for (const q of ['%00', '%00%00', 'p%00ix', '%2Fpi%00']) {
    const res = await api('GET', `/api/quick-replies?q=${q}`);
    t.is(res.status, 200, `q=${q}: ${res.text}`);
    t.deepEqual(res.body.items.map((r: any) => r.id), q === '%00' || q === '%00%00' ? all.body.items.map((r: any) => r.id) : [made.body.id], `q=${q}`);
  }
});

test('a note with NUL is stored without it, with its audit row; one that was only NUL is refused', async (t) => {
  const res = await api('POST', `/api/conversations/${conv}/notes`, { text: 'a\u0000b' });
  t.is(res.status, 201, res.text);
  t.is(res.body.body, 'ab');
  const row = await db()('messages').where({ id: res.body.id }).first();
  t.is(row.body, 'ab');
  const audit = await db()('audit_log').where({ subject_id: conv, action: 'conversation.note' }).whereRaw(`detail->>'messageId' = ?`, [res.body.id]).first();
  t.truthy(audit, 'the audit row is written');
  t.is(audit.detail.length, 2);

  const surrogate = await api('POST', `/api/conversations/${conv}/notes`, { text: 'praça \ud83d' });
  t.is(surrogate.status, 201, surrogate.text);
  t.is((await db()('messages').where({ id: surrogate.body.id }).first()).body, 'praça \ufffd');

  const onlyNul = await api('POST', `/api/conversations/${conv}/notes`, { text: '\u0000\u0000' });
  t.is(onlyNul.status, 400);
  t.is(onlyNul.body.error.code, 'validation_failed');
  t.regex(onlyNul.body.error.message, /^text:/);
});

test('a send with NUL goes out and is stored as the text without it', async (t) => {
  const res = await api('POST', `/api/conversations/${conv}/messages`, { type: 'text', text: 'a\u0000b', clientId: 'nul-1' });
  t.is(res.status, 202, res.text);
  t.is(res.body.body, 'ab');
  const sent = await waitForStatus(w, res.body.id, 'sent');
  t.is(sent.body, 'ab');
  const call = w.sim.sent.find((s) => s.id === sent.provider_message_id);
  t.is(call?.body.text.body, 'ab', 'Meta got the same text');
  t.is((await messageRow(w, res.body.id)).client_id, 'nul-1');
});

test('team names: only NUL is 400 validation_failed and nothing is written; an unpaired surrogate is kept as U+FFFD, audit included', async (t) => {
  const teamsBefore = await db()('teams').count<{ count: string }[]>('* as count');
  const auditsBefore = await db()('audit_log').where({ action: 'team.create' }).count<{ count: string }[]>('* as count');
  for (const name of ['\u0000', ' \u0000 ', '\u0000\u0000\u0000']) {
    const res = await api('POST', '/api/teams', { name });
    t.is(res.status, 400, JSON.stringify(name));
    t.is(res.body.error.code, 'validation_failed');
    t.regex(res.body.error.message, /^name:/);
  }
  t.deepEqual(await db()('teams').count<{ count: string }[]>('* as count'), teamsBefore);
  t.deepEqual(await db()('audit_log').where({ action: 'team.create' }).count<{ count: string }[]>('* as count'), auditsBefore);

  const made = await api('POST', '/api/teams', { name: '\ud800' });
  t.is(made.status, 201, made.text);
  t.is(made.body.name, '\ufffd');
  t.is((await db()('teams').where({ id: made.body.id }).first()).name, '\ufffd');
  const audit = await db()('audit_log').where({ action: 'team.create', subject_id: made.body.id }).first();
  t.is(audit?.detail.name, '\ufffd', 'the audit row is written, in the same transaction');

  const renamed = await api('PATCH', `/api/teams/${made.body.id}`, { name: 'Vendas \udc00 Sul\u0000' });
  t.is(renamed.status, 200, renamed.text);
  t.is(renamed.body.name, 'Vendas \ufffd Sul');
  const rename = await db()('audit_log').where({ action: 'team.rename', subject_id: made.body.id }).first();
  t.deepEqual(rename?.detail, { from: '\ufffd', to: 'Vendas \ufffd Sul' });
});

test('user names: an unpaired surrogate is kept as U+FFFD with the audit row; a name of NUL is refused', async (t) => {
  const res = await api('POST', '/api/users', { email: 'bia@loja.com.br', name: 'Bia \ud800', role: 'attendant', password: PASSWORD });
  t.is(res.status, 201, res.text);
  t.is(res.body.name, 'Bia \ufffd');
  t.is((await db()('users').where({ id: res.body.id }).first()).name, 'Bia \ufffd');
  t.truthy(await db()('audit_log').where({ action: 'user.create', subject_id: res.body.id }).first());
  t.is((await w.app.login('bia@loja.com.br', PASSWORD)).res.status, 200, 'the account works');

  const patched = await api('PATCH', `/api/users/${res.body.id}`, { name: '\ud83d\u0000' });
  t.is(patched.status, 200, patched.text);
  t.is(patched.body.name, '\ufffd');

  const none = await api('POST', '/api/users', { email: 'caio@loja.com.br', name: '\u0000', role: 'attendant', password: PASSWORD });
  t.is(none.status, 400);
  t.is(none.body.error.code, 'validation_failed');
  t.regex(none.body.error.message, /^name:/);
  t.falsy(await db()('users').where({ email: 'caio@loja.com.br' }).first());
  const blankPatch = await api('PATCH', `/api/users/${res.body.id}`, { name: '\u0000' });
  t.is(blankPatch.status, 400);
  t.is((await db()('users').where({ id: res.body.id }).first()).name, '\ufffd', 'unchanged');
});

test('contact fields: NUL and unpaired surrogates are cleaned in text and jsonb alike', async (t) => {
  const res = await api('PATCH', `/api/contacts/${contactId}`, { name: 'Jo\u0000ão \ud83d', tags: ['vi\u0000p'], customFields: { pedido: 'A\u0000-12 \udfff' } });
  t.is(res.status, 200, res.text);
  const row = await db()('contacts').where({ id: contactId }).first();
  t.is(row.name, 'João \ufffd');
  t.deepEqual(row.tags, ['vip']);
  t.deepEqual(row.custom_fields, { pedido: 'A-12 \ufffd' });
  t.truthy(await db()('audit_log').where({ action: 'contact.update', subject_id: contactId }).first());
});

test('a body nested absurdly deep is 400 body_too_deep; reasonable nesting still reaches the schema', async (t) => {
  const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
  for (const n of [65, 5_000, 100_000]) {
    const raw = `{"name":"Fundo","extra":${deep(n)}}`;
    const res = await rawPost('/api/teams', raw);
    t.is(res.status, 400, `${n} levels`);
    t.is(res.body.error.code, 'body_too_deep', `${n} levels`);
  }
  t.falsy(await db()('teams').where({ name: 'Fundo' }).first());
  const shallow = await rawPost('/api/teams', `{"name":"Raso","extra":${deep(10)}}`);
  t.is(shallow.status, 400);
  t.is(shallow.body.error.code, 'validation_failed', 'within the depth limit, the schema decides (unknown key)');
});

const rawPost = (route: string, raw: string) => call('POST', `${w.app.url}${route}`, { raw, headers: { cookie: w.admin } });
