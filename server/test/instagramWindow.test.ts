/**
 * Instagram's messaging window through the real stack: replies within 24 hours of the customer's last
 * message go untagged; an attendant's reply up to 7 days after it goes tagged HUMAN_AGENT; later, or from a
 * bot, it is refused with a stable code. Meta's simulator holds its sends to the same window (it refuses an
 * untagged send after 24 h and a tagged one after 7 days), on the appliance's test clock.
 */
import anyTest from 'ava';
import { igEnvelope, igMessage, postWebhook } from '../../scripts/meta-simulator/webhooks.js';
import { flowOf, startBotWorld, type BotWorld } from './botSupport.js';
import { waitFor, type TestConnection } from './inbound.js';

const test = anyTest.serial;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
let w: BotWorld;
let ig: TestConnection;
let seq = 0;
const db = () => w.app.deps.db;

anyTest.before(async () => {
  w = await startBotWorld();
  ig = await w.addInstagram();
  w.sim.setClock(w.app.clock.now);
  // A bot that answers, then speaks again three days later (a delay node): past the 24 hours.
  await w.flow({
    trigger: { type: 'keyword', keywords: [{ match: 'equals', value: 'prazo' }] },
    definition: flowOf([
      { id: 'start', type: 'start', data: {} },
      { id: 'm1', type: 'message', data: { text: 'Vou verificar o prazo.' } },
      { id: 'd', type: 'delay', data: { seconds: 3 * 86_400 } },
      { id: 'm2', type: 'end', data: { text: 'Ainda precisa de ajuda?', resolve: false } },
    ], ['start.next>m1', 'm1.next>d', 'd.next>m2']),
  });
});
anyTest.after.always(async () => { await w?.close(); });

/** An Instagram user who wrote `agoMs` ago (as Meta's webhook says, and as the simulator knows); their conversation id. */
async function customerWrote(agoMs: number, text = 'Oi, vocês têm esse modelo?'): Promise<{ userId: string; conversationId: string }> {
  const userId = `69${Date.now() % 1e8}${String(seq++).padStart(4, '0')}`;
  const at = new Date(w.app.clock.now().getTime() - agoMs);
  w.sim.instagramUserWrote({ accountId: ig.externalId, userId, at });
  const res = await postWebhook(ig.webhookUrl, igEnvelope([{ accountId: ig.externalId, messaging: [igMessage({ accountId: ig.externalId, senderId: userId, text, timestamp: at.getTime() })] }]), ig.appSecret);
  if (res.status !== 200) throw new Error(`webhook ${res.status}`);
  const conv = await waitFor(async () => (await db()('conversations as c').join('contacts as k', 'k.id', 'c.contact_id').where('k.external_id', userId).first('c.id', 'c.last_inbound_at')) ?? null, 15_000, 'the conversation');
  return { userId, conversationId: conv.id };
}

const reply = (conversationId: string, text: string) =>
  w.app.api('POST', `/api/conversations/${conversationId}/messages`, { cookie: w.adminCookie, body: { type: 'text', text } });
const settled = (id: string) => waitFor(async () => {
  const m = await db()('messages').where({ id }).first();
  return m.status !== 'queued' ? m : null;
}, 15_000, `message ${id} sent or failed`);
const sendsTo = (userId: string) => w.sim.sent.filter((s) => s.to === userId);

test('23 hours after the customer wrote: an attendant\'s reply goes untagged (messaging_type RESPONSE)', async (t) => {
  const { userId, conversationId } = await customerWrote(23 * HOUR);
  const conv = await w.app.api('GET', `/api/conversations/${conversationId}`, { cookie: w.adminCookie });
  t.is(Date.parse(conv.body.humanAgentWindowEndsAt) - Date.parse(conv.body.serviceWindowEndsAt), 6 * DAY, 'the dashboard is told both windows');
  const res = await reply(conversationId, 'Temos sim!');
  t.is(res.status, 202, res.text);
  t.is((await settled(res.body.id)).status, 'sent');
  const [sent] = sendsTo(userId);
  t.is(sent!.body.messaging_type, 'RESPONSE');
  t.false('tag' in sent!.body);
  t.is(sent!.tag, null);
});

test('3 days after: an attendant\'s reply goes tagged HUMAN_AGENT and Meta takes it', async (t) => {
  const { userId, conversationId } = await customerWrote(3 * DAY);
  const res = await reply(conversationId, 'Desculpe a demora: o modelo chegou.');
  t.is(res.status, 202, res.text);
  const m = await settled(res.body.id);
  t.is(m.status, 'sent', `${m.error_code}: ${m.error_detail}`);
  const [sent] = sendsTo(userId);
  t.like(sent!.body, { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT', message: { text: 'Desculpe a demora: o modelo chegou.' } });
  t.is(sent!.tag, 'HUMAN_AGENT');
  t.is(m.provider_message_id, sent!.id);
});

test('8 days after: refused with outside_human_agent_window, nothing stored or sent', async (t) => {
  const { userId, conversationId } = await customerWrote(8 * DAY);
  const res = await reply(conversationId, 'Ainda tem interesse?');
  t.is(res.status, 422);
  t.is(res.body.error.code, 'outside_human_agent_window');
  t.regex(res.body.error.message, /7-day human agent window closed/);
  const conv = await db()('conversations').where({ id: conversationId }).first('last_inbound_at');
  t.is(Date.parse(res.body.error.windowEndedAt), conv.last_inbound_at.getTime() + 7 * DAY);
  t.is((await db()('messages').where({ conversation_id: conversationId, direction: 'out' })).length, 0);
  t.is(sendsTo(userId).length, 0);
});

test('the 7 days are Instagram\'s: a WhatsApp reply 3 days after is refused with outside_service_window', async (t) => {
  const c = w.customer();
  await c.say('Oi', { timestamp: Math.floor((w.app.clock.now().getTime() - 3 * DAY) / 1000) });
  const conv = await c.conversation();
  const res = await reply(conv.id, 'Olá!');
  t.is(res.status, 422);
  t.is(res.body.error.code, 'outside_service_window');
});

test('a bot step 3 days after the customer wrote keeps the 24 hours: refused, the bot stops with outside_service_window, nothing more sent', async (t) => {
  const { userId, conversationId } = await customerWrote(0, 'prazo');
  await waitFor(() => (sendsTo(userId).length === 1 ? true : null), 15_000, 'the bot\'s first message');
  const waiting = await waitFor(async () => (await db()('bot_sessions').where({ conversation_id: conversationId, status: 'waiting_time' }).first()) ?? null, 15_000, 'the delay');
  w.app.clock.advance(waiting.due_at.getTime() - w.app.clock.now().getTime() + 1_000);
  const ended = await waitFor(async () => {
    const s = await db()('bot_sessions').where({ id: waiting.id }).first();
    return s.status !== 'waiting_time' ? s : null;
  }, 30_000, 'the timer fired');
  t.like(ended, { status: 'failed', reason: 'outside_service_window' });
  t.is(sendsTo(userId).length, 1, 'nothing tagged HUMAN_AGENT for a bot');
  t.is((await db()('messages').where({ conversation_id: conversationId, origin: 'bot' })).length, 1);
});
