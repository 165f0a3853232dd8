/**
 * The out-of-office reply through the real stack (ANCHORS-wave2 §3.3 items 4-5): a calendar for the
 * connection made through the API, customers writing through signed webhooks, the worker answering.
 * One reply per conversation per closed period, none while open, none while a flow session runs.
 * The test clock is moved to precise local times in America/Sao_Paulo, computed from the current time.
 *
 * The clock moves less than 24 hours in all: ingest stamps a webhook's arrival with the database's own
 * clock (webhook_events.received_at), which the test clock does not move, so a customer message stamped
 * more than a day ahead of it is re-timed to it — and is then too old for the bot and past the 24-hour
 * window. Which closed periods the test uses (lunch or night) depends on when it runs.
 */
import anyTest from 'ava';
import { flowOf, shownText, startBotWorld, type BotWorld, type Customer } from './botSupport.js';

const test = anyTest.serial;
let w: BotWorld;

const TZ = 'America/Sao_Paulo';
const OOO = 'Estamos fora do horário (8h–12h e 13h30–18h). Respondemos assim que abrirmos!';
const wall = new Intl.DateTimeFormat('en-US', { timeZone: TZ, hourCycle: 'h23', hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** Seconds since local midnight in São Paulo at `d`. */
function localSeconds(d: Date): number {
  const p = Object.fromEntries(wall.formatToParts(d).map((x) => [x.type, x.value]));
  return Number(p.hour) * 3600 + Number(p.minute) * 60 + Number(p.second);
}
const localClock = (d: Date) => wall.format(d).slice(0, 5);

/** Moves the test clock forward to the next local `hh:mm` (never back), and checks it landed there. */
function advanceToLocal(hhmm: string): void {
  const target = Number(hhmm.slice(0, 2)) * 3600 + Number(hhmm.slice(3)) * 60;
  for (let i = 0; i < 3 && localClock(w.app.clock.now()) !== hhmm; i++) {
    const now = w.app.clock.now();
    let delta = target - localSeconds(now);
    if (delta <= 0) delta += 86_400;
    w.app.clock.advance(delta * 1000 - now.getMilliseconds() + 100); // a DST change would need a second round
  }
  if (localClock(w.app.clock.now()) !== hhmm) throw new Error(`clock at ${localClock(w.app.clock.now())}, wanted ${hhmm}`);
}

/** Customer messages carry the time of the (moved) clock, as Meta stamps them when they are sent. */
const say = (c: Customer, text: string) => c.say(text, { timestamp: w.app.clock.now().getTime() / 1000 });
const oooCount = (c: Customer) => c.received().filter((s) => shownText(s) === OOO).length;

anyTest.before(async () => {
  w = await startBotWorld();
  const day = [{ from: '08:00', to: '12:00' }, { from: '13:30', to: '18:00' }];
  const res = await w.app.api('POST', '/api/business-hours', {
    cookie: w.adminCookie,
    body: {
      name: 'Loja', timezone: TZ, connectionId: w.wa.id,
      // Every day alike and no holidays, so the date the suite runs on does not matter.
      week: Object.fromEntries(['1', '2', '3', '4', '5', '6', '7'].map((d) => [d, day])),
      nationalHolidays: false,
      outOfOffice: { enabled: true, text: OOO },
    },
  });
  if (res.status !== 201) throw new Error(`calendar: ${res.status} ${res.text}`);
});
anyTest.after.always(async () => { await w?.close(); });

const H = (hhmm: string) => Number(hhmm.slice(0, 2)) * 3600 + Number(hhmm.slice(3)) * 60;
/** Seconds left in the closed period at local second `s`, or null while open. */
function closedLeft(s: number): number | null {
  if (s >= H('18:00')) return 86_400 - s + H('08:00');
  if (s < H('08:00')) return H('08:00') - s;
  if (s >= H('12:00') && s < H('13:30')) return H('13:30') - s;
  return null;
}
/** The local times after `hhmm` where the calendar is next open and next closed (well inside each). */
const NEXT_OPEN: Record<string, string> = { '12:05': '13:35', '18:05': '08:05' };
const NEXT_CLOSED: Record<string, string> = { '13:35': '18:05', '08:05': '12:05' };

/** The plan, from when the test runs: a closed period now or next, the opening after it, the closed period after that. */
let plan: { first: string | null; open: string; second: string };
let ana: Customer;

test('five messages while closed get one out-of-office reply (per conversation)', async (t) => {
  const s = localSeconds(w.app.clock.now());
  const left = closedLeft(s);
  // Closed now with room to spare: this period. Otherwise the next one (lunch or evening).
  const first = left !== null && left > 15 * 60 ? null : s >= H('12:00') && s < H('18:05') ? '18:05' : '12:05';
  const firstAt = first ?? (s >= H('12:00') && s < H('13:30') ? '12:05' : '18:05');
  plan = { first, open: NEXT_OPEN[firstAt]!, second: NEXT_CLOSED[NEXT_OPEN[firstAt]!]! };
  if (plan.first) advanceToLocal(plan.first);
  t.not(closedLeft(localSeconds(w.app.clock.now())), null, `closed at ${localClock(w.app.clock.now())}`);

  ana = w.customer();
  const bia = w.customer();
  for (const text of ['oi', 'tem alguém?', 'queria um orçamento', 'de 3 bolos', 'para sábado']) await say(ana, text);
  await say(bia, 'boa noite');
  await say(bia, 'vocês entregam?');
  await ana.settled();
  await bia.settled();
  t.is(ana.received().length, 1);
  t.is(oooCount(ana), 1);
  t.is(oooCount(bia), 1, 'each conversation gets its own');
  const stored = await w.app.deps.db('messages').where({ conversation_id: (await ana.conversation()).id, origin: 'bot' }).select('body');
  t.deepEqual(stored.map((m) => m.body), [OOO], 'stored in the thread once');
  const taken = await w.app.deps.db('bot_inputs').where({ conversation_id: (await ana.conversation()).id }).pluck('outcome');
  t.deepEqual(taken.sort(), ['ignored:no_flow', 'ignored:no_flow', 'ignored:no_flow', 'ignored:no_flow', 'out_of_office']);
});

test('while open, none; the next closed period gets one more, once', async (t) => {
  advanceToLocal(plan.open);
  t.is(closedLeft(localSeconds(w.app.clock.now())), null);
  for (const text of ['bom dia', 'e o orçamento?', 'alô']) await say(ana, text);
  await ana.settled();
  t.is(oooCount(ana), 1, 'open: nothing');
  const open = await w.app.deps.db('bot_inputs').where({ conversation_id: (await ana.conversation()).id }).orderBy('created_at', 'desc').limit(3).pluck('outcome');
  t.deepEqual(open, ['ignored:no_flow', 'ignored:no_flow', 'ignored:no_flow'], 'taken by the bot and let through, not dropped as stale');

  advanceToLocal(plan.second);
  for (const text of ['fecharam?', 'ainda quero os bolos', 'ok']) await say(ana, text);
  await ana.settled();
  t.is(oooCount(ana), 2, 'the next closed period: one more');
  t.is(ana.received().length, 2);
});

test('while a flow session runs, no out-of-office reply; after it ends the closed period\'s one reply comes', async (t) => {
  w.app.clock.advance(10 * 60_000); // still inside the second closed period
  t.not(closedLeft(localSeconds(w.app.clock.now())), null);
  await w.flow({
    trigger: { type: 'keyword', keywords: [{ match: 'equals', value: 'pedido' }] },
    definition: flowOf([
      { id: 'start', type: 'start', data: {} },
      { id: 'q1', type: 'question', data: { text: 'Qual o número do pedido?', answerType: 'text' } },
      { id: 'q2', type: 'question', data: { text: 'E o seu nome?', answerType: 'text' } },
      { id: 'end', type: 'end', data: { text: 'Anotado, retornamos em breve.', resolve: false } },
    ], ['start.next>q1', 'q1.next>q2', 'q2.next>end']),
  });
  const caio = w.customer();
  await say(caio, 'pedido');
  await caio.waitFor(1);
  await say(caio, '12345');
  await caio.waitFor(2);
  await say(caio, 'Caio');
  await caio.waitFor(3);
  await caio.settled();
  t.deepEqual(caio.received().map(shownText), ['Qual o número do pedido?', 'E o seu nome?', 'Anotado, retornamos em breve.']);
  t.is(oooCount(caio), 0, 'the bot was talking: no out-of-office');

  await say(caio, 'obrigado');
  await caio.settled();
  t.is(oooCount(caio), 1, 'with no session running, the closed period\'s reply');
});
