/**
 * Domain events (events/, repositories/domainEvents.ts): recorded in the same transaction as the change,
 * delivered at least once to each subscriber in the worker, in commit order, never stepping over an
 * event whose transaction committed late.
 */
import anyTest from 'ava';
import { newWamid, postWebhook, waEnvelope, waMessagesValue, waText } from '../../scripts/meta-simulator/webhooks.js';
import type { StoredEvent, Subscriber } from '../src/events/domainEvents.js';
import { deliverEvents } from '../src/events/dispatcher.js';
import { recordEvents } from '../src/repositories/domainEvents.js';
import { startInboundWorld, waitFor, type InboundWorld, type TestConnection } from './inbound.js';

const test = anyTest.serial;
let w: InboundWorld;
let wa: TestConnection;
const heard: StoredEvent[] = [];
const listener: Subscriber = {
  name: 'test.listener',
  types: ['message.received', 'message.sent', 'conversation.assigned', 'conversation.transferred', 'conversation.resolved', 'conversation.reopened'],
  handle: async (events) => { heard.push(...events); },
};

anyTest.before(async () => {
  w = await startInboundWorld();
  const team = (await w.app.api('POST', '/api/teams', { cookie: w.adminCookie, body: { name: 'Vendas' } })).body.id;
  wa = await w.addWhatsApp({ teamId: team });
  await w.app.startWorker({ subscribers: [listener] });
});
anyTest.after.always(async () => { await w?.close(); });

const db = () => w.app.deps.db;
const heardOf = (conversationId: string) => heard.filter((e) => e.conversationId === conversationId).map((e) => e.type);

test('a received message, an agent reply sent, assign, transfer, resolve and reopen reach the subscriber once each, in order', async (t) => {
  const from = `55119${String(Date.now()).slice(-8)}`;
  const res = await postWebhook(wa.webhookUrl, waEnvelope([{ changes: [{ value: waMessagesValue({ phoneNumberId: wa.externalId, messages: [waText(from, 'Olá')] }), field: 'messages' }] }]), wa.appSecret);
  t.is(res.status, 200);
  const conversation = await waitFor(() => db()('conversations').join('contacts', 'contacts.id', 'conversations.contact_id').where('contacts.external_id', from).first('conversations.id', 'conversations.contact_id'));
  const id = conversation.id as string;
  await waitFor(() => heardOf(id).includes('message.received') || null, 10_000, 'message.received heard');
  const received = heard.find((e) => e.conversationId === id && e.type === 'message.received')!;
  t.like(received, { connectionId: wa.id, contactId: conversation.contact_id });

  const api = (path: string, body: object = {}) => w.app.api('POST', `/api/conversations/${id}${path}`, { cookie: w.adminCookie, body });
  const adminId = (await db()('users').where({ email: 'admin@loja.com.br' }).first('id')).id;
  t.is((await api('/messages', { type: 'text', text: 'Bom dia! Como posso ajudar?' })).status, 202);
  t.is((await api('/assign', { userId: adminId })).status, 200);
  const other = (await w.app.api('POST', '/api/teams', { cookie: w.adminCookie, body: { name: 'Suporte' } })).body.id;
  t.is((await api('/transfer', { teamId: other })).status, 200);
  t.is((await api('/resolve')).status, 200);
  t.is((await api('/reopen')).status, 200);
  await waitFor(() => heardOf(id).includes('conversation.reopened') && heardOf(id).includes('message.sent') || null, 10_000, 'all heard');
  const order = heardOf(id).filter((e) => e.startsWith('conversation.'));
  t.deepEqual(order, ['conversation.assigned', 'conversation.transferred', 'conversation.resolved', 'conversation.reopened']);
  t.is(heardOf(id).filter((e) => e === 'message.sent').length, 1);
  const sent = heard.find((e) => e.conversationId === id && e.type === 'message.sent')!;
  t.like(sent, { origin: 'agent', senderUserId: adminId });
  t.is(new Set(heard.map((e) => e.id)).size, heard.length, 'no event delivered twice');
});

test('a change that is refused records nothing', async (t) => {
  const before = (await db()('domain_events').count<{ count: string }[]>('* as count'))[0]!.count;
  const conversation = await db()('conversations').first('id');
  const refused = await w.app.api('POST', `/api/conversations/${conversation.id}/assign`, { cookie: w.adminCookie, body: { userId: '00000000-0000-4000-8000-000000000000' } });
  t.true(refused.status >= 400 && refused.status < 500);
  t.is((await db()('domain_events').count<{ count: string }[]>('* as count'))[0]!.count, before);
});

test('an event whose transaction commits late is delivered, not stepped over by later ones', async (t) => {
  const late = { name: 'test.late', types: ['conversation.resolved' as const], got: [] as string[], handle: async (e: StoredEvent[]) => { late.got.push(...e.map((x) => x.conversationId!)); } };
  const conversationId = '00000000-0000-4000-8000-0000000000aa';
  const laterId = '00000000-0000-4000-8000-0000000000bb';
  await deliverEvents(w.app.deps, late); // the cursor starts here
  late.got.length = 0;
  let release!: () => void;
  const held = new Promise<void>((r) => { release = r; });
  let inserted!: () => void;
  const didInsert = new Promise<void>((r) => { inserted = r; });
  // A transaction takes its event id first and commits last.
  const slow = db().transaction(async (trx) => {
    await recordEvents(trx, [{ type: 'conversation.resolved', conversationId, byUserId: conversationId }]);
    inserted();
    await held;
  });
  await didInsert;
  await recordEvents(db(), [{ type: 'conversation.resolved', conversationId: laterId, byUserId: laterId }]);
  await deliverEvents(w.app.deps, late);
  t.deepEqual(late.got, [], 'nothing is delivered past a transaction still open');
  release();
  await slow;
  // Once every transaction older than both has ended: another test file's open transaction on this
  // PostgreSQL also holds the cluster-wide snapshot horizon back for a moment.
  await waitFor(async () => { await deliverEvents(w.app.deps, late); return late.got.length >= 2 || null; }, 15_000, 'both events delivered');
  t.deepEqual(late.got, [conversationId, laterId], 'both, in commit-safe order');
});

test('a subscriber that fails gets the same events again; its cursor moves only when it succeeds', async (t) => {
  let fail = true;
  const got: string[] = [];
  const flaky: Subscriber = {
    name: 'test.flaky', types: ['conversation.resolved'],
    handle: async (events) => { if (fail) throw new Error('down for a moment'); got.push(...events.map((e) => e.id)); },
  };
  await deliverEvents(w.app.deps, { ...flaky, handle: async () => {} }); // start at the end
  await recordEvents(db(), [{ type: 'conversation.resolved', conversationId: '00000000-0000-4000-8000-0000000000cc', byUserId: '00000000-0000-4000-8000-0000000000cc' }]);
  await t.throwsAsync(deliverEvents(w.app.deps, flaky), { message: 'down for a moment' });
  fail = false;
  await deliverEvents(w.app.deps, flaky);
  t.is(got.length, 1, 'delivered after the failure, once');
});
