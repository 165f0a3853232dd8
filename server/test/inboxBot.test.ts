/**
 * The inbox's "Robô" queue (issue #12 §2): conversations a bot flow is handling now, listed and counted
 * with the other queues under the same visibility rules, and what "Assumir" (take-over) and "Devolver ao
 * robô" (hand-back) do to it. Real stack: signed webhooks in, the worker's bot subscriber, Meta's simulator out.
 */
import anyTest from 'ava';
import { postWebhook, waEnvelope, waMessagesValue, waText } from '../../scripts/meta-simulator/webhooks.js';
import type { Actor } from '../src/policies/roles.js';
import { inboxCountsQuery, inboxQuery } from '../src/repositories/inbox.js';
import { flowOf, phoneNumber, shownText, startBotWorld, type BotWorld, type Customer } from './botSupport.js';
import { waitFor, type TestConnection } from './inbound.js';
import { PASSWORD } from './support.js';

const test = anyTest.serial;
let w: BotWorld;
let teamA: string;
let teamB: string;
/** A second WhatsApp number, in team B. */
let waB: TestConnection;
type Who = 'admin' | 'ana' | 'bia' | 'bruno' | 'carla';
const people = {} as Record<Who, { id: string; cookie: string; actor: Actor }>;

/** Customers by name: a..c write to the team A number, d to team B's. */
const cust: Record<string, Customer> = {};
const conv: Record<string, string> = {};

const menu = flowOf([
  { id: 'start', type: 'start', data: {} },
  { id: 'q', type: 'question', data: { text: 'Como posso ajudar?', answerType: 'option', options: [{ id: 'pedido', title: 'Meu pedido' }, { id: 'outro', title: 'Outro assunto' }] } },
  { id: 'fim', type: 'end', data: { text: 'Certo, já vou verificar.', resolve: false } },
], ['start.next>q', 'q.pedido>fim', 'q.outro>fim']);

anyTest.before(async () => {
  w = await startBotWorld();
  const api = (method: string, route: string, body?: unknown) => w.app.api(method, route, { cookie: w.adminCookie, body });
  teamA = (await api('POST', '/api/teams', { name: 'Vendas' })).body.id;
  teamB = (await api('POST', '/api/teams', { name: 'Suporte' })).body.id;
  const patched = await api('PATCH', `/api/connections/${w.wa.id}`, { teamId: teamA });
  if (patched.status !== 200) throw new Error(`connection team: ${patched.status} ${patched.text}`);
  waB = await w.addWhatsApp({ teamId: teamB });
  const add = async (who: Who, role: 'attendant' | 'supervisor', teamIds: string[]) => {
    const email = `${who}@loja.com.br`;
    const id = await w.app.addUser({ email, role, teamIds, name: who });
    people[who] = { id, cookie: (await w.app.login(email, PASSWORD)).cookie, actor: { id, role, teamIds } };
  };
  const me = await api('GET', '/api/auth/me');
  people.admin = { id: me.body.user.id, cookie: w.adminCookie, actor: { id: me.body.user.id, role: 'admin', teamIds: [] } };
  await add('ana', 'attendant', [teamA]);
  await add('bia', 'attendant', [teamA]);
  await add('bruno', 'attendant', [teamB]);
  await add('carla', 'supervisor', [teamA]);

  // Only customers who mention an order meet the bot, so "e" below is an ordinary conversation.
  await w.flow({ definition: menu, trigger: { type: 'keyword', keywords: [{ match: 'contains', value: 'pedido' }] } });
  for (const k of ['a', 'b', 'c']) cust[k] = w.customer();
  cust.d = customerOn(waB);
  for (const k of ['a', 'b', 'c', 'd']) await cust[k]!.say('Oi, quero saber do meu pedido');
  cust.e = w.customer();
  await cust.e.say('Bom dia, tudo bem?');
  for (const k of ['a', 'b', 'c', 'd', 'e']) conv[k] = (await cust[k]!.conversation()).id;
  for (const k of ['a', 'b', 'c', 'd']) await cust[k]!.waitFor(1, `the menu to ${k}`);
  for (const k of ['a', 'b', 'c', 'd', 'e']) await cust[k]!.settled();
});
anyTest.after.always(async () => { await w?.close(); });

/** A customer of another connection (botSupport's customers write to `w.wa`). */
function customerOn(c: TestConnection): Customer {
  const phone = phoneNumber();
  const db = () => w.app.deps.db;
  const conversation = () => waitFor(() => db()('conversations as c').join('contacts as ct', 'ct.id', 'c.contact_id')
    .where({ 'ct.external_id': phone, 'c.connection_id': c.id }).orderBy('c.created_at', 'desc')
    .first('c.id', 'c.human_since', 'c.bot_session_id', 'c.assignee_id', 'c.status', 'c.team_id'), 10_000, 'the conversation');
  const received = () => w.sim.sent.filter((s) => s.to === phone);
  const unused = () => { throw new Error('not needed here'); };
  return {
    phone,
    tap: unused,
    pick: unused,
    sessions: async () => db()('bot_sessions').where({ conversation_id: (await conversation()).id }).orderBy('started_at', 'desc').select('*'),
    say: async (text) => {
      const res = await postWebhook(c.webhookUrl, waEnvelope([{ changes: [{ value: waMessagesValue({ phoneNumberId: c.externalId, messages: [waText(phone, text)] }), field: 'messages' }] }]), c.appSecret);
      if (res.status !== 200) throw new Error(`webhook: ${res.status} ${res.text}`);
    },
    received,
    waitFor: (n, what) => waitFor(() => (received().length >= n ? received() : null), 15_000, what ?? `${n} bot messages to ${phone}`),
    conversation,
    settled: async () => {
      await waitFor(async () => {
        const { id } = await conversation();
        const pending = await db()('messages as m').leftJoin('bot_inputs as b', 'b.message_id', 'm.id')
          .where({ 'm.conversation_id': id, 'm.direction': 'in' }).whereNull('b.message_id').first('m.id');
        return !pending || null;
      }, 15_000, 'the bot to take every message');
    },
  };
}

const get = async (who: Who, route: string) => {
  const res = await w.app.api('GET', route, { cookie: people[who].cookie });
  if (res.status !== 200) throw new Error(`${who} ${route}: ${res.status} ${res.text}`);
  return res.body;
};
const names = (ids: string[]) => ids.map((id) => Object.entries(conv).find(([, v]) => v === id)?.[0] ?? '?').sort().join(' ');
const queue = async (who: Who, q: string, status = 'open') =>
  names((await get(who, `/api/conversations?queue=${q}&status=${status}&limit=100`)).items.map((i: { id: string }) => i.id));
const counts = (who: Who) => get(who, '/api/conversations/counts');
const post = (who: Who, id: string, action: 'take-over' | 'hand-back') =>
  w.app.api('POST', `/api/conversations/${id}/bot/${action}`, { cookie: people[who].cookie });

test('the bot queue lists exactly the conversations with a running session, per visibility, and counts them with the others', async (t) => {
  const sessions = await w.app.deps.db('bot_sessions').whereIn('conversation_id', Object.values(conv)).select('conversation_id', 'status');
  t.is(sessions.length, 4, 'a, b, c and d met the bot; e did not');
  t.true(sessions.every((s) => s.status === 'waiting_answer'));

  const expect: Record<Who, string> = { admin: 'a b c d', carla: 'a b c', ana: 'a b c', bia: 'a b c', bruno: 'd' };
  for (const [who, want] of Object.entries(expect) as Array<[Who, string]>) {
    t.is(await queue(who, 'bot'), want, `${who} queue=bot`);
    const c = await counts(who);
    t.deepEqual(c.bot, { total: want.split(' ').length, unread: want.split(' ').length }, `${who} counts.bot`);
    t.deepEqual(Object.keys(c), ['unassigned', 'mine', 'team', 'bot', 'all']);
  }
  t.is(await queue('admin', 'all'), 'a b c d e', 'the ordinary conversation is in "all", not in "bot"');
  t.is(await queue('admin', 'bot', 'resolved'), '');

  // The presenter says so on every item of the queue.
  const items = (await get('admin', '/api/conversations?queue=bot')).items;
  t.true(items.every((i: { botActive: boolean; humanSince: string | null }) => i.botActive && i.humanSince === null));
  t.false((await get('admin', `/api/conversations/${conv.e}`)).botActive);
});

test('an admin\'s bot queue is one range scan of conversations_bot, and its counts one pass', async (t) => {
  const db = w.app.deps.db;
  /** The scans a query's plan makes: "Index Scan conversations_bot", "Seq Scan conversations", "Sort"… */
  const plan = async (sql: string) => db.transaction(async (trx) => {
    // The table is tiny here, where a sequential scan is cheapest: forbid it to see which index the query fits.
    await trx.raw('set local enable_seqscan = off');
    const nodes: string[] = [];
    const walk = (n: { 'Node Type': string; 'Index Name'?: string; 'Relation Name'?: string; Plans?: unknown[] }) => {
      nodes.push(`${n['Node Type']} ${n['Index Name'] ?? n['Relation Name'] ?? ''}`.trim());
      (n.Plans as Array<typeof n> | undefined)?.forEach(walk);
    };
    walk((await trx.raw(`explain (format json) ${sql}`)).rows[0]['QUERY PLAN'][0].Plan);
    return nodes;
  });
  const admin = people.admin.actor;
  const listing = await plan(inboxQuery(db, admin, { queue: 'bot', status: 'open', limit: 30 })!.toString());
  // The page: a Limit straight over the partial index's ordered range (no sort of the queue); what sits
  // above it joins and orders those ≤ 30 rows, as for every other queue.
  const limit = listing.indexOf('Limit');
  t.regex(listing[limit + 1] ?? '', /^Index (Only )?Scan conversations_bot$/, listing.join(' > '));
  t.false(listing.slice(limit).some((n) => n.startsWith('Sort') || n.startsWith('Seq Scan') || n.startsWith('Bitmap')), listing.join(' > '));
  // An attendant's: an index on their slices or on conversations_bot, whichever the planner prefers
  // (scripts/bench/inbox.ts, at 100k conversations, shows a bitmap scan of conversations_bot); never the table.
  const ana = await plan(inboxQuery(db, people.ana.actor, { queue: 'bot', status: 'open', limit: 30 })!.toString());
  t.false(ana.some((n) => n.startsWith('Seq Scan')), ana.join(' > '));
  t.true(ana.some((n) => /conversations_(by_assignee|unassigned|bot)/.test(n)), ana.join(' > '));
  const counted = await plan(inboxCountsQuery(db, admin, 'open').toString());
  t.false(counted.some((n) => n.startsWith('Seq Scan')), counted.join(' > '));
});

test('take-over moves the conversation out of the bot queue into the taker\'s, and the bot stays quiet', async (t) => {
  const before = await counts('ana');
  const res = await post('ana', conv.a!, 'take-over');
  t.is(res.status, 200, res.text);
  t.like(res.body, { id: conv.a, botActive: false, assigneeId: people.ana.id });
  t.truthy(res.body.humanSince);
  t.is(await queue('ana', 'bot'), 'b c');
  t.is(await queue('admin', 'bot'), 'b c d');
  t.is(await queue('ana', 'mine'), 'a');
  t.is(await queue('bia', 'all'), 'b c e', 'assigned to Ana, Bia no longer sees it');
  const after = await counts('ana');
  t.is(after.bot.total, before.bot.total - 1);
  t.is(after.mine.total, before.mine.total + 1);
  t.like((await cust.a!.sessions())[0], { status: 'handed_off', reason: 'taken_over' });

  // The customer answers the menu: nobody but Ana answers now.
  const sent = cust.a!.received().length;
  await cust.a!.say('Meu pedido');
  await cust.a!.settled();
  t.is(cust.a!.received().length, sent, 'no bot reply after the take-over');
  t.is(await queue('admin', 'bot'), 'b c d');

  // Taking over one that is already someone's keeps its assignee (Ana's, as admin).
  const again = await post('admin', conv.a!, 'take-over');
  t.is(again.status, 200);
  t.is(again.body.assigneeId, people.ana.id);
});

test('hand-back clears the person and the assignee; the customer\'s next message brings the bot back into its queue', async (t) => {
  const res = await post('ana', conv.a!, 'hand-back');
  t.is(res.status, 200, res.text);
  t.like(res.body, { botActive: false, humanSince: null, assigneeId: null });
  t.is(await queue('ana', 'mine'), '');
  t.is(await queue('ana', 'unassigned'), 'a b c e', 'back in the team\'s queue');
  t.is(await queue('ana', 'bot'), 'b c', 'no session until the customer writes');

  const sent = cust.a!.received().length;
  await cust.a!.say('Ainda sobre o pedido');
  const got = await cust.a!.waitFor(sent + 1, 'the bot to answer again');
  t.is(shownText(got.at(-1)!), 'Como posso ajudar?');
  await waitFor(async () => ((await queue('ana', 'bot')) === 'a b c') || null, 10_000, 'a back in the bot queue');
  t.is((await counts('ana')).bot.total, 3);
});

test('an attendant of another team cannot see, take over or hand back a team\'s bot conversation (404)', async (t) => {
  for (const action of ['take-over', 'hand-back'] as const) {
    const res = await post('bruno', conv.b!, action);
    t.is(res.status, 404, action);
    t.is(res.body.error.code, 'not_found');
  }
  t.is((await w.app.api('GET', `/api/conversations/${conv.b}`, { cookie: people.bruno.cookie })).status, 404);
  t.is((await post('ana', conv.d!, 'take-over')).status, 404, 'and the other way round');
  t.is((await post('admin', '00000000-0000-4000-8000-000000000001', 'take-over')).status, 404);
  t.like((await cust.b!.sessions())[0], { status: 'waiting_answer' }, 'nothing changed for b');
  t.is(await queue('bruno', 'bot'), 'd');

  // Bruno may take his own team's.
  const own = await post('bruno', conv.d!, 'take-over');
  t.is(own.status, 200);
  t.is(await queue('bruno', 'bot'), '');
  t.is(await queue('admin', 'bot'), 'a b c');
  t.is((await counts('admin')).bot.total, 3);
});

test('queue=bot is a valid queue; others still are not', async (t) => {
  t.is((await w.app.api('GET', '/api/conversations?queue=bot', { cookie: people.ana.cookie })).status, 200);
  const bad = await w.app.api('GET', '/api/conversations?queue=robo', { cookie: people.ana.cookie });
  t.is(bad.status, 400);
  t.regex(bad.body.error.message, /^queue/);
});
