import anyTest from 'ava';
import { igEnvelope, igQuickReply, postWebhook, waButtonReply, waEnvelope, waListReply, waMessagesValue } from '../../scripts/meta-simulator/webhooks.js';
import type { FlowOption } from '../src/bots/flowDefinition.js';
import { promptContent } from '../src/bots/prompt.js';
import { announceOutbound, queueOutboundInTransaction, queueOutboundMessage } from '../src/commands/sendMessage.js';
import { AppError } from '../src/errors.js';
import { conversationWith, sendCallsTo, startOutboundWorld, waitFor, waitForStatus, whatsappConnection, type OutboundWorld } from './outboundSupport.js';

const test = anyTest.serial;
let w: OutboundWorld;
let connection: string;
const PHONE_ID = '2000000077';
const APP_SECRET = 'app-secret-0123456789';

anyTest.before(async () => {
  w = await startOutboundWorld();
  connection = await whatsappConnection(w, PHONE_ID);
});
anyTest.after.always(async () => { await w?.close(); });

const opts = (n: number, title = (i: number) => `Opção ${i}`): FlowOption[] => Array.from({ length: n }, (_, i) => ({ id: `o${i + 1}`, title: title(i + 1) }));

/** What a bot does: the prompt for its channel, queued with origin bot. */
const botSends = (conversationId: string, channel: 'whatsapp' | 'instagram', text: string, options: FlowOption[], buttonLabel?: string) =>
  queueOutboundMessage(w.app.deps, { ...promptContent(channel, text, options, buttonLabel), conversationId, origin: 'bot' });

const sentTo = (to: string) => waitFor(`a send to ${to}`, async () => w.sim.sent.filter((s) => s.to === to).at(-1));

test('3 options go out as reply buttons; the customer\'s tap comes back with its id and the message it answers', async (t) => {
  const to = '5511970000001';
  const conv = await conversationWith(w, connection, to);
  const { message } = await botSends(conv, 'whatsapp', 'Como prefere pagar?', [{ id: 'pix', title: 'Pix' }, { id: 'card', title: 'Cartão de crédito' }, { id: 'boleto', title: 'Boleto' }]);
  t.is(message.type, 'interactive');
  t.is(message.origin, 'bot');
  t.is(message.body, 'Como prefere pagar?');
  t.deepEqual(message.payload, { interactive: { kind: 'button', options: [{ id: 'pix', title: 'Pix' }, { id: 'card', title: 'Cartão de crédito' }, { id: 'boleto', title: 'Boleto' }] } });
  const sent = await waitForStatus(w, message.id, 'sent');
  const [call] = sendCallsTo(w, to);
  t.deepEqual(call!.body, {
    messaging_product: 'whatsapp', recipient_type: 'individual', to, type: 'interactive', biz_opaque_callback_data: `atendo:m:${message.id}`,
    interactive: {
      type: 'button', body: { text: 'Como prefere pagar?' },
      action: { buttons: [
        { type: 'reply', reply: { id: 'pix', title: 'Pix' } },
        { type: 'reply', reply: { id: 'card', title: 'Cartão de crédito' } },
        { type: 'reply', reply: { id: 'boleto', title: 'Boleto' } },
      ] },
    },
  });
  const seen = (await sentTo(to)).shown!;
  t.is(seen.kind, 'button');
  t.deepEqual(seen.options.map((o) => o.title), ['Pix', 'Cartão de crédito', 'Boleto']);
  const c = await w.app.deps.db('conversations').where({ id: conv }).first();
  t.is(c.last_message_preview, 'Como prefere pagar?');

  // The customer taps "Cartão de crédito".
  const value = waMessagesValue({
    phoneNumberId: PHONE_ID, contacts: [{ waId: to, name: 'Cliente' }],
    messages: [waButtonReply(to, { id: 'card', title: 'Cartão de crédito' }, { id: sent.provider_message_id!, from: '15550783881' })],
  });
  const res = await postWebhook(`${w.app.url}/webhooks/whatsapp/${connection}`, waEnvelope([{ changes: [{ value }] }]), APP_SECRET);
  t.is(res.status, 200, res.text);
  const reply = await waitFor('the reply stored', () => w.app.deps.db('messages').where({ conversation_id: conv, direction: 'in' }).first());
  t.is(reply.type, 'interactive');
  t.is(reply.body, 'Cartão de crédito');
  t.like(reply.payload, { type: 'button_reply', id: 'card', title: 'Cartão de crédito', context: { id: sent.provider_message_id } });
});

test('7 options go out as a list with its button label; a list_reply is stored with its row id', async (t) => {
  const to = '5511970000002';
  const conv = await conversationWith(w, connection, to);
  const options = [...opts(6), { id: 'other', title: 'Outro assunto', description: 'Fale com uma pessoa' }];
  const { message } = await botSends(conv, 'whatsapp', 'Sobre o que quer falar?', options, 'Assuntos');
  await waitForStatus(w, message.id, 'sent');
  const [call] = sendCallsTo(w, to);
  t.is(call!.body.type, 'interactive');
  t.is(call!.body.interactive.type, 'list');
  t.is(call!.body.interactive.action.button, 'Assuntos');
  t.is(call!.body.interactive.action.sections.length, 1, 'one section');
  t.deepEqual(call!.body.interactive.action.sections[0].rows[6], { id: 'other', title: 'Outro assunto', description: 'Fale com uma pessoa' });
  const seen = (await sentTo(to)).shown!;
  t.is(seen.kind, 'list');
  t.is(seen.options.length, 7);

  const value = waMessagesValue({ phoneNumberId: PHONE_ID, messages: [waListReply(to, { id: 'other', title: 'Outro assunto', description: 'Fale com uma pessoa' })] });
  t.is((await postWebhook(`${w.app.url}/webhooks/whatsapp/${connection}`, waEnvelope([{ changes: [{ value }] }]), APP_SECRET)).status, 200);
  const reply = await waitFor('the reply stored', () => w.app.deps.db('messages').where({ conversation_id: conv, direction: 'in' }).first());
  t.like(reply.payload, { type: 'list_reply', id: 'other', title: 'Outro assunto' });
});

test('12 options go out as a numbered text', async (t) => {
  const to = '5511970000003';
  const conv = await conversationWith(w, connection, to);
  const { message } = await botSends(conv, 'whatsapp', 'Qual loja?', opts(12, (i) => `Loja ${i}`));
  t.is(message.type, 'text');
  await waitForStatus(w, message.id, 'sent');
  const [call] = sendCallsTo(w, to);
  t.is(call!.body.type, 'text');
  t.true(call!.body.text.body.startsWith('Qual loja?\n\n1. Loja 1\n2. Loja 2\n'));
  t.true(call!.body.text.body.endsWith('\n12. Loja 12'));
});

test('Instagram: 5 options go out as quick replies; a tapped one is stored with its payload', async (t) => {
  const accountId = '17841400000000077';
  w.sim.addInstagramAccount({ accountId, accessToken: 'IGQ-token-0077' });
  const created = await w.app.api('POST', '/api/connections', {
    cookie: w.admin,
    body: { channel: 'instagram', name: 'Insta bot', accountId, accessToken: 'IGQ-token-0077', appSecret: APP_SECRET, verifyToken: 'verify-me-please' },
  });
  t.is(created.status, 201, created.text);
  const customer = '6543210987650077';
  const conv = await conversationWith(w, created.body.id, customer);
  const { message } = await botSends(conv, 'instagram', 'Como prefere pagar?', opts(5));
  t.like(message.payload, { interactive: { kind: 'quick_replies' } });
  await waitForStatus(w, message.id, 'sent');
  const [call] = sendCallsTo(w, customer);
  t.deepEqual(call!.body, {
    recipient: { id: customer }, messaging_type: 'RESPONSE',
    message: { text: 'Como prefere pagar?', quick_replies: opts(5).map((o) => ({ content_type: 'text', title: o.title, payload: o.id })) },
  });
  t.is((await sentTo(customer)).shown!.kind, 'quick_replies');

  const event = igQuickReply({ accountId, senderId: customer, title: 'Opção 3', payload: 'o3' });
  t.is((await postWebhook(`${w.app.url}/webhooks/instagram/${created.body.id}`, igEnvelope([{ accountId, messaging: [event] }]), APP_SECRET)).status, 200);
  const reply = await waitFor('the reply stored', () => w.app.deps.db('messages').where({ conversation_id: conv, direction: 'in' }).first());
  t.is(reply.body, 'Opção 3');
  t.like(reply.payload, { quick_reply: { payload: 'o3' } });
});

test('only bots send interactive messages; Meta\'s limits are refused before anything is stored', async (t) => {
  const conv = await conversationWith(w, connection, '5511970000004');
  const content = { type: 'interactive' as const, text: 'Escolha', options: opts(2) };
  const agent = await t.throwsAsync(queueOutboundMessage(w.app.deps, { ...content, conversationId: conv, origin: 'agent' }), { instanceOf: AppError });
  t.is(agent!.status, 400);
  t.is(agent!.code, 'validation_failed');
  const http = await w.app.api('POST', `/api/conversations/${conv}/messages`, { cookie: w.admin, body: content });
  t.is(http.status, 400, 'the composer cannot send one either');
  t.is(http.body.error.code, 'validation_failed');

  const long = await t.throwsAsync(queueOutboundMessage(w.app.deps, { ...content, options: [{ id: 'a', title: 'a'.repeat(21) }], conversationId: conv, origin: 'bot' }), { instanceOf: AppError });
  t.is(long!.code, 'validation_failed');
  t.regex(long!.message, /options\.0\.title/);
  const many = await t.throwsAsync(queueOutboundMessage(w.app.deps, { ...content, options: opts(11), conversationId: conv, origin: 'bot' }), { instanceOf: AppError });
  t.regex(many!.message, /options: 1 to 10/);
  t.is((await w.app.deps.db('messages').where({ conversation_id: conv })).length, 0);

  // Outside the 24-hour window, like any free-form message.
  const late = await conversationWith(w, connection, '5511970000005', 25 * 3_600_000);
  const closed = await t.throwsAsync(botSends(late, 'whatsapp', 'Escolha', opts(2)), { instanceOf: AppError });
  t.is(closed!.code, 'outside_service_window');
});

test('a menu Meta refuses fails for good with Meta\'s reason (the simulator enforces the same limits)', async (t) => {
  // A stored rendering past our own checks (as one from before a limit changed would be): Meta's 131009.
  const conv = await conversationWith(w, connection, '5511970000006');
  const message = await w.app.deps.db.transaction(async (trx) => {
    const { message: m } = await queueOutboundInTransaction(w.app.deps, trx, { ...promptContent('whatsapp', 'Escolha', opts(2)), conversationId: conv, origin: 'bot' });
    await trx('messages').where({ id: m.id }).update({ payload: { interactive: { kind: 'button', options: [{ id: 'a', title: 'a'.repeat(21) }] } } });
    return m;
  });
  await announceOutbound(w.app.deps, message);
  const row = await waitForStatus(w, message.id, 'failed');
  t.is(row.error_code, '131009');
  t.regex(row.error_detail ?? '', /Button title length invalid/);
  t.is(row.attempts, 1, 'not retried');
});
