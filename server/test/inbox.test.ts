import anyTest from 'ava';
import { findOrOpenConversation } from '../src/repositories/conversations.js';
import { insertMessage } from '../src/repositories/messages.js';
import { makeConversation, record, sleep, startQueueFixture, type InboxWorld } from './inboxFixtures.js';
import { PASSWORD, type LicenseServiceProcess } from './support.js';

const test = anyTest.serial;
let service: LicenseServiceProcess;
let w: InboxWorld;
let conn1: string;
let conn2: string;
/** The fixed set the queue tests read (other tests make their own conversations on other connections). */
const c: Record<string, string> = {};

anyTest.before(async () => {
  const f = await startQueueFixture('1', c);
  ({ service, w, conn1, conn2 } = f);
  const { mk } = f;
  const { teamA, teamB, users } = w;
  await mk('c1', { teamId: teamA, name: 'Maria Silva', tags: ['vip'], phone: '5511977776666' });
  await mk('c2', { teamId: teamA, assigneeId: users.att1.id, name: 'João Souza', phone: '5511988887777' });
  await mk('c3', { teamId: teamA, assigneeId: users.att2.id, name: 'Ana Lima' });
  await mk('c4', { teamId: teamB, connectionId: conn2, name: 'Mariana Costa', tags: ['vip', 'atacado'] });
  await mk('c5', { teamId: teamB, connectionId: conn2, assigneeId: users.attB.id });
  await mk('c6', { teamId: teamA, status: 'resolved', name: 'Carlos' });
  await mk('c7', { teamId: null, name: 'Sem Time' });
  await mk('c8', { teamId: teamB, assigneeId: users.supA.id });
});
anyTest.after.always(async () => {
  await w?.app.close();
  await service?.close();
});

type Who = keyof InboxWorld['users'];
const list = async (who: Who, query: string) => {
  const res = await w.app.api('GET', `/api/conversations?${query}`, { cookie: w.users[who].cookie });
  if (res.status !== 200) throw new Error(`${who} ${query}: ${res.status} ${res.text}`);
  return res.body as { items: any[]; nextCursor: string | null };
};
/** The names (c1…c8) of the fixed set a listing returns, in listing order. */
const names = async (who: Who, query: string) => {
  const byId = Object.fromEntries(Object.entries(c).map(([k, v]) => [v, k]));
  return (await list(who, `${query}&connectionId=${conn1}`)).items.map((i) => byId[i.id] ?? '?')
    .concat((await list(who, `${query}&connectionId=${conn2}`)).items.map((i) => byId[i.id] ?? '?'))
    .sort();
};

test('queues per role: each sees exactly what the visibility rule allows', async (t) => {
  const expect = {
    admin: { all: 'c1 c2 c3 c4 c5 c7 c8', unassigned: 'c1 c4 c7', mine: '', team: 'c1 c2 c3 c4 c5 c8' },
    supA: { all: 'c1 c2 c3 c8', unassigned: 'c1', mine: 'c8', team: 'c1 c2 c3' },
    att1: { all: 'c1 c2', unassigned: 'c1', mine: 'c2', team: 'c1 c2' },
    att2: { all: 'c1 c3', unassigned: 'c1', mine: 'c3', team: 'c1 c3' },
    attB: { all: 'c4 c5', unassigned: 'c4', mine: 'c5', team: 'c4 c5' },
  } as const;
  for (const [who, queues] of Object.entries(expect)) {
    for (const [queue, want] of Object.entries(queues)) {
      t.is((await names(who as Who, `queue=${queue}`)).join(' '), want, `${who} queue=${queue}`);
    }
  }
  // Newest activity first, and the default queue is "all".
  const all = await list('admin', 'limit=100');
  t.deepEqual(all.items.map((i) => i.id), [c.c8, c.c7, c.c5, c.c4, c.c3, c.c2, c.c1]);
  t.is(all.nextCursor, null);
  const item = all.items.find((i) => i.id === c.c1)!;
  t.like(item, { status: 'open', teamId: w.teamA, assigneeId: null, unreadCount: 1, lastMessagePreview: 'oi, tudo bem?' });
  t.like(item.contact, { name: 'Maria Silva', externalId: '5511977776666', tags: ['vip'] });
  t.is(item.connection.id, conn1);
});

test('status filter: resolved and all include the resolved conversation only for those who see it', async (t) => {
  t.is((await names('admin', 'status=resolved')).join(' '), 'c6');
  t.is((await names('att1', 'status=all')).join(' '), 'c1 c2 c6');
  t.is((await names('attB', 'status=resolved')).join(' '), '');
  t.is((await names('supA', 'status=all&queue=team')).join(' '), 'c1 c2 c3 c6');
});

test('filters: connection, tag, search by name and by phone digits — always within visibility', async (t) => {
  const ids = async (who: Who, q: string) => (await list(who, q)).items.map((i) => Object.entries(c).find(([, v]) => v === i.id)?.[0]).sort().join(' ');
  t.is(await ids('admin', `connectionId=${conn2}`), 'c4 c5');
  t.is(await ids('admin', 'tag=vip'), 'c1 c4');
  t.is(await ids('admin', 'tag=VIP'), 'c1 c4', 'tags are matched in their stored lowercase form');
  t.is(await ids('att1', 'tag=vip'), 'c1', 'c4 is team B');
  t.is(await ids('admin', 'tag=atacado'), 'c4');
  t.is(await ids('admin', 'q=maria'), 'c1 c4', 'name contains, case-insensitive');
  t.is(await ids('admin', 'q=SILVA'), 'c1');
  t.is(await ids('attB', 'q=maria'), 'c4');
  t.is(await ids('admin', `q=${encodeURIComponent('(11) 98888-7777')}`), 'c2', 'phone by digits');
  t.is(await ids('admin', 'q=551197777'), 'c1', 'phone prefix');
  t.is(await ids('att2', 'q=98888'), '', 'c2 is att1\'s');
  t.is(await ids('admin', 'q=%25'), '', 'LIKE wildcards are literal');
});

test('reads of a conversation the actor cannot see are 404; visible ones carry the contact', async (t) => {
  const get = (who: Who, id: string) => w.app.api('GET', `/api/conversations/${id}`, { cookie: w.users[who].cookie });
  for (const [who, id] of [['att1', c.c3], ['att1', c.c4], ['attB', c.c1], ['supA', c.c5], ['supA', c.c7]] as const) {
    const res = await get(who, id!);
    t.is(res.status, 404, `${who} ${id}`);
    t.is(res.body.error.code, 'not_found');
    t.is((await w.app.api('GET', `/api/conversations/${id}/messages`, { cookie: w.users[who].cookie })).status, 404);
  }
  const ok = await get('att1', c.c1!);
  t.is(ok.status, 200);
  t.like(ok.body.contact, { name: 'Maria Silva', profileName: 'Maria Silva', savedName: null, tags: ['vip'], customFields: {} });
  t.is((await get('supA', c.c8!)).status, 200, 'a supervisor sees one of another team assigned to them');
  t.is((await get('admin', '00000000-0000-4000-8000-000000000001')).status, 404);
  const bad = await get('admin', 'not-a-uuid');
  t.is(bad.status, 400);
  t.is(bad.body.error.code, 'validation_failed');
});

test('bad list input is 400 naming the field', async (t) => {
  for (const [q, field] of [['queue=others', 'queue'], ['status=closed', 'status'], ['limit=0', 'limit'], ['limit=101', 'limit'], ['connectionId=x', 'connectionId'], ['cursor=nonsense', 'cursor']]) {
    const res = await w.app.api('GET', `/api/conversations?${q}`, { cookie: w.users.admin.cookie });
    t.is(res.status, 400, q);
    t.is(res.body.error.code, field === 'cursor' ? 'invalid_cursor' : 'validation_failed', q);
    t.regex(res.body.error.message, new RegExp(`^${field}`), q);
  }
});

test('cursor paging returns every conversation exactly once while newer ones keep arriving', async (t) => {
  const conn = await w.connection('1000000003');
  const { teamA, teamB, users } = w;
  const start = Date.UTC(2026, 9, 1);
  const existing: string[] = [];
  for (let i = 0; i < 25; i++) {
    // Three share each timestamp, so the id breaks ties; the owners mix slices of a supervisor's union.
    const o = i % 3 === 0 ? { teamId: teamA } : i % 3 === 1 ? { teamId: teamA, assigneeId: users.att1.id } : { teamId: teamB, assigneeId: users.supA.id };
    existing.push((await makeConversation(w.app, { connectionId: conn, ...o, at: new Date(start + Math.floor(i / 3) * 1000) })).id);
  }
  const arrivals = new Set<string>();
  let arrivalAt = Date.UTC(2026, 11, 1);
  for (const who of ['admin', 'supA'] as const) {
    const earlier = new Set(arrivals);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await list(who, `connectionId=${conn}&limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
      pages++;
      // Newer conversations arrive between pages: they sort before the cursor and must not shift the rest.
      arrivalAt += 1000;
      arrivals.add((await makeConversation(w.app, { connectionId: conn, teamId: teamA, at: new Date(arrivalAt) })).id);
    } while (cursor && pages < 50);
    t.is(new Set(seen).size, seen.length, `${who}: no duplicates`);
    const originals = seen.filter((id) => !earlier.has(id));
    t.false(originals.some((id) => arrivals.has(id)), `${who}: nothing that arrived during paging shows up`);
    t.deepEqual([...originals].sort(), [...existing].sort(), `${who}: every original conversation exactly once`);
  }
});

test('messages of a conversation: newest first, cursor-paged, ties broken by id', async (t) => {
  const { id } = await makeConversation(w.app, { connectionId: conn1, teamId: w.teamA, name: 'Thread' });
  const row = (await w.app.deps.db('conversations').where({ id }).first())!;
  for (let i = 0; i < 11; i++) {
    await insertMessage(w.app.deps.db, {
      conversation_id: id, connection_id: row.connection_id, direction: 'in', origin: 'customer', type: 'text', body: `m${i}`,
      status: 'received', at: new Date(Date.UTC(2026, 11, 5) + Math.floor(i / 2) * 1000), provider_message_id: `wamid.thread.${i}`,
    });
  }
  const seen: any[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res = await w.app.api('GET', `/api/conversations/${id}/messages?limit=5${cursor ? `&cursor=${cursor}` : ''}`, { cookie: w.users.att1.cookie });
    t.is(res.status, 200, res.text);
    seen.push(...res.body.items);
    cursor = res.body.nextCursor;
    pages++;
  } while (cursor);
  t.is(pages, 3);
  t.is(seen.length, 12, 'the first message and the 11 added');
  t.is(new Set(seen.map((m) => m.id)).size, 12);
  const ats = seen.map((m) => m.at);
  t.deepEqual(ats, [...ats].sort().reverse(), 'newest first');
  t.is(seen.at(-1).body, 'oi, tudo bem?');
  t.like(seen[0], { direction: 'in', origin: 'customer', type: 'text' });
});

const post = (who: keyof InboxWorld['users'], route: string, body?: unknown) =>
  w.app.api('POST', `/api/conversations/${route}`, { cookie: w.users[who].cookie, body: body ?? {} });

test('assign: an attendant takes an unassigned one of their team and passes their own on within the team', async (t) => {
  const { users, teamA } = w;
  const { id } = await makeConversation(w.app, { connectionId: conn1, teamId: teamA });
  const notSelf = await post('att1', `${id}/assign`, { userId: users.att2.id });
  t.is(notSelf.status, 403, 'an unassigned one may only be taken, not given');
  t.is(notSelf.body.error.code, 'forbidden');

  const taken = await post('att1', `${id}/assign`, { userId: users.att1.id });
  t.is(taken.status, 200, taken.text);
  t.is(taken.body.assigneeId, users.att1.id);
  t.is((await w.app.api('GET', `/api/conversations/${id}`, { cookie: users.att2.cookie })).status, 404, 'no longer in att2\'s view');

  const outside = await post('att1', `${id}/assign`, { userId: users.attB.id });
  t.is(outside.status, 422);
  t.is(outside.body.error.code, 'assignee_not_in_team');
  const ghost = await post('att1', `${id}/assign`, { userId: '00000000-0000-4000-8000-000000000009' });
  t.is(ghost.status, 422);
  t.is(ghost.body.error.code, 'assignee_not_in_team');

  const passed = await post('att1', `${id}/assign`, { userId: users.att2.id });
  t.is(passed.status, 200);
  t.is(passed.body.assigneeId, users.att2.id);
  t.is((await w.app.api('GET', `/api/conversations/${id}`, { cookie: users.att1.cookie })).status, 404, 'att1 gave it away');
  t.is((await post('att1', `${id}/assign`, { userId: users.att1.id })).status, 404, 'and cannot take it back');

  const back = await post('att2', `${id}/assign`, { userId: null });
  t.is(back.status, 200);
  t.is(back.body.assigneeId, null, 'null gives it back to the team queue');

  // A disabled user cannot receive one; an admin can, team or not.
  await w.app.api('PATCH', `/api/users/${users.att2.id}`, { cookie: users.admin.cookie, body: { disabled: true } });
  const disabled = await post('supA', `${id}/assign`, { userId: users.att2.id });
  t.is(disabled.body.error?.code, 'assignee_not_in_team');
  await w.app.api('PATCH', `/api/users/${users.att2.id}`, { cookie: users.admin.cookie, body: { disabled: false } });
  w.users.att2.cookie = (await w.app.login('att2@loja.com.br', PASSWORD)).cookie;
  t.is((await post('supA', `${id}/assign`, { userId: users.admin.id })).body.assigneeId, users.admin.id);

  const audits = await w.app.deps.db('audit_log').where({ subject_id: id, action: 'conversation.assign' }).orderBy('id');
  t.is(audits.length, 4);
  t.deepEqual(audits[0].detail.assignee_id, { before: null, after: users.att1.id });
  t.is(audits[0].actor_user_id, users.att1.id);

  for (const body of [{}, { userId: 'x' }, { userId: users.att1.id, extra: 1 }]) {
    const res = await post('admin', `${id}/assign`, body);
    t.is(res.status, 400, JSON.stringify(body));
    t.is(res.body.error.code, 'validation_failed');
  }
});

test('transfer: to another team (its unassigned queue) or to a user there; attendants cannot move what is not theirs', async (t) => {
  const { users, teamA, teamB } = w;
  const { id } = await makeConversation(w.app, { connectionId: conn1, teamId: teamA });
  const attTransfer = await post('att1', `${id}/transfer`, { teamId: teamB });
  t.is(attTransfer.status, 403, 'an unassigned one is only taken by an attendant');
  t.is((await post('attB', `${id}/transfer`, { teamId: teamB })).status, 404, 'team B does not see it');

  const notInB = await post('supA', `${id}/transfer`, { teamId: teamB, userId: users.att1.id });
  t.is(notInB.status, 422);
  t.is(notInB.body.error.code, 'assignee_not_in_team');
  const empty = await post('supA', `${id}/transfer`, {});
  t.is(empty.status, 400);
  t.is(empty.body.error.code, 'validation_failed');
  const unknownTeam = await post('supA', `${id}/transfer`, { teamId: '00000000-0000-4000-8000-000000000009' });
  t.is(unknownTeam.status, 400);
  t.regex(unknownTeam.body.error.message, /^teamId/);

  t.is((await post('supA', `${id}/assign`, { userId: users.att1.id })).status, 200);
  const moved = await post('att1', `${id}/transfer`, { teamId: teamB });
  t.is(moved.status, 200, 'an attendant passes their own on, to another team too');
  t.like(moved.body, { teamId: teamB, assigneeId: null });
  t.is((await w.app.api('GET', `/api/conversations/${id}`, { cookie: users.supA.cookie })).status, 404);
  const toUser = await post('admin', `${id}/transfer`, { userId: users.attB.id });
  t.like(toUser.body, { teamId: teamB, assigneeId: users.attB.id });
  const audit = await w.app.deps.db('audit_log').where({ subject_id: id, action: 'conversation.transfer' }).first();
  t.deepEqual(audit.detail.team_id, { before: teamA, after: teamB });
});

test('resolve and reopen; reopening while the contact has another open conversation is 409', async (t) => {
  const { users, teamA } = w;
  const { id, contactId } = await makeConversation(w.app, { connectionId: conn1, teamId: teamA, assigneeId: users.att1.id });
  t.is((await post('att2', `${id}/resolve`)).status, 404, 'others cannot see it');
  const resolved = await post('att1', `${id}/resolve`);
  t.is(resolved.status, 200);
  t.is(resolved.body.status, 'resolved');
  t.truthy(resolved.body.resolvedAt);
  t.false((await list('att1', 'queue=mine')).items.some((i) => i.id === id), 'out of the open queue');
  t.true((await list('att1', 'queue=mine&status=resolved')).items.some((i) => i.id === id));

  const reopened = await post('att1', `${id}/reopen`);
  t.like(reopened.body, { status: 'open', resolvedAt: null });
  await post('att1', `${id}/resolve`);
  // The customer wrote again: ingest opened a new conversation for the contact.
  await findOrOpenConversation(w.app.deps.db, { connectionId: conn1, contactId, teamId: teamA, at: new Date() });
  const clash = await post('att1', `${id}/reopen`);
  t.is(clash.status, 409);
  t.is(clash.body.error.code, 'conversation_already_open');
  const actions = (await w.app.deps.db('audit_log').where({ subject_id: id }).orderBy('id')).map((a) => a.action);
  t.deepEqual(actions, ['conversation.resolve', 'conversation.reopen', 'conversation.resolve']);
});

test('notes: stored as internal messages, never queued for Meta, pushed to the audience only', async (t) => {
  const { users, teamA } = w;
  const { id } = await makeConversation(w.app, { connectionId: conn1, teamId: teamA, assigneeId: users.att1.id });
  const [att1, supA, attB, att2] = await Promise.all([users.att1, users.supA, users.attB, users.att2].map((u) => w.app.socket(u.cookie)));
  const r = { att1: record(att1!), supA: record(supA!), attB: record(attB!), att2: record(att2!) };
  const res = await post('att1', `${id}/notes`, { text: 'cliente pediu desconto' });
  t.is(res.status, 201, res.text);
  t.like(res.body, { direction: 'note', origin: 'agent', type: 'note', status: 'note', senderUserId: users.att1.id, body: 'cliente pediu desconto' });
  const row = await w.app.deps.db('messages').where({ id: res.body.id }).first();
  t.is(row.provider_message_id, null);
  for (const who of ['att1', 'supA'] as const) {
    const e = await r[who].waitFor((e) => e.event === 'message:new' && e.data.message.id === res.body.id);
    t.is(e.data.message.body, 'cliente pediu desconto', who);
  }
  await sleep(200);
  t.deepEqual(r.attB.about(id), [], 'team B hears nothing');
  t.deepEqual(r.att2.about(id), [], 'nor does a teammate who does not see it');
  const thread = await w.app.api('GET', `/api/conversations/${id}/messages`, { cookie: users.supA.cookie });
  t.is(thread.body.items[0].id, res.body.id);
  t.is((await w.app.deps.db('audit_log').where({ subject_id: id, action: 'conversation.note' })).length, 1);

  const blank = await post('att1', `${id}/notes`, { text: '   ' });
  t.is(blank.status, 400);
  t.regex(blank.body.error.message, /^text/);
  t.is((await post('att2', `${id}/notes`, { text: 'oi' })).status, 404);
});

test('read marks it read and pushes the update', async (t) => {
  const { users, teamA } = w;
  const { id } = await makeConversation(w.app, { connectionId: conn1, teamId: teamA, assigneeId: users.att1.id });
  const r = record(await w.app.socket(users.supA.cookie));
  const res = await post('att1', `${id}/read`);
  t.is(res.status, 200);
  t.is(res.body.unreadCount, 0);
  const e = await r.waitFor((e) => e.event === 'conversation:updated' && e.data.conversation.id === id);
  t.is(e.data.conversation.unreadCount, 0);
});

test('real time: taking, then transferring away — the audiences get updated / removed, then nothing more', async (t) => {
  const { users, teamA, teamB } = w;
  const { id } = await makeConversation(w.app, { connectionId: conn1, teamId: teamA });
  const sockets = await Promise.all((['admin', 'supA', 'att1', 'att2', 'attB'] as const).map(async (k) => [k, record(await w.app.socket(users[k].cookie))] as const));
  const r = Object.fromEntries(sockets) as Record<Who, ReturnType<typeof record>>;

  t.is((await post('att1', `${id}/assign`, { userId: users.att1.id })).status, 200);
  const isUpdate = (e: { event: string; data: any }) => e.event === 'conversation:updated' && e.data.conversation.id === id;
  for (const who of ['admin', 'supA', 'att1'] as const) {
    t.is((await r[who].waitFor(isUpdate)).data.conversation.assigneeId, users.att1.id, who);
  }
  await r.att2.waitFor((e) => e.event === 'conversation:removed' && e.data.id === id);
  t.false(r.att1.about(id).some((e) => e.event === 'conversation:removed'), 'the new assignee is not told it is gone');

  t.is((await post('supA', `${id}/transfer`, { teamId: teamB })).status, 200);
  await r.att1.waitFor((e) => e.event === 'conversation:removed' && e.data.id === id);
  await r.supA.waitFor((e) => e.event === 'conversation:removed' && e.data.id === id);
  const inB = await r.attB.waitFor(isUpdate);
  t.like(inB.data.conversation, { teamId: teamB, assigneeId: null });

  const before = { att1: r.att1.about(id).length, att2: r.att2.about(id).length, supA: r.supA.about(id).length };
  t.is((await post('attB', `${id}/notes`, { text: 'assumindo' })).status, 201);
  t.is((await post('attB', `${id}/assign`, { userId: users.attB.id })).status, 200);
  await r.attB.waitFor((e) => e.event === 'message:new' && e.data.message.conversationId === id);
  await r.admin.waitFor((e) => e.event === 'message:new' && e.data.message.conversationId === id);
  await sleep(200);
  t.deepEqual({ att1: r.att1.about(id).length, att2: r.att2.about(id).length, supA: r.supA.about(id).length }, before, 'those who lost it hear nothing more');
  t.deepEqual(r.attB.about(id).map((e) => e.event).filter((e) => e !== 'conversation:updated'), ['message:new']);
});
