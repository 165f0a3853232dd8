/**
 * Bot timers through the real stack (ANCHORS-wave2 §1.8 item 1, §3.3 item 1): reminders and the
 * no-reply edge of a question, delays, all kept as `bot_sessions.due_at` and fired by the worker's
 * timer task. Time is moved with the test clock (the web and the worker share it); the sends are
 * counted at Meta's simulator.
 */
import anyTest from 'ava';
import { fireDueTimers } from '../src/queues/processors/bot.js';
import { flowOf, shownText, startBotWorld, type BotWorld, type Customer } from './botSupport.js';
import { waitFor } from './inbound.js';

const test = anyTest.serial;
let w: BotWorld;
const db = () => w.app.deps.db;

const REMIND = 'Ainda está aí? Qual o número do pedido?';
const BYE = 'Encerramos por falta de resposta.';

anyTest.before(async () => {
  w = await startBotWorld();
  // Each flow starts on its own keyword, so the tests' customers never meet another test's flow.
  await w.flow({
    trigger: { type: 'keyword', keywords: [{ match: 'equals', value: 'pedido' }] },
    definition: flowOf([
      { id: 'start', type: 'start', data: {} },
      { id: 'q', type: 'question', data: { text: 'Qual o número do pedido?', answerType: 'text', timeout: { seconds: 300, reminders: 2, reminderText: REMIND } } },
      { id: 'ok', type: 'end', data: { text: 'Obrigado!', resolve: false } },
      { id: 'bye', type: 'end', data: { text: BYE, resolve: false } },
    ], ['start.next>q', 'q.next>ok', 'q.timeout>bye']),
  });
  await w.flow({
    trigger: { type: 'keyword', keywords: [{ match: 'equals', value: 'espera' }] },
    definition: flowOf([
      { id: 'start', type: 'start', data: {} },
      { id: 'm1', type: 'message', data: { text: 'Vou verificar, um instante.' } },
      { id: 'd', type: 'delay', data: { seconds: 120 } },
      { id: 'm2', type: 'end', data: { text: 'Pronto: seu pedido saiu.', resolve: false } },
    ], ['start.next>m1', 'm1.next>d', 'd.next>m2']),
  });
});
anyTest.after.always(async () => { await w?.close(); });

type Session = Awaited<ReturnType<Customer['sessions']>>[number] & { reminders: number; steps: number };

const latest = async (c: Customer) => (await c.sessions())[0] as Session | undefined;
const sessionWhen = (c: Customer, ok: (s: Session) => boolean, what: string) =>
  waitFor(async () => { const s = await latest(c); return s && ok(s) ? s : null; }, 15_000, what);
/** The bot's messages in the customer's conversation, as stored (with the time the bot sent each). */
const botMessages = async (c: Customer) =>
  db()('messages').where({ conversation_id: (await c.conversation()).id, origin: 'bot' }).orderBy('at').select('id', 'at', 'body');
/** Moves the test clock to `at` plus a little (never back). */
const advanceTo = (at: Date, extraMs = 200) => {
  const d = at.getTime() - w.app.clock.now().getTime() + extraMs;
  if (d > 0) w.app.clock.advance(d);
};
/**
 * Nothing more can fire now: no session has a due time at or before the clock (every due timer was
 * claimed and committed) and no bot message waits to go out (the simulator has them all).
 */
const quiet = () => waitFor(async () => {
  const due = await db()('bot_sessions').where('due_at', '<=', w.app.clock.now()).first('id');
  const queued = await db()('messages').where({ origin: 'bot', status: 'queued' }).first('id');
  return (!due && !queued) || null;
}, 15_000, 'due timers fired and bot messages sent');

const within = (t: { true(v: boolean, m?: string): void }, at: Date, due: Date, what: string) =>
  t.true(at.getTime() >= due.getTime() && at.getTime() - due.getTime() < 5_000, `${what}: sent ${at.toISOString()}, due ${due.toISOString()}`);

test('no reply: reminders at T+300 and T+600 from the stored due time, then the timeout edge exactly once', async (t) => {
  const c = w.customer();
  await c.say('pedido');
  await c.waitFor(1);
  const [asked] = await botMessages(c);
  const s0 = await sessionWhen(c, (s) => s.status === 'waiting_answer' && !!s.due_at, 'the question waiting');
  t.true(Math.abs(s0.due_at!.getTime() - asked!.at.getTime() - 300_000) < 1_000, 'due 300 s after the question');

  // Short of the due time: nothing.
  advanceTo(new Date(s0.due_at!.getTime() - 30_000));
  await quiet();
  t.is(c.received().length, 1);

  advanceTo(s0.due_at!);
  t.is(shownText((await c.waitFor(2, 'the first reminder'))[1]!), REMIND);
  const first = (await botMessages(c))[1]!;
  within(t, first.at, s0.due_at!, 'first reminder');
  const s1 = await sessionWhen(c, (s) => s.reminders === 1, 'one reminder spent');
  t.is(s1.status, 'waiting_answer');
  t.true(Math.abs(s1.due_at!.getTime() - asked!.at.getTime() - 600_000) < 5_000, 'the second reminder is due at T+600');

  advanceTo(new Date(s1.due_at!.getTime() - 30_000));
  await quiet();
  t.is(c.received().length, 2);
  advanceTo(s1.due_at!);
  t.is(shownText((await c.waitFor(3, 'the second reminder'))[2]!), REMIND);
  within(t, (await botMessages(c))[2]!.at, s1.due_at!, 'second reminder');
  const s2 = await sessionWhen(c, (s) => s.reminders === 2, 'two reminders spent');

  advanceTo(s2.due_at!);
  t.is(shownText((await c.waitFor(4, 'the timeout edge'))[3]!), BYE);
  within(t, (await botMessages(c))[3]!.at, s2.due_at!, 'timeout edge');
  t.like(await latest(c), { status: 'ended', reason: 'completed', due_at: null });

  // Hours later, nothing more: the edge ran once.
  w.app.clock.advance(3_600_000);
  await quiet();
  t.deepEqual(c.received().map(shownText), ['Qual o número do pedido?', REMIND, REMIND, BYE]);
  t.is((await botMessages(c)).length, 4);
});

test('an answer before the due time cancels the timer: nothing fires later', async (t) => {
  const c = w.customer();
  await c.say('pedido');
  await c.waitFor(1);
  const s0 = await sessionWhen(c, (s) => s.status === 'waiting_answer' && !!s.due_at, 'the question waiting');
  advanceTo(new Date(s0.due_at!.getTime() - 60_000));
  await c.say('12345');
  t.is(shownText((await c.waitFor(2))[1]!), 'Obrigado!');
  t.like(await latest(c), { status: 'ended', due_at: null });

  // Past the first due time, the second and the timeout's: nothing.
  advanceTo(new Date(s0.due_at!.getTime() + 3 * 300_000 + 60_000));
  await quiet();
  t.deepEqual(c.received().map(shownText), ['Qual o número do pedido?', 'Obrigado!']);

  // A reminder already sent is cancelled the same way by a late answer.
  const d = w.customer();
  await d.say('pedido');
  await d.waitFor(1);
  const r0 = await sessionWhen(d, (s) => s.status === 'waiting_answer' && !!s.due_at, 'the question waiting');
  advanceTo(r0.due_at!);
  await d.waitFor(2, 'a reminder');
  const r1 = await sessionWhen(d, (s) => s.reminders === 1, 'one reminder');
  await d.say('777');
  t.is(shownText((await d.waitFor(3))[2]!), 'Obrigado!');
  advanceTo(new Date(r1.due_at!.getTime() + 2 * 300_000));
  await quiet();
  t.deepEqual(d.received().map(shownText), ['Qual o número do pedido?', REMIND, 'Obrigado!']);
});

test('a delay waits for its due time, kept in bot_sessions.due_at: a worker started after the delay began fires it', async (t) => {
  const c = w.customer();
  await c.say('espera');
  await c.waitFor(1);
  const [said] = await botMessages(c);
  const s = await sessionWhen(c, (x) => x.status === 'waiting_time', 'the delay waiting');
  t.is(s.node_id, 'd');
  t.true(Math.abs(s.due_at!.getTime() - said!.at.getTime() - 120_000) < 1_000, 'due 120 s after the message before it');

  // The worker that saw the delay begin goes away; a new one knows only the database.
  await w.worker.stop();
  w.worker = await w.app.startWorker();

  advanceTo(new Date(s.due_at!.getTime() - 20_000));
  await quiet();
  t.is(c.received().length, 1, 'not before its time');
  advanceTo(s.due_at!);
  t.is(shownText((await c.waitFor(2, 'the message after the delay'))[1]!), 'Pronto: seu pedido saiu.');
  within(t, (await botMessages(c))[1]!.at, s.due_at!, 'after the delay');
  t.like(await latest(c), { status: 'ended', reason: 'completed', due_at: null });
});

test('catch-up: with the worker stopped past several due times, the worker started again fires each due timer once', async (t) => {
  const asking = [w.customer(), w.customer(), w.customer()];
  const waiting = [w.customer(), w.customer(), w.customer()];
  for (const c of asking) await c.say('pedido');
  for (const c of waiting) await c.say('espera');
  for (const c of [...asking, ...waiting]) await c.waitFor(1);
  for (const c of asking) await sessionWhen(c, (s) => s.status === 'waiting_answer' && !!s.due_at, 'asking');
  for (const c of waiting) await sessionWhen(c, (s) => s.status === 'waiting_time', 'waiting');
  await quiet();

  await w.worker.stop();
  // Ten minutes past the questions' due time (T+300) and thirteen past the delays' (T+120).
  w.app.clock.advance(900_000);
  const due = await db()('bot_sessions').where('due_at', '<=', w.app.clock.now()).pluck('id');
  t.is(due.length, 6, 'six timers are due while no worker runs');
  t.true([...asking, ...waiting].every((c) => c.received().length === 1), 'nobody fires them meanwhile');

  const restartedAt = w.app.clock.now();
  w.worker = await w.app.startWorker();
  for (const c of [...asking, ...waiting]) await c.waitFor(2, 'the caught-up timer');
  await quiet();
  for (const c of asking) {
    t.deepEqual(c.received().map(shownText), ['Qual o número do pedido?', REMIND], 'one reminder, not the ones a timer in memory would have piled up');
    const s = (await latest(c))!;
    t.like(s, { status: 'waiting_answer', reminders: 1 });
    t.true(s.due_at!.getTime() - restartedAt.getTime() >= 300_000, 'the next reminder counts from when this one went out');
  }
  for (const c of waiting) {
    t.deepEqual(c.received().map(shownText), ['Vou verificar, um instante.', 'Pronto: seu pedido saiu.']);
    t.like(await latest(c), { status: 'ended', reason: 'completed' });
  }
  t.is((await db()('bot_sessions').where('due_at', '<=', w.app.clock.now())).length, 0, 'none left due');
});

test('two workers at once never fire one timer twice', async (t) => {
  const second = await w.app.startWorker();
  try {
    const people = Array.from({ length: 8 }, () => w.customer());
    for (const c of people) await c.say('pedido');
    for (const c of people) await c.waitFor(1);
    const sessions = await Promise.all(people.map((c) => sessionWhen(c, (s) => s.status === 'waiting_answer' && !!s.due_at, 'asking')));
    advanceTo(new Date(Math.max(...sessions.map((s) => s.due_at!.getTime()))));
    // Both workers' timer tasks run every 250 ms; these extra passes make them overlap for certain.
    await Promise.all([fireDueTimers(w.worker.deps), fireDueTimers(second.deps), fireDueTimers(w.worker.deps), fireDueTimers(second.deps)]);
    for (const c of people) await c.waitFor(2, 'the reminder');
    await quiet();
    for (const c of people) {
      t.deepEqual(c.received().map(shownText), ['Qual o número do pedido?', REMIND]);
      t.is((await botMessages(c)).length, 2);
      t.like(await latest(c), { status: 'waiting_answer', reminders: 1, steps: 2 });
    }
  } finally {
    await second.stop();
  }
});

test('more timers due at once than fit one batch: each fires exactly once, in one pass of the timer task', async (t) => {
  const people = Array.from({ length: 120 }, () => w.customer());
  for (const c of people) await c.say('pedido');
  for (const c of people) await c.waitFor(1);
  const sessions = await Promise.all(people.map((c) => sessionWhen(c, (s) => s.status === 'waiting_answer' && !!s.due_at, 'asking')));
  const ids = sessions.map((s) => s.id);
  // All due at one instant; the worker's own task and an extra pass race for them.
  const due = new Date(w.app.clock.now().getTime() + 60_000);
  await db()('bot_sessions').whereIn('id', ids).update({ due_at: due });
  advanceTo(due);
  await Promise.all([fireDueTimers(w.worker.deps), fireDueTimers(w.worker.deps)]);
  t.is((await db()('bot_sessions').whereIn('id', ids).where('due_at', '<=', due)).length, 0, 'none left due after one pass');
  for (const c of people) await c.waitFor(2, 'the reminder');
  await quiet();
  for (const c of people) {
    t.deepEqual(c.received().map(shownText), ['Qual o número do pedido?', REMIND]);
    t.like(await latest(c), { status: 'waiting_answer', reminders: 1, steps: 2 });
  }
});

test('a session whose step cannot be stored does not hold back the timers due with it', async (t) => {
  const people = Array.from({ length: 6 }, () => w.customer());
  for (const c of people) await c.say('pedido');
  for (const c of people) await c.waitFor(1);
  const sessions = await Promise.all(people.map((c) => sessionWhen(c, (s) => s.status === 'waiting_answer' && !!s.due_at, 'asking')));
  const [bad, ...good] = sessions;
  const due = new Date(w.app.clock.now().getTime() + 60_000);
  await db()('bot_sessions').whereIn('id', sessions.map((s) => s.id)).update({ due_at: due });
  // The database refuses that one session's next state (as it would a value it cannot store).
  await db().raw(`create function refuse_bad_session() returns trigger language plpgsql as $$
    begin if new.id = '${bad!.id}' and new.reminders > old.reminders then raise exception 'refused for the test'; end if; return new; end $$`);
  await db().raw(`create trigger refuse_bad_session before update on bot_sessions for each row execute function refuse_bad_session()`);
  try {
    advanceTo(due);
    await t.throwsAsync(fireDueTimers(w.worker.deps), { message: /refused for the test/ }, 'the failure is reported to the task');
    for (const c of people.slice(1)) await c.waitFor(2, 'the reminder, fired in spite of the bad session');
    t.like((await db()('bot_sessions').where({ id: bad!.id }).first()), { reminders: 0, status: 'waiting_answer' }, 'the bad one did not fire');
    t.is(people[0]!.received().length, 1);
  } finally {
    await db().raw('drop trigger refuse_bad_session on bot_sessions');
    await db().raw('drop function refuse_bad_session()');
  }
  // Once it can be stored, it fires on the next pass: late, once.
  await people[0]!.waitFor(2, 'the bad session\'s reminder, once it can be stored');
  await quiet();
  for (const c of people) t.deepEqual(c.received().map(shownText), ['Qual o número do pedido?', REMIND]);
  t.true(good.length === 5);
});
