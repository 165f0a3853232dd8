/**
 * Human takeover through the real stack (ANCHORS-wave2 §1.8 item 5, item 6's bot-on-the-other-side):
 * every path by which a person takes a conversation leaves the bot silent for the customer's next
 * messages; "Assumir" and "Devolver ao robô" in the inbox; resolving ends the session; a plan without
 * chatbots ends sessions at their next step without a word; a customer that is itself a bot is dropped.
 */
import crypto from 'node:crypto';
import anyTest from 'ava';
import { postWebhook, waEchoValue, waEnvelope } from '../../scripts/meta-simulator/webhooks.js';
import { sendHeartbeat } from '../src/commands/licenseHeartbeat.js';
import { flowOf, shownText, startBotWorld, type BotWorld, type Customer } from './botSupport.js';
import { waitFor } from './inbound.js';

const test = anyTest.serial;
let w: BotWorld;
let anaId: string;
let adminId: string;
const db = () => w.app.deps.db;
const api = (method: string, route: string, body?: unknown) => w.app.api(method, route, { cookie: w.adminCookie, body });

const ASK = 'Em que posso ajudar?';

anyTest.before(async () => {
  w = await startBotWorld();
  anaId = await w.app.addUser({ email: 'ana@loja.com.br', role: 'admin', name: 'Ana' });
  adminId = (await db()('users').where({ email: 'admin@loja.com.br' }).first('id')).id;
  // A bot that answers every customer message: if it is not silent, it shows.
  await w.flow({
    settings: { burstMs: 0, maxNodeVisits: 100 },
    definition: flowOf([
      { id: 'start', type: 'start', data: {} },
      { id: 'q', type: 'question', data: { text: ASK, answerType: 'text', saveTo: { variable: 'x' } } },
      { id: 'm', type: 'message', data: { text: 'Anotado: {{x}}' } },
    ], ['start.next>q', 'q.next>m', 'm.next>q']),
  });
  await w.flow({
    priority: 1,
    trigger: { type: 'keyword', keywords: [{ match: 'equals', value: 'atendente' }] },
    definition: flowOf([
      { id: 'start', type: 'start', data: {} },
      { id: 't', type: 'transfer', data: { text: 'Vou te passar para um atendente.' } },
    ], ['start.next>t']),
  });
  await w.flow({
    priority: 2,
    trigger: { type: 'keyword', keywords: [{ match: 'equals', value: 'espera' }] },
    definition: flowOf([
      { id: 'start', type: 'start', data: {} },
      { id: 'd', type: 'delay', data: { seconds: 60 } },
      { id: 'm', type: 'end', data: { text: 'Voltei!', resolve: false } },
    ], ['start.next>d', 'd.next>m']),
  });
});
anyTest.after.always(async () => { await w?.close(); });

const botCount = async (c: Customer) => Number((await db()('messages').where({ conversation_id: (await c.conversation()).id, origin: 'bot' }).count<{ n: string }[]>('* as n'))[0]!.n);
const latest = async (c: Customer) => (await c.sessions())[0];

/** A customer the bot is talking to: it asked, and the session waits for an answer. */
async function inSession(): Promise<Customer> {
  const c = w.customer();
  await c.say('oi');
  t0(await c.waitFor(1));
  await waitFor(async () => (await latest(c))?.status === 'waiting_answer' || null, 10_000, 'the session waiting');
  return c;
}
const t0 = (sent: { body: unknown }[]) => { if (shownText(sent[0] as never) !== ASK) throw new Error(`unexpected first message ${shownText(sent[0] as never)}`); };

const AGENT_TEXT = 'Oi, aqui é a Ana. Já te ajudo.';
/** What the bot sent the customer at the simulator (the attendant's own message left out). */
const fromBot = (c: Customer) => c.received().filter((s) => s.body.type !== 'text' || s.body.text.body !== AGENT_TEXT).length;

/** The customer writes three more times; the bot must say nothing (counted at the simulator and in the thread). */
async function threeMoreGetNothing(t: { is(a: unknown, b: unknown, m?: string): void }, c: Customer, what: string) {
  const before = fromBot(c);
  const stored = await botCount(c);
  for (const text of ['alô?', 'tem alguém aí?', 'preciso de ajuda']) await c.say(text);
  await c.settled();
  t.is(fromBot(c), before, `${what}: no bot message reached the customer`);
  t.is(await botCount(c), stored, `${what}: no bot message was queued`);
}

test('(a) an attendant\'s message from the dashboard silences the bot, even while Meta is slow to accept it', async (t) => {
  const c = await inSession();
  const conv = await c.conversation();
  // Meta takes its time with the attendant's message: the customer writes meanwhile.
  w.sim.setLatency(1_500);
  try {
    const sent = await api('POST', `/api/conversations/${conv.id}/messages`, { type: 'text', text: AGENT_TEXT });
    t.is(sent.status, 202, sent.text);
    await threeMoreGetNothing(t, c, 'attendant message');
  } finally {
    w.sim.setLatency(0);
  }
  await waitFor(async () => (await db()('messages').where({ conversation_id: conv.id, origin: 'agent', status: 'sent' }).first('id')) ?? null, 15_000, 'the attendant message sent');
  t.like(await latest(c), { status: 'handed_off' });
  t.truthy((await c.conversation()).human_since);
  await threeMoreGetNothing(t, c, 'after it went out');
});

test('(b) an assignment to a person silences the bot', async (t) => {
  const c = await inSession();
  const res = await api('POST', `/api/conversations/${(await c.conversation()).id}/assign`, { userId: anaId });
  t.is(res.status, 200, res.text);
  await threeMoreGetNothing(t, c, 'assigned');
  t.like(await latest(c), { status: 'handed_off' });
  t.is((await c.conversation()).assignee_id, anaId);
});

test('(c) a transfer node hands off and the bot stays silent', async (t) => {
  const c = w.customer();
  await c.say('atendente');
  t.is(shownText((await c.waitFor(1))[0]!), 'Vou te passar para um atendente.');
  await waitFor(async () => (await latest(c))?.status === 'handed_off' || null, 10_000, 'handed off');
  t.like(await latest(c), { reason: 'transfer' });
  await threeMoreGetNothing(t, c, 'transfer node');
});

test('(d) an answer from the WhatsApp Business app on the same number (an echo) silences the bot', async (t) => {
  const c = await inSession();
  const echo = waEchoValue({ phoneNumberId: w.wa.externalId, displayPhoneNumber: '15550783881', to: c.phone, text: 'Respondi pelo celular' });
  const res = await postWebhook(w.wa.webhookUrl, waEnvelope([{ changes: [{ value: echo, field: 'smb_message_echoes' }] }]), w.wa.appSecret);
  t.is(res.status, 200);
  await threeMoreGetNothing(t, c, 'business app echo');
  t.like(await latest(c), { status: 'handed_off', reason: 'business_app_reply' });
  const stored = await db()('messages').where({ conversation_id: (await c.conversation()).id, origin: 'business_app' }).first('direction');
  t.is(stored?.direction, 'out');
});

test('"Assumir" stops the bot and assigns the actor; "Devolver ao robô" lets the bot answer the next message', async (t) => {
  const c = await inSession();
  const id = (await c.conversation()).id;
  const took = await api('POST', `/api/conversations/${id}/bot/take-over`);
  t.is(took.status, 200, took.text);
  t.is((await c.conversation()).assignee_id, adminId);
  t.like(await latest(c), { status: 'handed_off', reason: 'taken_over' });
  await threeMoreGetNothing(t, c, 'taken over');

  const back = await api('POST', `/api/conversations/${id}/bot/hand-back`);
  t.is(back.status, 200, back.text);
  t.like(await c.conversation(), { assignee_id: null, human_since: null });
  const before = c.received().length;
  await c.say('voltei');
  t.is(shownText((await c.waitFor(before + 1, 'the bot after the hand-back'))[before]!), ASK);
  const sessions = await c.sessions();
  t.is(sessions.length, 2, 'a new session');
  t.is(sessions[0]!.status, 'waiting_answer');
  t.is((await c.conversation()).id, id, 'in the same conversation');
});

test('a take-over heard late, after a quick hand-back, does not undo the hand-back', async (t) => {
  const c = await inSession();
  const id = (await c.conversation()).id;
  // The worker is away while someone takes the conversation and hands it straight back: its events wait.
  await w.worker.stop();
  t.is((await api('POST', `/api/conversations/${id}/bot/take-over`)).status, 200);
  t.is((await api('POST', `/api/conversations/${id}/bot/hand-back`)).status, 200);
  w.worker = await w.app.startWorker();
  // The customer's message comes after the take-over in commit order: when it is answered, the take-over was heard first.
  const before = c.received().length;
  await c.say('voltei');
  t.is(shownText((await c.waitFor(before + 1, 'the bot answering after the hand-back'))[before]!), ASK);
  t.like(await c.conversation(), { human_since: null, assignee_id: null }, 'still handed back');
});

test('resolving ends the session, and the customer\'s next conversation runs the bot again', async (t) => {
  const c = await inSession();
  const first = await c.conversation();
  t.is((await api('POST', `/api/conversations/${first.id}/resolve`)).status, 200);
  await waitFor(async () => (await db()('bot_sessions').where({ conversation_id: first.id }).first('status', 'reason'))?.status === 'ended' || null, 10_000, 'the session ended');
  t.like(await db()('bot_sessions').where({ conversation_id: first.id }).first('status', 'reason', 'due_at'), { status: 'ended', reason: 'resolved', due_at: null });
  t.is((await db()('conversations').where({ id: first.id }).first('bot_session_id')).bot_session_id, null);

  await c.say('oi de novo');
  t.is(shownText((await c.waitFor(2, 'the bot in the new conversation'))[1]!), ASK);
  const second = await c.conversation();
  t.not(second.id, first.id);
  t.is(second.status, 'open');
  t.is(second.bot_session_id, (await latest(c))!.id);
});

test('a customer that is itself a bot (answers within 3 s, 5 times in a row) ends the session; a person typing slower does not', async (t) => {
  const robot = await inSession();
  let n = 1;
  for (let i = 1; i <= 4; i++) {
    await robot.say(`resposta automática ${i}`);
    n += 2; // "Anotado" and the question again
    await robot.waitFor(n, `bot turn ${i}`);
  }
  await robot.say('resposta automática 5');
  await robot.settled();
  t.is(robot.received().length, n, 'the fifth quick answer gets nothing');
  t.like(await latest(robot), { status: 'ended', reason: 'customer_is_bot' });
  await threeMoreGetNothing(t, robot, 'after the bot was detected');

  const person = await inSession();
  let m = 1;
  for (let i = 1; i <= 6; i++) {
    w.app.clock.advance(4_000); // a person takes a few seconds to type
    await person.say(`resposta ${i}`);
    m += 2;
    await person.waitFor(m, `answer ${i}`);
  }
  t.is((await latest(person))!.status, 'waiting_answer');
});

test('a plan without chatbots ends running sessions at their next step or timer, without a word, and deletes nothing', async (t) => {
  const answering = await inSession();
  const waiting = w.customer();
  await waiting.say('espera');
  const delayed = await waitFor(async () => { const s = await latest(waiting); return s?.status === 'waiting_time' ? s : null; }, 10_000, 'the delay');
  const flowsBefore = await db()('flows').whereNull('deleted_at').orderBy('id').select('id', 'status', 'published_version_id');
  const versionsBefore = Number((await db()('flow_versions').count<{ n: string }[]>('* as n'))[0]!.n);
  const sessionsBefore = Number((await db()('bot_sessions').count<{ n: string }[]>('* as n'))[0]!.n);

  // The vendor moves the license to a plan without chatbots; the next heartbeat brings the lease.
  const licenses = await w.service.admin('GET', '/licenses');
  const licenseId = (licenses.body.items ?? licenses.body)[0].id;
  const plan = await w.service.admin('POST', '/plans', {
    code: `nobot-${crypto.randomBytes(3).toString('hex')}`, name: 'Básico',
    limits: { users: 50, connections: 20, messagesPerMonth: 1000, campaignsPerMonth: 4 },
    features: { instagram: true, chatbot: false, campaigns: true, api: true },
  });
  t.is((await w.service.admin('POST', `/licenses/${licenseId}/plan`, { planId: plan.body.id })).status, 200);
  t.is(await sendHeartbeat(w.app.deps), 'ok');
  await waitFor(async () => (await w.worker.deps.license.snapshot()).lease?.plan.features.chatbot === false || null, 10_000, 'the worker hears of the plan');

  const quietBefore = answering.received().length;
  await answering.say('quero saber do meu pedido');
  await answering.settled();
  w.app.clock.advance(delayed.due_at!.getTime() - w.app.clock.now().getTime() + 1_000);
  await waitFor(async () => (await latest(waiting))?.status === 'ended' || null, 10_000, 'the delayed session ended');
  await waitFor(async () => (await latest(answering))?.status === 'ended' || null, 10_000, 'the answering session ended');
  t.like(await latest(answering), { status: 'ended', reason: 'plan_feature_disabled' });
  t.like(await latest(waiting), { status: 'ended', reason: 'plan_feature_disabled', due_at: null });
  t.is(answering.received().length, quietBefore, 'no bot message');
  t.is(waiting.received().length, 0, 'the delay did not send "Voltei!"');
  t.is(await botCount(waiting), 0);

  const newcomer = w.customer();
  await newcomer.say('oi');
  await newcomer.settled();
  t.is(newcomer.received().length, 0, 'no flow starts');

  t.deepEqual(await db()('flows').whereNull('deleted_at').orderBy('id').select('id', 'status', 'published_version_id'), flowsBefore, 'flows stay as they were');
  t.is(Number((await db()('flow_versions').count<{ n: string }[]>('* as n'))[0]!.n), versionsBefore);
  t.is(Number((await db()('bot_sessions').count<{ n: string }[]>('* as n'))[0]!.n), sessionsBefore, 'sessions are ended, not deleted');
});
