/**
 * Scheduled messages through the real stack (issue #13 §4; ANCHORS-wave2 §3.3 goals 1 and 2): items made
 * and changed through HTTP, sent by the worker's due task at the test clock's time, and counted at Meta's
 * simulator. The 24-hour window decides at send time; what fell due while the worker was down goes out
 * once or expires; two workers never send one twice.
 */
import anyTest from 'ava';
import { upsertContact } from '../src/repositories/contacts.js';
import { findOrOpenConversation, noteMessage } from '../src/repositories/conversations.js';
import { fireDueSchedules } from '../src/schedules/scheduleTasks.js';
import { occurrenceAt, dueOccurrence } from '../src/schedules/recurrence.js';
import type { WorkerProcess } from '../src/processes/worker.js';
import { phoneNumber, startBotWorld, type BotWorld } from './botSupport.js';
import { waitFor } from './inbound.js';
import { PASSWORD, HOUR, DAY } from './support.js';

const test = anyTest.serial;
let w: BotWorld;
let worker: WorkerProcess;
const db = () => w.app.deps.db;
const MIN = 60_000;
let teamId: string;
let otherTeamId: string;
let teamConnection: string;
const cookies: Record<string, string> = {};
const ids: Record<string, string> = {};

anyTest.before(async () => {
  w = await startBotWorld();
  worker = w.worker;
  const team = await w.app.api('POST', '/api/teams', { cookie: w.adminCookie, body: { name: 'Vendas' } });
  const other = await w.app.api('POST', '/api/teams', { cookie: w.adminCookie, body: { name: 'Suporte' } });
  teamId = team.body.id;
  otherTeamId = other.body.id;
  teamConnection = (await w.addWhatsApp({ teamId })).id;
  for (const [name, role, teams] of [['ana', 'attendant', [teamId]], ['bruno', 'attendant', [teamId]], ['sara', 'supervisor', [teamId]], ['olga', 'attendant', [otherTeamId]]] as const) {
    ids[name] = await w.app.addUser({ email: `${name}@loja.com.br`, role, teamIds: [...teams], name });
    cookies[name] = (await w.app.login(`${name}@loja.com.br`, PASSWORD)).cookie;
  }
});
anyTest.after.always(async () => { await w?.close(); });

/** A customer who last wrote `agoMs` ago (by the test clock): contact, open conversation, its window. */
async function customer(agoMs: number, connectionId = w.wa.id) {
  const phone = phoneNumber();
  const contact = await upsertContact(db(), { connectionId, externalId: phone, matchKey: phone, profileName: `Cliente ${phone.slice(-4)}`, fromCustomer: true, at: w.app.clock.now() });
  const at = new Date(w.app.clock.now().getTime() - agoMs);
  const { conversation } = await findOrOpenConversation(db(), { connectionId, contactId: contact.id, teamId: connectionId === teamConnection ? teamId : null, at });
  await noteMessage(db(), conversation.id, { at, preview: 'oi', inbound: true });
  return { phone, contactId: contact.id, conversationId: conversation.id };
}

const inMs = (ms: number) => new Date(w.app.clock.now().getTime() + ms).toISOString();
const schedule = (body: Record<string, unknown>, cookie = w.adminCookie) => w.app.api('POST', '/api/scheduled-messages', { cookie, body });
const get = (id: string, cookie = w.adminCookie) => w.app.api('GET', `/api/scheduled-messages/${id}`, { cookie });
const advance = (ms: number) => w.app.clock.advance(ms);
const sentTo = (phone: string) => w.sim.sent.filter((s) => s.to === phone);
const kinds = (phone: string) => sentTo(phone).map((s) => (s.body.type === 'text' ? `text:${s.body.text.body}` : `${s.body.type}:${s.body.template?.name ?? ''}`));
const TEMPLATE = { name: 'lembrete_retorno', language: 'pt_BR', components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }] }] };

/** Waits until the item is no longer due (the worker handled what was due), then for its sends to reach Meta. */
async function handled(id: string) {
  const row = await waitFor(async () => {
    const r = await db()('scheduled_messages').where({ id }).first();
    return r && !(r.status === 'pending' && r.send_at <= w.app.clock.now()) ? r : null;
  }, 15_000, `scheduled message ${id} handled`);
  await waitFor(async () => !(await db()('messages').where({ status: 'queued' }).first('id')) || null, 15_000, 'queued messages sent');
  return row;
}

// First, while the test clock still agrees with the database's: webhooks are timed by when they reached
// PostgreSQL (webhook_events.received_at), and this compares customer message times with when items were made.
test('cancel if the customer writes first: their message cancels the items that ask for it (customer_wrote), the others go out', async (t) => {
  const cust = w.customer();
  await cust.say('oi');
  const conv = await cust.conversation();
  await waitFor(async () => (await db()('conversations').where({ id: conv.id }).first())?.last_inbound_at, 10_000, 'the first message');
  const ifQuiet = await schedule({ conversationId: conv.id, content: { type: 'text', text: 'Conseguiu ver a proposta?' }, sendAt: inMs(HOUR), cancelIfCustomerWrites: true });
  const always = await schedule({ conversationId: conv.id, content: { type: 'text', text: 'Lembrete da reunião' }, sendAt: inMs(HOUR) });
  t.is(ifQuiet.status, 201, ifQuiet.text);

  await new Promise((r) => setTimeout(r, 1_100)); // the customer's next message is a second later
  await cust.say('vi sim, obrigado');
  const cancelled = await waitFor(async () => {
    const item = (await get(ifQuiet.body.id)).body;
    return item.status === 'cancelled' ? item : null;
  }, 15_000, 'the item cancelled by the subscriber');
  t.is(cancelled.cancelReason, 'customer_wrote');

  advance(HOUR + MIN);
  await handled(always.body.id);
  t.deepEqual(cust.received().map((s) => s.body.text?.body), ['Lembrete da reunião']);
});

test('inside the window: the text goes out at its time, once, as the scheduling attendant\'s message', async (t) => {
  const c = await customer(HOUR);
  const res = await schedule({ conversationId: c.conversationId, content: { type: 'text', text: 'Seu pedido saiu para entrega.' }, sendAt: inMs(10 * MIN) });
  t.is(res.status, 201, res.text);
  t.like(res.body, { status: 'pending', recurrence: 'none', conversationId: c.conversationId, maxLatenessSeconds: 3600, error: null });

  advance(9 * MIN);
  await fireDueSchedules(worker.deps);
  t.is(sentTo(c.phone).length, 0, 'nothing before its time');

  advance(2 * MIN);
  const row = await handled(res.body.id);
  t.is(row.status, 'sent');
  t.deepEqual(kinds(c.phone), ['text:Seu pedido saiu para entrega.']);
  const msg = await db()('messages').where({ id: row.last_message_id }).first();
  t.like(msg, { origin: 'agent', client_id: `schedule:${res.body.id}:0`, conversation_id: c.conversationId, direction: 'out' });
  t.truthy(msg.sender_user_id, 'signed by who scheduled it');
  t.like((await get(res.body.id)).body, { status: 'sent', sentCount: 1, lastMessageId: row.last_message_id });

  // More passes later change nothing.
  advance(HOUR);
  await fireDueSchedules(worker.deps);
  await fireDueSchedules(worker.deps);
  t.is(sentTo(c.phone).length, 1);
});

test('the window decides at send time: daily text with a fallback goes out as text while it is open, as the template once it closed, and the series ends at repeatUntil', async (t) => {
  const c = await customer(HOUR);
  const sendAt = inMs(10 * MIN);
  const res = await schedule({
    conversationId: c.conversationId, content: { type: 'text', text: 'Bom dia! Posso ajudar?' }, fallbackTemplate: TEMPLATE,
    sendAt, recurrence: 'daily', repeatUntil: new Date(Date.parse(sendAt) + DAY + MIN).toISOString(),
  });
  t.is(res.status, 201, res.text);

  advance(11 * MIN);
  let row = await handled(res.body.id);
  t.is(row.status, 'pending', 'a daily item stays pending for its next day');
  t.is(row.send_at.getTime(), Date.parse(sendAt) + DAY, 'next: the same time tomorrow');
  t.deepEqual(kinds(c.phone), ['text:Bom dia! Posso ajudar?']);

  advance(DAY); // the customer wrote 25 h ago: the window closed
  row = await handled(res.body.id);
  t.deepEqual(kinds(c.phone), ['text:Bom dia! Posso ajudar?', 'template:lembrete_retorno'], 'the template, never free text outside the window');
  t.is(sentTo(c.phone)[1]!.body.template.language.code, 'pt_BR');
  t.is(row.status, 'sent', 'past repeatUntil the series is over');
  t.is(row.occurrences, 2);
  const keys = (await db()('messages').where({ conversation_id: c.conversationId, direction: 'out' }).orderBy('at').select('client_id')).map((m) => m.client_id);
  t.deepEqual(keys, [`schedule:${res.body.id}:0`, `schedule:${res.body.id}:1`]);
});

test('outside the window without a fallback: failed with outside_service_window on the item, nothing sent', async (t) => {
  const c = await customer(30 * HOUR);
  const res = await schedule({ conversationId: c.conversationId, content: { type: 'text', text: 'Olá de novo' }, sendAt: inMs(5 * MIN) });
  t.is(res.status, 201, res.text);
  advance(6 * MIN);
  await handled(res.body.id);
  const item = (await get(res.body.id)).body;
  t.is(item.status, 'failed');
  t.is(item.error.code, 'outside_service_window');
  t.regex(item.error.detail, /24-hour customer service window closed/);
  t.is(sentTo(c.phone).length, 0);

  // A template item goes out whatever the window.
  const tpl = await schedule({ conversationId: c.conversationId, content: { type: 'template', template: TEMPLATE }, sendAt: inMs(MIN) });
  advance(2 * MIN);
  t.is((await handled(tpl.body.id)).status, 'sent');
  t.deepEqual(kinds(c.phone), ['template:lembrete_retorno']);
});

test('catch-up: items due while the worker was down go out once, or expire per their lateness; none stays pending', async (t) => {
  await worker.stop();
  const c = await customer(10 * MIN);
  const made = [];
  for (const [i, lateness] of [[1, 3600], [2, 3600], [3, 60], [4, 0]] as const) {
    const res = await schedule({ conversationId: c.conversationId, content: { type: 'text', text: `Aviso ${i}` }, sendAt: inMs(i * MIN), maxLatenessSeconds: lateness });
    t.is(res.status, 201, res.text);
    made.push(res.body.id as string);
  }
  advance(20 * MIN);
  await new Promise((r) => setTimeout(r, 1_500));
  t.is(sentTo(c.phone).length, 0, 'no worker, nothing sent');

  worker = await w.app.startWorker();
  const rows = await Promise.all(made.map(handled));
  t.deepEqual(rows.map((r) => r.status), ['sent', 'sent', 'expired', 'expired']);
  t.is(rows[2].error_code, 'max_lateness_exceeded');
  t.deepEqual(kinds(c.phone).sort(), ['text:Aviso 1', 'text:Aviso 2']);
  t.is(Number((await db()('scheduled_messages').whereIn('id', made).where('status', 'pending').count<{ n: string }[]>('* as n'))[0]!.n), 0);
});

test('two workers and overlapping passes never send one twice; a claim that never commits leaves it pending and unsent', async (t) => {
  const second = await w.app.startWorker();
  const c = await customer(10 * MIN);
  const made: string[] = [];
  for (let i = 0; i < 20; i++) {
    const res = await schedule({ conversationId: c.conversationId, content: { type: 'text', text: `Lote ${i}` }, sendAt: inMs(MIN) });
    made.push(res.body.id);
  }
  // A worker claimed this one and then died before its commit.
  const crashed = await db().transaction();
  await crashed('scheduled_messages').where({ id: made[0] }).forUpdate().first();

  advance(2 * MIN);
  await Promise.all([0, 1, 2].flatMap(() => [fireDueSchedules(worker.deps), fireDueSchedules(second.deps)]));
  await Promise.all(made.slice(1).map(handled));
  t.is(sentTo(c.phone).length, 19);
  t.is((await db()('scheduled_messages').where({ id: made[0] }).first()).status, 'pending', 'held by the crashed claim: still pending');

  await crashed.rollback();
  await handled(made[0]!);
  t.is(sentTo(c.phone).length, 20);
  t.deepEqual(kinds(c.phone).sort(), made.map((_, i) => `text:Lote ${i}`).sort(), 'each once');
  const perItem = await db()('messages').where({ conversation_id: c.conversationId, direction: 'out' }).groupBy('client_id').count<{ n: string }[]>('* as n');
  t.true(perItem.every((r) => Number(r.n) === 1));
  await second.stop();
});

test('recurrence in APP_TIMEZONE: monthly on the 31st is month-end safe and does not drift; weekly keeps the wall clock', (t) => {
  const tz = 'America/Sao_Paulo';
  const anchor = new Date('2027-01-31T12:30:00.000Z'); // 09:30 in São Paulo
  const months = [0, 1, 2, 3, 12 + 1].map((k) => occurrenceAt(anchor, 'monthly', k, tz).toISOString());
  t.deepEqual(months, ['2027-01-31T12:30:00.000Z', '2027-02-28T12:30:00.000Z', '2027-03-31T12:30:00.000Z', '2027-04-30T12:30:00.000Z', '2028-02-29T12:30:00.000Z']);
  t.is(occurrenceAt(new Date('2027-03-05T02:00:00.000Z'), 'weekly', 1, tz).toISOString(), '2027-03-12T02:00:00.000Z'); // 23:00 local, the day before in UTC
  t.is(occurrenceAt(anchor, 'daily', 1, 'Asia/Tokyo').toISOString(), '2027-02-01T12:30:00.000Z');
  // A catch-up over many missed days sends the latest and passes over the rest.
  const due = dueOccurrence({ anchor, recurrence: 'daily', from: 0, repeatUntil: null, timeZone: tz }, new Date(anchor.getTime() + 3 * DAY + HOUR));
  t.like(due, { index: 3, passedOver: 3 });
  t.is(due.next!.at.toISOString(), '2027-02-04T12:30:00.000Z');
});

test('a monthly item through the worker: the next send_at is the same day next month, clamped', async (t) => {
  const c = await customer(10 * MIN);
  const res = await schedule({ conversationId: c.conversationId, content: { type: 'text', text: 'Sua fatura' }, sendAt: inMs(MIN), recurrence: 'monthly' });
  advance(2 * MIN);
  const row = await handled(res.body.id);
  t.is(row.status, 'pending');
  t.is(row.send_at.toISOString(), occurrenceAt(new Date(res.body.sendAt), 'monthly', 1, w.app.deps.config.APP_TIMEZONE).toISOString());
  t.deepEqual(kinds(c.phone), ['text:Sua fatura']);
  t.is((await w.app.api('POST', `/api/scheduled-messages/${res.body.id}/cancel`, { cookie: w.adminCookie })).status, 200);
});

test('edit and cancel rules; refusals with their codes', async (t) => {
  const c = await customer(10 * MIN);
  const base = { conversationId: c.conversationId, content: { type: 'text', text: 'Primeiro texto' } };

  const past = await schedule({ ...base, sendAt: inMs(-5 * MIN) });
  t.is(past.status, 422);
  t.is(past.body.error.code, 'send_at_in_past');
  t.is((await schedule({ ...base, sendAt: inMs(-10_000) })).status, 201, 'a few seconds late is still taken');
  const until = await schedule({ ...base, sendAt: inMs(HOUR), recurrence: 'daily', repeatUntil: inMs(MIN) });
  t.is(until.status, 422);
  t.is(until.body.error.code, 'repeat_until_before_send_at');
  const both = await schedule({ ...base, contactId: c.contactId, sendAt: inMs(HOUR) });
  t.is(both.status, 400);
  t.is(both.body.error.code, 'validation_failed');

  const res = await schedule({ ...base, sendAt: inMs(30 * MIN) });
  const id = res.body.id;
  const patched = await w.app.api('PATCH', `/api/scheduled-messages/${id}`, { cookie: w.adminCookie, body: { content: { type: 'text', text: 'Texto corrigido' }, sendAt: inMs(5 * MIN) } });
  t.is(patched.status, 200, patched.text);
  t.like(patched.body, { content: { type: 'text', text: 'Texto corrigido' }, status: 'pending' });
  const pastPatch = await w.app.api('PATCH', `/api/scheduled-messages/${id}`, { cookie: w.adminCookie, body: { sendAt: inMs(-HOUR) } });
  t.is(pastPatch.body.error.code, 'send_at_in_past');

  const other = await schedule({ ...base, content: { type: 'text', text: 'Será cancelado' }, sendAt: inMs(4 * MIN) });
  const cancelled = await w.app.api('POST', `/api/scheduled-messages/${other.body.id}/cancel`, { cookie: w.adminCookie });
  t.like(cancelled.body, { status: 'cancelled', cancelReason: 'cancelled_by_user' });
  const again = await w.app.api('POST', `/api/scheduled-messages/${other.body.id}/cancel`, { cookie: w.adminCookie });
  t.is(again.status, 409);
  t.is(again.body.error.code, 'schedule_not_editable');

  advance(6 * MIN);
  await handled(id);
  await handled(other.body.id);
  t.deepEqual(kinds(c.phone).sort(), ['text:Primeiro texto', 'text:Texto corrigido'], 'the edited text, and nothing of the cancelled one');
  const late = await w.app.api('PATCH', `/api/scheduled-messages/${id}`, { cookie: w.adminCookie, body: { content: { type: 'text', text: 'tarde demais' } } });
  t.is(late.status, 409);
  t.is(late.body.error.code, 'schedule_not_editable');
  t.is((await get('00000000-0000-4000-8000-000000000001')).status, 404);
});

test('visibility follows the conversation policy: team attendants and supervisors see their conversations\' items, others get 404', async (t) => {
  const c = await customer(10 * MIN, teamConnection);
  const mine = await schedule({ conversationId: c.conversationId, content: { type: 'text', text: 'Do time' }, sendAt: inMs(HOUR) }, cookies.ana);
  t.is(mine.status, 201, mine.text);
  const list = async (cookie: string) => (await w.app.api('GET', `/api/scheduled-messages?conversationId=${c.conversationId}`, { cookie })).body.items.map((i: { id: string }) => i.id);

  t.deepEqual(await list(cookies.bruno!), [mine.body.id], 'a teammate sees the unassigned conversation\'s item');
  t.deepEqual(await list(cookies.sara!), [mine.body.id]);
  t.deepEqual(await list(w.adminCookie), [mine.body.id]);
  t.deepEqual(await list(cookies.olga!), [], 'another team sees nothing');
  t.is((await get(mine.body.id, cookies.olga)).status, 404);
  t.is((await w.app.api('POST', `/api/scheduled-messages/${mine.body.id}/cancel`, { cookie: cookies.olga })).status, 404);
  t.is((await w.app.api('PATCH', `/api/scheduled-messages/${mine.body.id}`, { cookie: cookies.olga, body: { content: { type: 'text', text: 'x' } } })).status, 404);
  t.is((await schedule({ conversationId: c.conversationId, content: { type: 'text', text: 'x' }, sendAt: inMs(HOUR) }, cookies.olga)).status, 404);

  // Assigned to Bruno: Ana no longer sees the conversation, nor its items; the supervisor still does.
  const assigned = await w.app.api('POST', `/api/conversations/${c.conversationId}/assign`, { cookie: w.adminCookie, body: { userId: ids.bruno } });
  t.is(assigned.status, 200, assigned.text);
  t.deepEqual(await list(cookies.ana!), []);
  t.is((await get(mine.body.id, cookies.ana)).status, 404);
  t.deepEqual(await list(cookies.bruno!), [mine.body.id]);
  t.deepEqual(await list(cookies.sara!), [mine.body.id]);

  // To a contact with no conversation yet: seen by those who see the connection's unassigned conversations.
  const phone = phoneNumber();
  const contact = await upsertContact(db(), { connectionId: teamConnection, externalId: phone, matchKey: phone, profileName: 'Nova', fromCustomer: false, at: w.app.clock.now() });
  const toContact = await schedule({ connectionId: teamConnection, contactId: contact.id, content: { type: 'template', template: TEMPLATE }, sendAt: inMs(MIN) }, cookies.ana);
  t.is(toContact.status, 201, toContact.text);
  t.is(toContact.body.conversationId, null);
  t.is((await get(toContact.body.id, cookies.bruno)).status, 200);
  t.is((await get(toContact.body.id, cookies.olga)).status, 404);
  const pendingForOlga = (await w.app.api('GET', '/api/scheduled-messages?status=pending', { cookie: cookies.olga })).body.items;
  t.false(pendingForOlga.some((i: { id: string }) => i.id === toContact.body.id));
  // A text to a contact who never wrote cannot be refused later silently: it fails on the item.
  advance(2 * MIN);
  const sent = await handled(toContact.body.id);
  t.is(sent.status, 'sent');
  t.truthy(sent.conversation_id, 'the template opened a conversation in the connection\'s team');
  t.is((await db()('conversations').where({ id: sent.conversation_id }).first()).team_id, teamId);
  t.deepEqual(kinds(phone), ['template:lembrete_retorno']);
});

test('a synced template picked with its parameters (templateId, params) is checked and built when saved, and goes out as Meta\'s shape; as the fallback too', async (t) => {
  const tpl = async (name: string, status: string) => (await db()('message_templates').insert({
    connection_id: w.wa.id, provider_id: `tpl-${name}`, name, language: 'pt_BR', category: 'UTILITY', status, quality: 'GREEN',
    components: JSON.stringify([{ type: 'BODY', text: 'Olá {{1}}, seu pedido {{2}} está pronto.' }]),
  }).returning('id'))[0].id as string;
  const approved = await tpl('pedido_pronto_sched', 'APPROVED');
  const paused = await tpl('pedido_pausado_sched', 'PAUSED');
  const c = await customer(30 * HOUR);

  const missing = await schedule({ conversationId: c.conversationId, content: { type: 'template', templateId: approved, params: { 'body.1': 'Maria' } }, sendAt: inMs(HOUR) });
  t.is(missing.status, 422);
  t.like(missing.body.error, { code: 'template_params_invalid', slot: 'body.2' });
  const notApproved = await schedule({ conversationId: c.conversationId, content: { type: 'template', templateId: paused, params: { 'body.1': 'a', 'body.2': 'b' } }, sendAt: inMs(HOUR) });
  t.is(notApproved.body.error.code, 'template_not_approved');
  const otherConnections = await schedule({ conversationId: (await customer(HOUR, teamConnection)).conversationId, content: { type: 'template', templateId: approved, params: { 'body.1': 'a', 'body.2': 'b' } }, sendAt: inMs(HOUR) });
  t.is(otherConnections.status, 404, 'another connection\'s template is not found');
  const both = await schedule({ conversationId: c.conversationId, content: { type: 'template', templateId: approved, template: TEMPLATE }, sendAt: inMs(HOUR) });
  t.is(both.status, 400);
  t.regex(both.body.error.message, /content\.template: give template, or templateId/);
  const badFallback = await schedule({ conversationId: c.conversationId, content: { type: 'text', text: 'oi' }, fallbackTemplate: { templateId: approved, params: {} }, sendAt: inMs(HOUR) });
  t.like(badFallback.body.error, { code: 'template_params_invalid', slot: 'body.1' });

  const res = await schedule({ conversationId: c.conversationId, content: { type: 'template', templateId: approved, params: { 'body.1': 'Maria', 'body.2': '#4521' } }, sendAt: inMs(10 * MIN) });
  t.is(res.status, 201, res.text);
  t.deepEqual(res.body.content, {
    type: 'template', text: 'Olá Maria, seu pedido #4521 está pronto.',
    template: { name: 'pedido_pronto_sched', language: 'pt_BR', components: [{ type: 'body', parameters: [{ type: 'text', text: 'Maria' }, { type: 'text', text: '#4521' }] }] },
  });
  // A text whose window closed goes out as the fallback picked from the synced templates.
  const withFallback = await schedule({
    conversationId: c.conversationId, content: { type: 'text', text: 'Seu pedido chegou' }, sendAt: inMs(10 * MIN),
    fallbackTemplate: { templateId: approved, params: { 'body.1': 'Maria', 'body.2': '#4522' } },
  });
  t.is(withFallback.status, 201, withFallback.text);
  t.like(withFallback.body.fallbackTemplate, { name: 'pedido_pronto_sched', language: 'pt_BR' });
  const edited = await w.app.api('PATCH', `/api/scheduled-messages/${withFallback.body.id}`, {
    cookie: w.adminCookie, body: { fallbackTemplate: { templateId: approved, params: { 'body.1': 'Maria', 'body.2': '#4523' } } },
  });
  t.is(edited.status, 200, edited.text);
  t.is(edited.body.fallbackTemplate.components[0].parameters[1].text, '#4523');

  advance(11 * MIN);
  const row = await handled(res.body.id);
  await handled(withFallback.body.id);
  t.is(row.status, 'sent');
  t.deepEqual(kinds(c.phone), ['template:pedido_pronto_sched', 'template:pedido_pronto_sched']);
  const bodies = sentTo(c.phone).map((s) => s.body.template.components[0].parameters[1].text).sort();
  t.deepEqual(bodies, ['#4521', '#4523']);
  t.is((await db()('messages').where({ id: row.last_message_id }).first()).body, 'Olá Maria, seu pedido #4521 está pronto.', 'the conversation shows what the customer read');
});
