import anyTest from 'ava';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import type { Socket } from 'socket.io-client';
import { clockEnv } from '../../installer/src/runtime/clockEnv.js';
import { postWebhook, waEnvelope, waMessagesValue, waText } from '../../scripts/meta-simulator/webhooks.js';
import { startInboundWorld, waitFor, type InboundWorld, type TestConnection } from './inbound.js';
import { PASSWORD, type TestAppliance } from './support.js';

const test = anyTest.serial;
let w: InboundWorld;
let wa: TestConnection;
let worker: Awaited<ReturnType<TestAppliance['startWorker']>>;

/**
 * The worker as its own process, as in production (the dev entry, trusting the test license service's key).
 * stop() asks it to stop gracefully (SIGTERM) and waits for it.
 */
function spawnWorker(env: Record<string, string> = {}) {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', path.resolve('server/src/entry/dev.ts'), 'worker'], {
    env: { PATH: process.env.PATH ?? '', ...clockEnv(), ...w.app.env, ATENDO_DEV_TRUSTED_KEYS_DIR: w.service.keysDir, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => { output = (output + d).slice(-4000); });
  child.stderr!.on('data', (d) => { output = (output + d).slice(-4000); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  return {
    exited,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

anyTest.before(async () => {
  w = await startInboundWorld();
  wa = await w.addWhatsApp();
});
anyTest.after.always(async () => {
  await w?.close();
});

const db = () => w.app.deps.db;
const phone = () => `55${crypto.randomInt(11, 99)}9${crypto.randomInt(60_000_000, 99_999_999)}`;
const textBody = (conn: TestConnection, from: string, text: string) => {
  const msg = waText(from, text) as { id: string };
  return { id: msg.id, body: waEnvelope([{ changes: [{ value: waMessagesValue({ phoneNumberId: conn.externalId, contacts: [{ waId: from }], messages: [msg] }) }] }]) };
};
const countMessages = async (providerId: string) =>
  Number((await db()('messages').where({ provider_message_id: providerId }).count<{ count: string }[]>('* as count'))[0]!.count);

// First, while no worker runs in this process: the crash test needs the job to reach the child worker.
test('a worker killed mid-job commits nothing, and the next worker stores the message exactly once', async (t) => {
  const from = phone();
  const { id, body } = textBody(wa, from, 'mensagem durante a queda');
  t.is((await postWebhook(wa.webhookUrl, body, wa.appSecret)).status, 200);

  const crashing = spawnWorker({ ATENDO_FAILPOINT: 'ingest.before_commit' });
  const code = await Promise.race([crashing.exited, new Promise<null>((r) => setTimeout(() => r(null), 40_000))]);
  if (code === null) await crashing.stop();
  const output = crashing.output();
  t.is(code, 137, `the worker died at the failpoint: ${output}`);
  t.is(await countMessages(id), 0, 'nothing of the batch was committed');
  t.falsy(await db()('contacts').where({ connection_id: wa.id, external_id: from }).first());
  const event = await db()('webhook_events').where({ connection_id: wa.id }).orderBy('id', 'desc').first();
  t.is(event.processed_at, null);

  worker = await w.app.startWorker();
  await waitFor(async () => (await countMessages(id)) === 1, 15_000, 'message stored by the next worker');
  await waitFor(async () => (await db()('webhook_events').where({ id: event.id }).first()).processed_at);
  await new Promise((r) => setTimeout(r, 500));
  t.is(await countMessages(id), 1);
});

test('the same body delivered three times (even at once) stores one message', async (t) => {
  const { id, body } = textBody(wa, phone(), 'Meta entrega de novo');
  const results = await Promise.all([1, 2, 3].map(() => postWebhook(wa.webhookUrl, body, wa.appSecret)));
  t.deepEqual(results.map((r) => r.status), [200, 200, 200]);
  t.is((await postWebhook(wa.webhookUrl, body, wa.appSecret)).status, 200);
  await waitFor(async () => !(await db()('webhook_events').whereNull('processed_at').first()), 15_000, 'all events processed');
  t.is(await countMessages(id), 1);
  const m = await db()('messages').where({ provider_message_id: id }).first();
  const conv = await db()('conversations').where({ id: m.conversation_id }).first();
  t.is(conv.unread_count, 1, 'redeliveries do not count as new messages');
});

test('Redis restarted while webhooks arrive: every webhook answered 200 ends stored exactly once', async (t) => {
  // A worker process of its own here: bee-queue's blocking reads back off (doubling, per lane) while Redis
  // is away and keep timers for hours; a real worker process is stopped with a signal, not left to drain.
  await worker.stop();
  const separate = spawnWorker();
  t.teardown(() => separate.stop());
  const sent: Array<{ id: string; status: number }> = [];
  const post = async (i: number) => {
    const { id, body } = textBody(wa, phone(), `mensagem ${i}`);
    const res = await postWebhook(wa.webhookUrl, body, wa.appSecret).catch(() => ({ status: 0, ms: 0 }));
    sent.push({ id, status: res.status });
    return res;
  };
  let i = 0;
  for (; i < 20; i++) await post(i);
  // The worker is up and working before Redis goes away (a worker that cannot reach Redis at start
  // exits, to be restarted by its supervisor).
  await waitFor(async () => Number((await db()('messages').whereIn('provider_message_id', sent.map((s) => s.id)).count<{ count: string }[]>('* as count'))[0]!.count) === 20, 30_000, 'the first messages stored');
  await w.app.redis.stop();
  const downAcks: number[] = [];
  // Down for a few seconds: long enough for every queue slot to fail and back off more than once.
  for (; i < 40; i++) {
    downAcks.push((await post(i)).ms);
    await new Promise((r) => setTimeout(r, 200));
  }
  await w.app.redis.start();
  for (; i < 60; i++) await post(i);

  const ok = sent.filter((s) => s.status === 200);
  t.is(ok.length, 60, 'the acknowledgement depends on PostgreSQL only');
  t.true(Math.max(...downAcks) < 2_000, `acks stay fast with Redis down (max ${Math.round(Math.max(...downAcks))} ms)`);
  await waitFor(async () => {
    const n = await db()('messages').whereIn('provider_message_id', ok.map((s) => s.id)).count<{ count: string }[]>('* as count');
    return Number(n[0]!.count) === ok.length;
  }, 30_000, 'every acknowledged message stored').catch((err) => { throw new Error(`${err.message}; worker said: ${separate.output()}`); });
  const dupes = await db()('messages').whereIn('provider_message_id', ok.map((s) => s.id))
    .groupBy('provider_message_id').havingRaw('count(*) > 1').select('provider_message_id');
  t.deepEqual(dupes, []);

  // The queue itself works again (not only the sweeper, which waits 3 s before taking an event):
  // bee-queue's back-off after Redis errors is capped (queues/queues.ts).
  const after = textBody(wa, phone(), 'depois do reinício');
  const postedAt = Date.now();
  t.is((await postWebhook(wa.webhookUrl, after.body, wa.appSecret)).status, 200);
  await waitFor(() => db()('messages').where({ provider_message_id: after.id }).first(), 10_000, 'the message after the restart');
  t.true(Date.now() - postedAt < 2_500, `stored through the queue in ${Date.now() - postedAt} ms`);
  await separate.stop();
  worker = await w.app.startWorker();
});

test('an attendant’s socket gets only the events of conversations they may see, and stops when it is assigned away', async (t) => {
  const teamA = (await w.app.api('POST', '/api/teams', { cookie: w.adminCookie, body: { name: 'Vendas' } })).body.id;
  const teamB = (await w.app.api('POST', '/api/teams', { cookie: w.adminCookie, body: { name: 'Suporte' } })).body.id;
  const connA = await w.addWhatsApp({ teamId: teamA });
  const connB = await w.addWhatsApp({ teamId: teamB });
  await w.app.addUser({ email: 'ana@loja.com.br', role: 'attendant', teamIds: [teamA] });
  const carla = await w.app.addUser({ email: 'carla@loja.com.br', role: 'attendant', teamIds: [teamA] });
  const anaSocket = await w.app.socket((await w.app.login('ana@loja.com.br', PASSWORD)).cookie);
  const adminSocket = await w.app.socket(w.adminCookie);
  const record = (s: Socket) => {
    const events: Array<{ event: string; conversationId: string; messageId?: string; conversation?: any }> = [];
    s.onAny((event: string, data: any) => {
      if (event === 'message:new' || event === 'message:updated') events.push({ event, conversationId: data.message.conversationId, messageId: data.message.id, conversation: data.conversation });
      else if (event === 'conversation:updated') events.push({ event, conversationId: data.conversation.id });
      else if (event === 'conversation:removed') events.push({ event, conversationId: data.id });
    });
    return events;
  };
  const ana = record(anaSocket);
  const admin = record(adminSocket);
  const stored = (providerId: string) => waitFor(() => db()('messages').where({ provider_message_id: providerId }).first(), 15_000, 'message');
  const adminSaw = (messageId: string) => waitFor(() => admin.some((e) => e.event === 'message:new' && e.messageId === messageId), 10_000, 'admin push');

  const a1 = textBody(connA, phone(), 'quero comprar');
  const b1 = textBody(connB, phone(), 'preciso de suporte');
  t.is((await postWebhook(connA.webhookUrl, a1.body, connA.appSecret)).status, 200);
  t.is((await postWebhook(connB.webhookUrl, b1.body, connB.appSecret)).status, 200);
  const [ma, mb] = [await stored(a1.id), await stored(b1.id)];
  await adminSaw(ma.id);
  await adminSaw(mb.id);
  await waitFor(() => ana.some((e) => e.event === 'message:new' && e.conversationId === ma.conversation_id), 5_000, 'ana message push');
  const pushed = ana.find((e) => e.event === 'message:new' && e.messageId === ma.id);
  t.truthy(pushed, 'team A’s unassigned conversation reaches its attendant');
  t.like(pushed!.conversation, { id: ma.conversation_id, lastMessagePreview: 'quero comprar', unreadCount: 1 }, 'a new message carries its conversation as it now stands');
  t.false(ana.some((e) => e.conversationId === mb.conversation_id), 'team B’s conversation never reaches her');

  const assigned = await w.app.api('POST', `/api/conversations/${ma.conversation_id}/assign`, { cookie: w.adminCookie, body: { userId: carla } });
  t.is(assigned.status, 200, assigned.text);
  await waitFor(() => ana.some((e) => e.event === 'conversation:removed' && e.conversationId === ma.conversation_id), 5_000, 'removed push');
  ana.length = 0;

  const a2 = textBody(connA, waFrom(a1.body), 'ainda estou aqui');
  t.is((await postWebhook(connA.webhookUrl, a2.body, connA.appSecret)).status, 200);
  const ma2 = await stored(a2.id);
  t.is(ma2.conversation_id, ma.conversation_id);
  await adminSaw(ma2.id);
  await new Promise((r) => setTimeout(r, 300));
  t.deepEqual(ana, [], 'once assigned to Carla, Ana hears nothing more of it');
});

function waFrom(body: any): string {
  return body.entry[0].changes[0].value.messages[0].from;
}
