import anyTest from 'ava';
import { monthPeriod } from '../src/lib/monthPeriod.js';
import {
  classifyGraphFailure, MAX_SEND_ATTEMPTS, MAX_SPAM_DEFERRALS, nextSendStep, RETRY_CAP_MS, type FailureKind,
} from '../src/messaging/graphErrors.js';
import { readCounter } from '../src/repositories/usageCounters.js';
import {
  conversationWith, messageRow, sendCallsTo, sendText, sleep, startOutboundWorld, waitFor, waitForStatus, whatsappConnection,
  type OutboundWorld,
} from './outboundSupport.js';

// ───────── the decision table (pure) ─────────

const table: Array<[httpStatus: number, code: number, kind: FailureKind, why: string]> = [
  [400, 130429, 'retry', 'throughput reached'],
  [400, 131056, 'retry', 'pair rate limit'],
  [400, 4, 'retry', 'app rate limit'],
  [400, 80007, 'retry', 'rate limit'],
  [429, 999, 'retry', 'HTTP 429 whatever the code'],
  [503, 2, 'retry', 'service unavailable'],
  [500, 12345, 'retry', 'any 5xx'],
  [0, -1, 'retry', 'Meta not reached'],
  [400, 131048, 'spam', 'spam rate limit'],
  [400, 131049, 'spam', 'ecosystem engagement'],
  [400, 131047, 'permanent', 'outside the 24-hour window'],
  [400, 130472, 'permanent', 'experiment'],
  [400, 131026, 'permanent', 'undeliverable'],
  [400, 131021, 'permanent', 'recipient is the sender'],
  [400, 131051, 'permanent', 'unsupported type'],
  [400, 131052, 'permanent', 'media download'],
  [400, 131053, 'permanent', 'media upload'],
  [400, 132000, 'permanent', 'template parameter count'],
  [400, 132069, 'permanent', 'template flow'],
  [400, 100, 'permanent', 'invalid parameter'],
  [401, 190, 'permanent', 'token'],
  [403, 10, 'permanent', 'permission'],
  [403, 200, 'permanent', 'permission'],
  [400, 368, 'permanent', 'blocked'],
  [400, 131031, 'permanent', 'account locked'],
  [400, 131050, 'permanent', 'marketing stopped'],
  [400, 133010, 'permanent', 'not registered'],
  [400, 470, 'permanent', 'legacy window'],
  [500, 131047, 'permanent', 'a permanent code is permanent even on a 5xx'],
  [404, 999999, 'permanent', 'any other 4xx'],
];

for (const [httpStatus, code, kind, why] of table) {
  anyTest(`Meta ${httpStatus}/${code} (${why}) → ${kind}`, (t) => {
    t.is(classifyGraphFailure({ httpStatus, code }), kind);
  });
}

anyTest('retries back off exponentially with full jitter, capped, honouring Retry-After, and end after the last attempt', (t) => {
  const throttled = { httpStatus: 400, code: 130429 };
  t.deepEqual(nextSendStep(throttled, { attempts: 1, spamDeferrals: 0 }, () => 1), { action: 'retry', delayMs: 1_000 });
  t.deepEqual(nextSendStep(throttled, { attempts: 3, spamDeferrals: 0 }, () => 1), { action: 'retry', delayMs: 4_000 });
  t.deepEqual(nextSendStep(throttled, { attempts: 3, spamDeferrals: 0 }, () => 0.5), { action: 'retry', delayMs: 2_000 });
  t.deepEqual(nextSendStep(throttled, { attempts: 3, spamDeferrals: 0 }, () => 0), { action: 'retry', delayMs: 0 });
  t.deepEqual(nextSendStep(throttled, { attempts: 7, spamDeferrals: 0 }, () => 1), { action: 'retry', delayMs: 64_000 });
  t.deepEqual(nextSendStep({ ...throttled, retryAfterSeconds: 30 }, { attempts: 1, spamDeferrals: 0 }, () => 0), { action: 'retry', delayMs: 30_000 });
  t.deepEqual(nextSendStep({ ...throttled, retryAfterSeconds: 3600 }, { attempts: 1, spamDeferrals: 0 }, () => 0), { action: 'retry', delayMs: RETRY_CAP_MS });
  t.deepEqual(nextSendStep(throttled, { attempts: MAX_SEND_ATTEMPTS, spamDeferrals: 0 }), { action: 'fail', exhausted: true });

  const spam = { httpStatus: 400, code: 131048 };
  const later = nextSendStep(spam, { attempts: 1, spamDeferrals: 0 }, () => 0.5);
  t.deepEqual(later, { action: 'reschedule', delayMs: 3_600_000 });
  t.deepEqual(nextSendStep(spam, { attempts: 4, spamDeferrals: MAX_SPAM_DEFERRALS }), { action: 'fail', exhausted: true });
  t.deepEqual(nextSendStep({ httpStatus: 400, code: 131047 }, { attempts: 1, spamDeferrals: 0 }), { action: 'fail', exhausted: false });
});

// ───────── through the worker, against the simulator ─────────

const test = anyTest.serial;
let w: OutboundWorld;
let connection: string;

anyTest.before(async () => {
  w = await startOutboundWorld();
  connection = await whatsappConnection(w, '3000000001');
});
anyTest.after.always(async () => { await w?.close(); });

const used = () => readCounter(w.app.deps.db, monthPeriod(w.app.clock.now(), w.app.deps.config.APP_TIMEZONE), 'messages');
const toCustomer = (to: string) => ({ path: /\/messages$/, to });

test('130429 twice, then accepted: sent on the third attempt, the last error visible meanwhile', async (t) => {
  const conv = await conversationWith(w, connection, '5521900000001');
  w.sim.failNext({ match: toCustomer('5521900000001'), times: 2, status: 400, code: 130429 });
  const res = await sendText(w, conv, 'Pedido confirmado');
  t.is(res.status, 202);
  const retrying = await waitFor('a retry to be scheduled', async () => {
    const row = await messageRow(w, res.body.id);
    return row.error_code === '130429' ? row : null;
  });
  t.is(retrying.status, 'queued', 'a retry keeps it queued');
  t.is(retrying.error_title, 'Rate limit hit');
  t.truthy(retrying.next_attempt_at);
  const sent = await waitForStatus(w, res.body.id, 'sent', 20_000);
  t.is(sent.attempts, 3);
  t.is(sent.error_code, null, 'a success clears the last error');
  t.is(sendCallsTo(w, '5521900000001').length, 3);
});

test('a conversation\'s messages reach Meta in the order written: the second waits while the first is throttled and retried', async (t) => {
  const conv = await conversationWith(w, connection, '5521900000009');
  w.sim.failNext({ match: toCustomer('5521900000009'), times: 1, status: 400, code: 130429 });
  const first = await sendText(w, conv, 'Primeira');
  const second = await sendText(w, conv, 'Segunda');
  await waitForStatus(w, first.body.id, 'sent', 20_000);
  await waitForStatus(w, second.body.id, 'sent', 20_000);
  const order = w.sim.sent.filter((s) => s.to === '5521900000009').map((s) => s.body.text.body);
  t.deepEqual(order, ['Primeira', 'Segunda']);
});

test('131048 (spam limit) is rescheduled about an hour later, not hammered', async (t) => {
  const conv = await conversationWith(w, connection, '5521900000002');
  w.sim.failNext({ match: toCustomer('5521900000002'), status: 400, code: 131048 });
  const started = w.app.clock.now().getTime();
  const res = await sendText(w, conv, 'Promoção de hoje');
  const row = await waitFor('the reschedule', async () => {
    const r = await messageRow(w, res.body.id);
    return r.spam_deferrals === 1 ? r : null;
  });
  t.is(row.status, 'queued');
  t.is(row.error_code, '131048');
  const delay = row.next_attempt_at!.getTime() - started;
  t.true(delay > 45 * 60_000 && delay < 75 * 60_000, `next attempt in ${Math.round(delay / 60_000)} min`);
  const delayed = await w.app.deps.queues!.send.getJobs('delayed', { start: 0, end: 100 });
  t.true(delayed.some((j) => j.data.messageId === res.body.id), 'a delayed job waits for it');
  await sleep(1_500);
  t.is(sendCallsTo(w, '5521900000002').length, 1, 'not tried again meanwhile');
  // A stray job (the sweeper, a duplicate) finds it not due and leaves it alone.
  await w.app.deps.queues!.send.createJob({ messageId: res.body.id }).save();
  await sleep(500);
  t.is(sendCallsTo(w, '5521900000002').length, 1);
});

test('131047 fails at once and for good, with Meta\'s code and reason; the quota unit is given back', async (t) => {
  const conv = await conversationWith(w, connection, '5521900000003');
  const socket = await w.app.socket(w.admin);
  const updates: any[] = [];
  socket.on('message:updated', (e) => updates.push(e.message));
  const before = await used();
  w.sim.failNext({ match: toCustomer('5521900000003'), times: 5, status: 400, code: 131047 });
  const res = await sendText(w, conv, 'Ainda precisa de ajuda?');
  const failed = await waitForStatus(w, res.body.id, 'failed');
  await sleep(1_500);
  t.is(sendCallsTo(w, '5521900000003').length, 1, 'never retried');
  t.is(failed.attempts, 1);
  t.truthy(failed.failed_at);
  t.is(await used(), before, 'the unit taken for the attempt is back');
  const pushed = await waitFor('the failure pushed', async () => updates.find((m) => m.id === res.body.id && m.status === 'failed'));
  t.is(pushed.error.code, '131047');
  t.is(pushed.error.title, 'Re-engagement message');
  t.regex(pushed.error.detail, /24 hours/);
  const health = await w.app.api('GET', `/api/connections/${connection}/health`, { cookie: w.admin });
  t.true(health.body.sendErrorsLastDay.some((e: { code: string; count: number }) => e.code === '131047' && e.count >= 1));
});

test('503 is retried until Meta takes the message', async (t) => {
  const conv = await conversationWith(w, connection, '5521900000004');
  w.sim.failNext({ match: toCustomer('5521900000004'), status: 503, code: 2, message: 'Service temporarily unavailable' });
  const res = await sendText(w, conv, 'Seu boleto');
  const sent = await waitForStatus(w, res.body.id, 'sent', 20_000);
  t.is(sent.attempts, 2);
  t.is(sendCallsTo(w, '5521900000004').length, 2);
});

test('the monthly quota is taken when sending: over the plan the message fails with plan_quota_messages', async (t) => {
  const conv = await conversationWith(w, connection, '5521900000005');
  const limit = (await used()) + 2;
  const patched = await w.service.admin('PATCH', `/plans/${w.planId}`, { limits: { messagesPerMonth: limit } });
  t.is(patched.status, 200, patched.text);
  t.is((await w.app.api('POST', '/api/license/refresh', { cookie: w.admin })).body.plan.limits.messagesPerMonth, limit);
  await sleep(200); // the worker hears the new lease through Redis

  const ids: string[] = [];
  for (const text of ['um', 'dois', 'três']) ids.push((await sendText(w, conv, text)).body.id);
  await waitFor('all three settled', async () => (await w.app.deps.db('messages').whereIn('id', ids).whereIn('status', ['sent', 'failed'])).length === 3);
  const rows = await w.app.deps.db('messages').whereIn('id', ids);
  t.is(rows.filter((r) => r.status === 'sent').length, 2);
  const over = rows.find((r) => r.status === 'failed')!;
  t.is(over.error_code, 'plan_quota_messages');
  t.is(over.attempts, 0, 'Meta was never asked');
  t.is(sendCallsTo(w, '5521900000005').length, 2);
  t.is(await used(), limit, 'never over the limit');
  await w.service.admin('PATCH', `/plans/${w.planId}`, { limits: { messagesPerMonth: 1000 } });
  await w.app.api('POST', '/api/license/refresh', { cookie: w.admin });
});

test('a license restricted while a send waits for its retry: the message fails with license_restricted, not sent', async (t) => {
  const conv = await conversationWith(w, connection, '5521900000006');
  // Meta asks us to come back in 3 s; meanwhile the vendor revokes the license.
  w.sim.failNext({ match: toCustomer('5521900000006'), status: 429, code: 4, headers: { 'retry-after': '3' } });
  const res = await sendText(w, conv, 'Oi');
  await waitFor('the first attempt', async () => (await messageRow(w, res.body.id)).error_code === '4');
  const before = await used();
  await w.service.admin('POST', `/licenses/${w.licenseId}/revoke`);
  t.is((await w.app.api('POST', '/api/license/refresh', { cookie: w.admin })).body.state, 'restricted');

  const failed = await waitForStatus(w, res.body.id, 'failed', 10_000);
  t.is(failed.error_code, 'license_restricted');
  t.is(failed.error_detail, 'license_revoked');
  t.is(sendCallsTo(w, '5521900000006').length, 1, 'not sent after the restriction');
  t.is(await used(), before - 1, 'the unit goes back');
  const refused = await sendText(w, conv, 'Outra');
  t.is(refused.status, 403, 'and nothing new is accepted');
  t.is(refused.body.error.code, 'license_restricted');
});
