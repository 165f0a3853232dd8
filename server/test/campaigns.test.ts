/**
 * The campaign engine through the real stack (issue #13 §3, §6): the API, Meta's simulator, signed
 * webhooks and the worker (in this process with the test clock, or as its own process for kill -9).
 */
import anyTest from 'ava';
import { waitFor } from './inbound.js';
import { startCampaignWorld, type CampaignWorld } from './campaignSupport.js';
import type { WorkerProcess } from '../src/processes/worker.js';

const test = anyTest.serial;
let w: CampaignWorld;
let worker: WorkerProcess | null = null;
const db = () => w.app.deps.db;

anyTest.before(async () => {
  w = await startCampaignWorld({ env: { SEND_RATE_PER_SECOND: '80' } });
});
anyTest.after.always(async () => { await w?.close(); });

const sentTo = (phones: string[]) => phones.map((p) => w.sim.sent.filter((s) => s.to === p).length);

// First, while no worker runs in this process: the campaign must be the child's to lose.
test('kill -9 of the worker mid-campaign, then a restart: every recipient is sent exactly once', async (t) => {
  const { tag, phones } = await w.contacts(60);
  const id = await w.campaign(tag, { ratePerSecond: 20 });
  const child = w.spawnWorker();
  t.is((await w.api('POST', `/api/campaigns/${id}/start`, {})).status, 200);
  await waitFor(() => w.sim.sent.filter((s) => phones.includes(s.to)).length >= 15 || null, 30_000, 'a quarter sent');
  child.kill('SIGKILL');
  await child.exited;
  const atKill = w.sim.sent.filter((s) => phones.includes(s.to)).length;
  t.true(atKill < 60, `killed mid-campaign (${atKill} sent)`);

  worker = await w.app.startWorker();
  // Sends the dead worker had queued wait for the send sweeper (a minute of the clock), the rest flow on.
  const sweep = setInterval(() => w.app.clock.advance(20_000), 1_000);
  try {
    const done = await w.until(id, 'completed', 90_000);
    t.is(done.progress.sent + done.progress.failed, 60);
  } finally {
    clearInterval(sweep);
  }
  // Killed right after Meta accepted a send (the trigger above): that one send's outcome was never
  // recorded. The send worker does not send a campaign message again in doubt (send_in_doubt): Meta has
  // it once (or, if the worker died before the call, never — reported, not repeated).
  const counts = sentTo(phones);
  t.true(counts.every((n) => n <= 1), `nobody twice at Meta: ${JSON.stringify(counts)}`);
  const doubt = await db()('campaign_recipients').where({ campaign_id: id, status: 'failed', error_code: 'send_in_doubt' }).count<{ n: string }[]>('* as n');
  // In flight at the kill: at most what the pacer had handed out (20/s × its 400 ms look-ahead), whatever the machine's speed.
  t.true(Number(doubt[0]!.n) <= 8, `at most the sends in flight at the kill are in doubt (${doubt[0]!.n})`);
  t.true(counts.filter((n) => n === 0).length <= Number(doubt[0]!.n), 'every recipient not in doubt was sent exactly once');
  t.log(`sent at the kill: ${atKill}; in doubt: ${doubt[0]!.n}; at Meta: ${counts.filter((n) => n === 1).length}/60`);
  const rows = await db()('campaign_recipients').where({ campaign_id: id }).select('status', 'message_id');
  t.is(new Set(rows.map((r) => r.message_id)).size, 60);
  t.is(Number((await db()('messages').where('client_id', 'like', `campaign:${id}:%`).count<{ n: string }[]>('* as n'))[0]!.n), 60);
});

test('lifecycle: refusals with stable codes, start, pause, resume where it stopped, cancel is final', async (t) => {
  worker ??= await w.app.startWorker();
  const { tag, phones } = await w.contacts(30);
  const id = await w.campaign(tag, { ratePerSecond: 10 });
  const c0 = await w.get(id);
  t.is(c0.status, 'draft');
  t.is(c0.template.name, 'oferta_natal');

  let r = await w.api('POST', `/api/campaigns/${id}/pause`);
  t.is(r.status, 409);
  t.is(r.body.error.code, 'invalid_transition');
  t.regex(r.body.error.message, /draft.*paused/);

  await db()('message_templates').where({ id: w.templateId }).update({ status: 'PENDING' });
  r = await w.api('POST', `/api/campaigns/${id}/start`, {});
  t.is(r.status, 422);
  t.is(r.body.error.code, 'template_not_approved');
  await db()('message_templates').where({ id: w.templateId }).update({ status: 'APPROVED' });

  r = await w.api('PATCH', `/api/campaigns/${id}`, { templateParams: {} });
  t.is(r.status, 200);
  r = await w.api('POST', `/api/campaigns/${id}/start`, {});
  t.is(r.status, 422);
  t.is(r.body.error.code, 'template_params_invalid');
  await w.api('PATCH', `/api/campaigns/${id}`, { templateParams: { 'body.1': { kind: 'contact_field', field: 'first_name' } } });

  const pre = await w.api('GET', `/api/campaigns/${id}/preflight`);
  t.is(pre.status, 200);
  t.is(pre.body.willSend, 30);
  t.is(pre.body.sample.length, 3);
  t.regex(JSON.stringify(pre.body.sample[0].rendered), /Olá Cliente, temos uma oferta/);

  const test = await w.api('POST', `/api/campaigns/${id}/test-send`, { phone: '11 98888-7777' });
  t.is(test.status, 202);
  await waitFor(() => w.sim.sent.find((s) => s.to === '5511988887777') || null, 10_000, 'the test send');

  r = await w.api('POST', `/api/campaigns/${id}/start`, {});
  t.is(r.status, 200, r.text);
  t.is(r.body.status, 'running');
  t.truthy(r.body.audienceFrozenAt);
  r = await w.api('PATCH', `/api/campaigns/${id}`, { audience: { kind: 'filter', tags: { any: ['outra'] } } });
  t.is(r.status, 409);
  t.is(r.body.error.code, 'campaign_not_editable');
  r = await w.api('POST', `/api/campaigns/${id}/start`, {});
  t.is(r.body.error.code, 'invalid_transition');

  await waitFor(() => w.sim.sent.filter((s) => phones.includes(s.to)).length >= 5 || null, 15_000, 'five sent');
  r = await w.api('POST', `/api/campaigns/${id}/pause`);
  t.is(r.body.status, 'paused');
  t.is(r.body.pauseReason, 'manual');
  const pausedAt = Date.now();
  await new Promise((res) => setTimeout(res, 1_500));
  const afterPause = w.sendCalls().filter((c) => phones.includes(c.to));
  const lastSend = Math.max(...afterPause.map((c) => c.at));
  t.true(lastSend - pausedAt < 1_000, `the last send came ${lastSend - pausedAt} ms after the pause`);
  const n = afterPause.length;
  t.true(n < 30);

  r = await w.api('POST', `/api/campaigns/${id}/resume`);
  t.is(r.body.status, 'running');
  const done = await w.until(id, 'completed', 30_000);
  t.deepEqual(sentTo(phones), phones.map(() => 1), 'resume continued where it stopped: nobody twice');
  t.is(done.progress.audience, 30);
  t.is(done.progress.pending + done.progress.queued, 0);
  t.truthy(done.completedAt);

  r = await w.api('POST', `/api/campaigns/${id}/cancel`);
  t.is(r.status, 409);
  t.is(r.body.error.code, 'invalid_transition');
  r = await w.api('DELETE', `/api/campaigns/${id}`);
  t.is(r.body.error.code, 'campaign_not_draft');

  // Cancel: final, pending rows skipped.
  const other = await w.contacts(40);
  const id2 = await w.campaign(other.tag, { ratePerSecond: 5 });
  await w.api('POST', `/api/campaigns/${id2}/start`, {});
  await waitFor(() => w.sim.sent.filter((s) => other.phones.includes(s.to)).length >= 2 || null, 15_000, 'two sent');
  r = await w.api('POST', `/api/campaigns/${id2}/cancel`);
  t.is(r.body.status, 'cancelled');
  r = await w.api('POST', `/api/campaigns/${id2}/resume`);
  t.is(r.body.error.code, 'invalid_transition');
  await new Promise((res) => setTimeout(res, 1_000));
  const c2 = await w.get(id2);
  t.true(c2.progress.skipped > 30);
  t.true(w.sim.sent.filter((s) => other.phones.includes(s.to)).length < 10);

  // A draft is deleted; a supervisor reads but does not write.
  const id3 = await w.campaign(other.tag);
  await w.app.addUser({ email: 'sup@loja.com.br', role: 'supervisor' });
  const sup = (await w.app.login('sup@loja.com.br', 'correct horse battery')).cookie;
  t.is((await w.app.api('GET', `/api/campaigns/${id3}`, { cookie: sup })).status, 200);
  t.is((await w.app.api('POST', `/api/campaigns/${id3}/start`, { cookie: sup, body: {} })).status, 403);
  t.is((await w.api('DELETE', `/api/campaigns/${id3}`)).status, 204);
  const list = await w.api('GET', '/api/campaigns?status=completed,cancelled');
  t.true(list.body.items.some((c: { id: string }) => c.id === id));
  t.true(list.body.items.every((c: { status: string }) => ['completed', 'cancelled'].includes(c.status)));
});

test('pacing: the simulator never sees more than the campaign rate in a second', async (t) => {
  const { tag, phones } = await w.contacts(45);
  const id = await w.campaign(tag, { ratePerSecond: 15 });
  await w.api('POST', `/api/campaigns/${id}/start`, {});
  await w.until(id, 'completed', 30_000);
  const times = w.sendCalls().filter((c) => phones.includes(c.to)).map((c) => c.at).sort((a, b) => a - b);
  t.is(times.length, 45);
  // Any window of one second (starting at each send) holds at most the rate (+1 for timer jitter at its edges).
  let worst = 0;
  for (let i = 0; i < times.length; i++) worst = Math.max(worst, times.filter((x) => x >= times[i]! && x < times[i]! + 1_000).length);
  t.true(worst <= 16, `at most ${worst} sends in a second`);
  const span = times[times.length - 1]! - times[0]!;
  t.true(span >= (44 / 15) * 1000 * 0.9, `45 sends at 15/s took ${span} ms`);
});

test('a failed recipient does not keep the campaign running: it completes with the failure by Meta code', async (t) => {
  const { tag, phones } = await w.contacts(5);
  w.sim.failNext({ match: { to: phones[2] }, status: 400, code: 131026, title: 'Message undeliverable' });
  const id = await w.campaign(tag);
  await w.api('POST', `/api/campaigns/${id}/start`, {});
  const done = await w.until(id, 'completed');
  t.is(done.progress.failed, 1);
  t.is(done.progress.sent, 4);
  t.deepEqual(done.progress.failedByCode.map((f: { code: string; count: number }) => [f.code, f.count]), [['131026', 1]]);
  const rec = await w.api('GET', `/api/campaigns/${id}/recipients?status=failed`);
  t.is(rec.body.items.length, 1);
  t.is(rec.body.items[0].contact.phone, phones[2]);
  t.is(rec.body.items[0].errorCode, '131026');
  const csv = await w.api('GET', `/api/campaigns/${id}/export`);
  t.is(csv.status, 200);
  t.regex(String(csv.headers['content-type']), /text\/csv/);
  const lines = csv.text.replace(/^\ufeff/, '').trim().split(/\r\n/);
  t.is(lines[0], 'name,phone,status,reason,error_code,error_title,sent_at,delivered_at,read_at,failed_at,replied_at');
  t.is(lines.length, 6);
  t.true(lines.some((l) => l.includes(phones[2]!) && l.includes(',failed,') && l.includes('131026')));
});
