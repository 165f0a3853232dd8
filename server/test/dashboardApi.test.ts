import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import anyTest from 'ava';
import { makeConversation, startQueueFixture, type InboxWorld } from './inboxFixtures.js';
import type { LicenseServiceProcess } from './support.js';

/**
 * What the dashboard needs of the server beyond the inbox itself: the queues' counts, a contact's history,
 * the directory of names, and the static serving of web-dist (CSP, vendor modules, no way out of web-dist).
 */
const test = anyTest.serial;
let service: LicenseServiceProcess;
let w: InboxWorld;
let conn1: string;
let conn2: string;
const c: Record<string, string> = {};

anyTest.before(async () => {
  const f = await startQueueFixture('2', c);
  ({ service, w, conn1, conn2 } = f);
  const { mk } = f;
  const { teamA, teamB, users } = w;
  // The same shape as inbox.test.ts's fixed set: every queue of every role has something in it.
  await mk('c1', { teamId: teamA, name: 'Maria Silva' });
  await mk('c2', { teamId: teamA, assigneeId: users.att1.id });
  await mk('c3', { teamId: teamA, assigneeId: users.att2.id });
  await mk('c4', { teamId: teamB, connectionId: conn2 });
  await mk('c5', { teamId: teamB, connectionId: conn2, assigneeId: users.attB.id });
  await mk('c6', { teamId: teamA, status: 'resolved' });
  await mk('c7', { teamId: null });
  await mk('c8', { teamId: teamB, assigneeId: users.supA.id });
  await mk('c9', { teamId: teamA });
});
anyTest.after.always(async () => {
  await w?.app.close();
  await service?.close();
});

type Who = keyof InboxWorld['users'];
const WHO: Who[] = ['admin', 'supA', 'att1', 'att2', 'attB'];
const QUEUES = ['unassigned', 'mine', 'team', 'bot', 'all'] as const;

const get = async (who: Who, route: string) => {
  const res = await w.app.api('GET', route, { cookie: w.users[who].cookie });
  if (res.status !== 200) throw new Error(`${who} ${route}: ${res.status} ${res.text}`);
  return res.body;
};
const counts = (who: Who, status = '') => get(who, `/api/conversations/counts${status ? `?status=${status}` : ''}`);
/** What the listing shows for a queue, counted the way the badges count it. */
const fromList = async (who: Who, queue: string, status = 'open') => {
  const { items, nextCursor } = await get(who, `/api/conversations?queue=${queue}&status=${status}&limit=100`);
  if (nextCursor) throw new Error('more than a page: the fixture outgrew the test');
  return { total: items.length, unread: items.filter((i: any) => i.unreadCount > 0).length };
};
const allFromLists = async (who: Who, status = 'open') =>
  Object.fromEntries(await Promise.all(QUEUES.map(async (q) => [q, await fromList(who, q, status)] as const)));

test('counts: per role, every queue matches what its listing returns', async (t) => {
  for (const who of WHO) {
    const got = await counts(who);
    t.deepEqual(got, await allFromLists(who), who);
    t.deepEqual(await counts(who, 'open'), got, 'open is the default');
    t.deepEqual(await counts(who, 'resolved'), await allFromLists(who, 'resolved'), `${who} resolved`);
    t.deepEqual(await counts(who, 'all'), await allFromLists(who, 'all'), `${who} all`);
  }
  // The figures themselves, so that lists and counts cannot agree by both being wrong.
  t.deepEqual(await counts('admin'), {
    unassigned: { total: 4, unread: 4 }, mine: { total: 0, unread: 0 }, team: { total: 7, unread: 7 }, bot: { total: 0, unread: 0 }, all: { total: 8, unread: 8 },
  });
  t.deepEqual(await counts('supA'), {
    unassigned: { total: 2, unread: 2 }, mine: { total: 1, unread: 1 }, team: { total: 4, unread: 4 }, bot: { total: 0, unread: 0 }, all: { total: 5, unread: 5 },
  });
  t.deepEqual(await counts('att1'), {
    unassigned: { total: 2, unread: 2 }, mine: { total: 1, unread: 1 }, team: { total: 3, unread: 3 }, bot: { total: 0, unread: 0 }, all: { total: 3, unread: 3 },
  });
  t.deepEqual(await counts('attB'), {
    unassigned: { total: 1, unread: 1 }, mine: { total: 1, unread: 1 }, team: { total: 2, unread: 2 }, bot: { total: 0, unread: 0 }, all: { total: 2, unread: 2 },
  });
  t.deepEqual((await counts('att1', 'resolved')).all, { total: 1, unread: 1 }, 'c6');
});

test('counts: reading and assigning move the badges', async (t) => {
  const before = await counts('att1');
  const read = await w.app.api('POST', `/api/conversations/${c.c1}/read`, { cookie: w.users.att1.cookie });
  t.is(read.status, 200);
  let now = await counts('att1');
  t.deepEqual(now.unassigned, { total: before.unassigned.total, unread: before.unassigned.unread - 1 }, 'read, still unassigned');
  t.deepEqual(now.all, { total: before.all.total, unread: before.all.unread - 1 });

  const taken = await w.app.api('POST', `/api/conversations/${c.c9}/assign`, { cookie: w.users.att1.cookie, body: { userId: w.users.att1.id } });
  t.is(taken.status, 200);
  now = await counts('att1');
  t.deepEqual(now.unassigned, { total: before.unassigned.total - 1, unread: before.unassigned.unread - 2 });
  t.deepEqual(now.mine, { total: before.mine.total + 1, unread: before.mine.unread + 1 });
  t.deepEqual(now, await allFromLists('att1'));
  // att2 no longer sees c9 (att1's now) at all.
  t.deepEqual((await counts('att2')).unassigned, { total: 1, unread: 0 }, 'only c1, read');
  t.deepEqual(await counts('att2'), await allFromLists('att2'));
  t.deepEqual(await counts('supA'), await allFromLists('supA'));
});

test('counts: bad status is 400; not logged in is 401; "counts" is never taken for an id', async (t) => {
  const bad = await w.app.api('GET', '/api/conversations/counts?status=closed', { cookie: w.users.admin.cookie });
  t.is(bad.status, 400);
  t.is(bad.body.error.code, 'validation_failed');
  t.true(JSON.stringify(bad.body).includes('status'), 'the status was refused, not "counts" as an id');
  const anon = await w.app.api('GET', '/api/conversations/counts');
  t.is(anon.status, 401);
  t.is(anon.body.error.code, 'unauthorized');
});

test('contact conversations: past and current, newest first, only those the actor sees; 404 for an unseen contact', async (t) => {
  const { teamA, users } = w;
  const phone = '5511955554444';
  const old = await makeConversation(w.app, { connectionId: conn1, teamId: teamA, assigneeId: users.att2.id, status: 'resolved', phone, name: 'Paula' });
  const past = await makeConversation(w.app, { connectionId: conn1, teamId: teamA, status: 'resolved', phone });
  // Resolve the one before opening the next: one open conversation per contact.
  const current = await makeConversation(w.app, { connectionId: conn1, teamId: teamA, phone });
  t.is(old.contactId, current.contactId);
  t.is(past.contactId, current.contactId);
  const note = await w.app.api('POST', `/api/conversations/${current.id}/notes`, { cookie: w.users.admin.cookie, body: { text: 'cliente antigo' } });
  t.is(note.status, 201);

  const history = (who: Who, q = '') => w.app.api('GET', `/api/contacts/${current.contactId}/conversations${q}`, { cookie: w.users[who].cookie });
  const admin = await history('admin');
  t.is(admin.status, 200);
  t.deepEqual(admin.body.items.map((i: any) => i.id), [current.id, past.id, old.id]);
  t.is(admin.body.nextCursor, null);
  t.like(admin.body.items[0], { status: 'open', teamId: teamA, assigneeId: null, messageCount: 2, contact: { id: current.contactId, externalId: phone } });
  t.like(admin.body.items[2], { status: 'resolved', assigneeId: users.att2.id, messageCount: 1 });
  t.truthy(admin.body.items[2].resolvedAt);

  t.deepEqual((await history('att1')).body.items.map((i: any) => i.id), [current.id, past.id], 'not att2\'s');
  t.deepEqual((await history('att2')).body.items.map((i: any) => i.id), [current.id, past.id, old.id]);
  t.deepEqual((await history('supA')).body.items.map((i: any) => i.id), [current.id, past.id, old.id]);

  // Paged by cursor.
  const first = await history('admin', '?limit=2');
  t.is(first.body.items.length, 2);
  const second = await history('admin', `?limit=2&cursor=${first.body.nextCursor}`);
  t.deepEqual(second.body.items.map((i: any) => i.id), [old.id]);
  t.is(second.body.nextCursor, null);

  // Another team's attendant does not even learn that the contact exists.
  const hidden = await history('attB');
  t.is(hidden.status, 404);
  t.is(hidden.body.error.code, 'not_found');
  const unknown = await w.app.api('GET', '/api/contacts/00000000-0000-4000-8000-000000000009/conversations', { cookie: w.users.admin.cookie });
  t.is(unknown.status, 404);
  for (const [route, field] of [['/api/contacts/nope/conversations', 'id'], [`/api/contacts/${current.contactId}/conversations?limit=0`, 'limit']] as const) {
    const res = await w.app.api('GET', route, { cookie: w.users.admin.cookie });
    t.is(res.status, 400, route);
    t.is(res.body.error.code, 'validation_failed');
    t.true(JSON.stringify(res.body).includes(field));
  }
});

test('directory: any role gets every team and every active user, by name, never an email', async (t) => {
  const goneId = await w.app.addUser({ email: 'saiu@loja.com.br', name: 'Ex Atendente', role: 'attendant', teamIds: [w.teamA] });
  const off = await w.app.api('PATCH', `/api/users/${goneId}`, { cookie: w.users.admin.cookie, body: { disabled: true } });
  t.is(off.status, 200);

  const res = await w.app.api('GET', '/api/directory', { cookie: w.users.att1.cookie });
  t.is(res.status, 200);
  t.deepEqual(Object.keys(res.body).sort(), ['teams', 'users']);
  t.deepEqual(res.body.teams, [{ id: w.teamB, name: 'Suporte' }, { id: w.teamA, name: 'Vendas' }]);
  const ids = res.body.users.map((u: any) => u.id).sort();
  t.deepEqual(ids, Object.values(w.users).map((u) => u.id).sort(), 'the five active users, not the disabled one');
  for (const u of res.body.users) t.deepEqual(Object.keys(u).sort(), ['id', 'name', 'role', 'teamIds']);
  t.false(res.text.includes('@'), 'no email anywhere');
  t.like(res.body.users.find((u: any) => u.id === w.users.attB.id), { name: 'att.b', role: 'attendant', teamIds: [w.teamB] });
  t.like(res.body.users.find((u: any) => u.id === w.users.admin.id), { role: 'admin', teamIds: [] });

  for (const who of ['admin', 'supA', 'attB'] as const) t.deepEqual((await get(who, '/api/directory')), res.body, who);
  t.is((await w.app.api('GET', '/api/directory')).status, 401);
});

// ─────────────────────────────── the dashboard's static serving ───────────────────────────────

/** A GET with the path sent byte for byte (http.request(url) would resolve `..` before sending). */
const raw = (urlPath: string, headers: Record<string, string> = {}) =>
  new Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }>((resolve, reject) => {
    const u = new URL(w.app.url);
    const req = http.request({ host: u.hostname, port: u.port, path: urlPath, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (b) => chunks.push(b));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });

const indexHtml = () => fs.readFileSync(path.resolve('web-dist/index.html'), 'utf8');

test('dashboard: pages answer index.html with a CSP that allows exactly the import map', async (t) => {
  const html = indexHtml();
  const importMap = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html)![1]!;
  const hash = crypto.createHash('sha256').update(importMap).digest('base64');
  for (const p of ['/', '/inbox/some-id', '/users']) {
    const res = await raw(p);
    t.is(res.status, 200, p);
    t.regex(String(res.headers['content-type']), /^text\/html/);
    t.is(res.text, html);
    const csp = String(res.headers['content-security-policy']);
    const scriptSrc = csp.split(';').map((d) => d.trim()).find((d) => d.startsWith('script-src'));
    t.is(scriptSrc, `script-src 'self' 'sha256-${hash}'`, p);
    t.regex(csp, /style-src 'self'(;|$)/, 'no inline styles');
    t.regex(csp, /frame-ancestors 'none'/);
    t.is(res.headers['x-frame-options'], 'DENY');
  }
});

test('dashboard: named vendor modules only; no way out of web-dist; the API keeps its JSON 404', async (t) => {
  const preact = await raw('/vendor/preact.mjs');
  t.is(preact.status, 200);
  t.regex(String(preact.headers['content-type']), /^text\/javascript/);
  t.is(preact.text, fs.readFileSync(path.resolve('node_modules/preact/dist/preact.mjs'), 'utf8'));
  const app = await raw('/app/main.js');
  t.is(app.status, 200);
  t.regex(String(app.headers['content-type']), /^text\/javascript/);

  const pkg = fs.readFileSync(path.resolve('package.json'), 'utf8');
  for (const p of [
    '/vendor/unknown.mjs', '/vendor/../package.json', '/app/../../package.json', '/app/%2e%2e/%2e%2e/package.json',
    '/%2e%2e/package.json', '/app/..%2f..%2fpackage.json', '/..%5cpackage.json', '/web-dist/tsconfig.json', '/tsconfig.json',
    '/app/../tsconfig.json', '/README.md', '/node_modules/preact/package.json', '/%2e%2e/node_modules/preact/package.json',
  ]) {
    const res = await raw(p);
    t.is(res.status, 404, p);
    t.false(res.text.includes(pkg.slice(0, 60)), `${p} leaked package.json`);
    t.false(res.text.includes('compilerOptions'), `${p} leaked a tsconfig`);
  }

  for (const cookie of [undefined, w.users.admin.cookie]) {
    const res = await w.app.api('GET', '/api/nope', { cookie });
    t.is(res.status, 404);
    t.regex(String(res.headers['content-type']), /^application\/json/);
    t.is(res.body.error.code, 'route_not_found');
  }
});

test('dashboard: files carry an ETag and answer 304 when it matches', async (t) => {
  for (const p of ['/', '/app/main.js', '/vendor/preact.mjs']) {
    const first = await raw(p);
    const etag = String(first.headers.etag);
    t.truthy(first.headers.etag, p);
    t.is(first.headers['cache-control'], 'no-cache');
    const again = await raw(p, { 'if-none-match': etag });
    t.is(again.status, 304, p);
    t.is(again.text, '');
    t.is((await raw(p, { 'if-none-match': '"stale"' })).status, 200);
  }
});
