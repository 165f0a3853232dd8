/**
 * The campaign engine's limits and signals through the real stack: automatic pauses with their cause
 * (Meta's errors at the simulator, its signed template status and number quality webhooks, the license
 * restricted and lifted), an opt-out and a reply in the middle of
 * a campaign (signed webhooks), the portfolio's 24-hour limit parking and releasing recipients (the test
 * clock), a schedule caught up after downtime, retry-failed, and the plan.
 */
import anyTest from 'ava';
import { activateLicense } from '../src/commands/licenseActivation.js';
import { waitFor } from './inbound.js';
import { startCampaignWorld, type CampaignWorld } from './campaignSupport.js';

const test = anyTest.serial;
let w: CampaignWorld;
const db = () => w.app.deps.db;
const HOUR = 3_600_000;

anyTest.before(async () => {
  w = await startCampaignWorld();
  await w.app.startWorker();
});
anyTest.after.always(async () => { await w?.close(); });

const sentCount = (phones: string[]) => w.sim.sent.filter((s) => phones.includes(s.to)).length;
const paused = (id: string) => w.until(id, 'paused', 20_000);

test('15 × 131049 in the first sends (over 5% of the last 200) pause the campaign with the cause; resume continues without duplicates', async (t) => {
  const { tag, phones } = await w.contacts(60);
  w.sim.failNext({ status: 400, code: 131049, times: 15, title: 'This message was not delivered to maintain healthy ecosystem engagement.' });
  const id = await w.campaign(tag, { ratePerSecond: 30 });
  await w.api('POST', `/api/campaigns/${id}/start`, {});
  const c = await paused(id);
  t.is(c.pauseReason, 'failure_rate');
  t.true(c.pauseDetail.failures > 10, JSON.stringify(c.pauseDetail));
  t.true(c.pauseDetail.byCode.some((b: { code: string }) => b.code === '131049'));
  t.true(c.progress.pending > 0, 'stopped before the end');
  const before = sentCount(phones);
  const r = await w.api('POST', `/api/campaigns/${id}/resume`);
  t.is(r.body.status, 'running');
  await waitFor(async () => (await w.get(id)).progress.pending === 0 || null, 20_000, 'the rest sent');
  await new Promise((res) => setTimeout(res, 500));
  const counts = phones.map((p) => w.sim.sent.filter((s) => s.to === p).length);
  t.true(counts.every((n) => n <= 1), 'nobody twice');
  t.true(sentCount(phones) > before);
  t.is(sentCount(phones), 45, 'all but the 15 held back by Meta (rescheduled by the send policy)');
});

test('131048 (spam limit) pauses at once', async (t) => {
  const { tag } = await w.contacts(20);
  w.sim.failNext({ status: 400, code: 131048, title: 'Spam rate limit hit' });
  const id = await w.campaign(tag, { ratePerSecond: 5 });
  await w.api('POST', `/api/campaigns/${id}/start`, {});
  const c = await paused(id);
  t.is(c.pauseReason, 'spam_limit');
  t.is(c.pauseDetail.code, '131048');
});

test('the template paused by Meta, and the number turning RED, pause running campaigns with the cause (the simulator\'s signed webhooks)', async (t) => {
  const wabaId = w.wabaId; // the world's number has its WABA, with the template at the simulator
  const target = { webhookUrl: w.wa.webhookUrl, appSecret: w.wa.appSecret };
  const templateStatus = (status: 'PAUSED' | 'APPROVED') => w.sim.postTemplateStatus({ ...target, wabaId, name: 'oferta_natal', language: 'pt_BR', status, reason: status === 'PAUSED' ? 'LOW_QUALITY' : undefined });
  t.teardown(async () => {
    await templateStatus('APPROVED');
    await w.sim.postPhoneQuality({ ...target, phoneNumberId: w.wa.externalId, event: 'UNFLAGGED' });
  });

  const a = await w.contacts(20);
  const id = await w.campaign(a.tag, { ratePerSecond: 2 });
  await w.api('POST', `/api/campaigns/${id}/start`, {});
  await waitFor(() => sentCount(a.phones) >= 1 || null, 10_000, 'a send');
  const posted = await templateStatus('PAUSED');
  t.is(posted.status, 200, posted.text);
  t.notRegex(posted.text, /ignored/, 'addressed to the number\'s WABA: stored for ingest');
  const c = await paused(id);
  t.is(c.pauseReason, 'template_paused', JSON.stringify(c.pauseDetail));
  t.is(c.pauseDetail.status, 'PAUSED');
  t.is((await db()('message_templates').where({ id: w.templateId }).first()).status, 'PAUSED', 'the webhook reached the stored template');

  // Meta approves it again (the webhook too), so the next campaign may start on it.
  await templateStatus('APPROVED');
  await waitFor(async () => (await db()('message_templates').where({ id: w.templateId }).first()).status === 'APPROVED' || null, 10_000, 'approved again');
  const b = await w.contacts(20);
  const id2 = await w.campaign(b.tag, { ratePerSecond: 2 });
  const started = await w.api('POST', `/api/campaigns/${id2}/start`, {});
  t.is(started.status, 200, started.text);
  await waitFor(() => sentCount(b.phones) >= 1 || null, 10_000, 'a send');
  const flagged = await w.sim.postPhoneQuality({ ...target, phoneNumberId: w.wa.externalId, event: 'FLAGGED' });
  t.is(flagged.status, 200, flagged.text);
  const c2 = await paused(id2);
  t.is(c2.pauseReason, 'quality_red');
  t.is(c2.pauseDetail.quality, 'RED');
  t.is((await db()('connections').where({ id: w.wa.id }).first()).quality_rating, 'RED');
  await w.api('POST', `/api/campaigns/${id}/cancel`);
  await w.api('POST', `/api/campaigns/${id2}/cancel`);
});

test('the license restricted pauses running campaigns (license_restricted); lifting it resumes exactly those, not one paused by hand', async (t) => {
  const lic = await w.service.issueLicense({ limits: { users: 50, connections: 20, campaignsPerMonth: 1_000, messagesPerMonth: 1_000_000 } });
  await activateLicense(w.app.deps, lic.key);
  const refresh = async () => (await w.api('POST', '/api/license/refresh')).body.state;
  const a = await w.contacts(16);
  const b = await w.contacts(16);
  const running = await w.campaign(a.tag, { ratePerSecond: 2 });
  const byHand = await w.campaign(b.tag, { ratePerSecond: 2 });
  await w.api('POST', `/api/campaigns/${running}/start`, {});
  await w.api('POST', `/api/campaigns/${byHand}/start`, {});
  await waitFor(() => (sentCount(a.phones) >= 1 && sentCount(b.phones) >= 1) || null, 10_000, 'both sending');
  t.is((await w.api('POST', `/api/campaigns/${byHand}/pause`)).body.pauseReason, 'manual');

  t.is((await w.service.admin('POST', `/licenses/${lic.licenseId}/suspend`)).status, 200);
  t.is(await refresh(), 'restricted');
  const c = await paused(running);
  t.is(c.pauseReason, 'license_restricted');
  t.is(c.pauseDetail.reason, 'license_suspended');
  t.is((await w.get(byHand)).pauseReason, 'manual', 'the one paused by hand keeps its own cause');
  await new Promise((res) => setTimeout(res, 1_500)); // a send in flight at the restriction settles
  const whileRestricted = sentCount(a.phones);
  await new Promise((res) => setTimeout(res, 2_000));
  t.is(sentCount(a.phones), whileRestricted, 'nothing is sent while restricted');
  t.true(whileRestricted < 16, 'stopped before the end');

  t.is((await w.service.admin('POST', `/licenses/${lic.licenseId}/resume`)).status, 200);
  t.is(await refresh(), 'active');
  const done = await w.until(running, 'completed', 30_000);
  t.is(done.pauseReason, null);
  const unsent = await db()('campaign_recipients as r').leftJoin('messages as m', 'm.id', 'r.message_id').where('r.campaign_id', running).whereNot('r.status', 'sent')
    .select('r.status', 'r.error_code', 'm.status as m_status', 'm.error_code as m_error', 'm.attempts');
  t.deepEqual(unsent, [], 'every recipient sent');
  t.deepEqual(a.phones.map((p) => w.sim.sent.filter((s) => s.to === p).length), a.phones.map(() => 1), 'resumed where it stopped: everyone once, nobody twice');
  t.is(done.progress.sent, 16, JSON.stringify(done.progress));
  const still = await w.get(byHand);
  t.is(still.status, 'paused', 'lifting the restriction does not resume a campaign paused by hand');
  t.is(still.pauseReason, 'manual');
  await new Promise((res) => setTimeout(res, 2_500)); // another look of the license task
  t.is((await w.get(byHand)).status, 'paused');
  await w.api('POST', `/api/campaigns/${byHand}/cancel`);
});

test('an opt-out in the middle of a running campaign skips that contact; a reply is attributed and moves the new conversation to the campaign team', async (t) => {
  const team = await w.api('POST', '/api/teams', { name: 'Campanhas' });
  const { tag, phones, ids } = await w.contacts(12);
  const id = await w.campaign(tag, { ratePerSecond: 3, teamId: team.body.id });
  await w.api('POST', `/api/campaigns/${id}/start`, {});
  await waitFor(() => sentCount(phones) >= 2 || null, 15_000, 'two sent');
  await w.say(phones[10]!, 'PARAR');
  await waitFor(() => db()('opt_outs').where({ contact_id: ids[10] }).first(), 10_000, 'the opt-out recorded');
  await w.say(phones[0]!, 'Quero saber mais');
  const done = await w.until(id, 'completed', 30_000);
  t.is(w.sim.sent.filter((s) => s.to === phones[10]).length, 0, 'no campaign message after PARAR');
  const row = await db()('campaign_recipients').where({ campaign_id: id, contact_id: ids[10] }).first();
  t.is(row.status, 'skipped');
  t.is(row.reason, 'opted_out');
  t.truthy(row.opted_out_at);
  await waitFor(async () => (await w.get(id)).progress.replied === 1 || null, 10_000, 'the reply counted');
  const conv = await db()('conversations').where({ contact_id: ids[0], status: 'open' }).first();
  t.is(conv.team_id, team.body.id, 'the reply came into the campaign team');
  t.is(done.progress.skipped, 1);
});

test('the portfolio limit parks recipients over it with the reason, and releases them when the 24 hours free capacity', async (t) => {
  await db()('messaging_portfolios').insert({ id: 'pf-test', name: 'Loja', daily_limit: 5 });
  await db()('connections').where({ id: w.wa.id }).update({ portfolio_id: 'pf-test' });
  t.teardown(async () => { await db()('connections').where({ id: w.wa.id }).update({ portfolio_id: null }); });
  const { tag, phones } = await w.contacts(8);
  const id = await w.campaign(tag, { ratePerSecond: 20 });
  await w.api('POST', `/api/campaigns/${id}/start`, {});
  const waiting = await waitFor(async () => { const c = await w.get(id); return c.waiting?.reason === 'portfolio_limit' ? c : null; }, 15_000, 'waiting on the portfolio');
  await new Promise((res) => setTimeout(res, 500));
  t.is(sentCount(phones), 5);
  t.is(waiting.progress.pending, 3);
  const parked = await w.api('GET', `/api/campaigns/${id}/recipients?status=pending`);
  t.true(parked.body.items.some((r: { reason: string }) => r.reason === 'portfolio_limit'));
  w.app.clock.advance(24 * HOUR + 60_000);
  await w.until(id, 'completed', 20_000);
  t.is(sentCount(phones), 8);
  t.is(w.sim.sent.filter((s) => phones.includes(s.to)).length, new Set(w.sim.sent.filter((s) => phones.includes(s.to)).map((s) => s.to)).size);
});

test('scheduled: starts when due, also when the worker looks only later (catch-up)', async (t) => {
  const { tag, phones } = await w.contacts(3);
  const id = await w.campaign(tag);
  const at = new Date(w.app.clock.now().getTime() + 2 * HOUR).toISOString();
  const r = await w.api('POST', `/api/campaigns/${id}/start`, { scheduledAt: at });
  t.is(r.body.status, 'scheduled');
  t.is(r.body.scheduledAt, at);
  await new Promise((res) => setTimeout(res, 500));
  t.is(sentCount(phones), 0);
  w.app.clock.advance(3 * HOUR);
  await w.until(id, 'completed', 15_000);
  t.is(sentCount(phones), 3);
});

test('retry-failed makes a child campaign of only the retriable failures (never 131026, 131049 before its cool-off, opt-outs)', async (t) => {
  const { tag, phones, ids } = await w.contacts(6);
  for (const p of phones.slice(0, 2)) w.sim.failNext({ match: { to: p }, status: 400, code: 131026, title: 'Message undeliverable' });
  const id = await w.campaign(tag);
  await w.api('POST', `/api/campaigns/${id}/start`, {});
  await w.until(id, 'completed');
  const now = w.app.clock.now();
  // As the send policy leaves them after its retries: two throttled for good, one 131049, one opted out since.
  await db()('campaign_recipients').where({ campaign_id: id }).whereIn('contact_id', ids.slice(2, 4)).update({ status: 'failed', error_code: '130429', failed_at: now });
  await db()('campaign_recipients').where({ campaign_id: id, contact_id: ids[4] }).update({ status: 'failed', error_code: '131049', failed_at: now });
  await db()('campaign_recipients').where({ campaign_id: id, contact_id: ids[5] }).update({ status: 'failed', error_code: '130429', failed_at: now });
  await db()('opt_outs').insert({ connection_id: w.wa.id, contact_id: ids[5], at: now, source: 'manual' });
  const r = await w.api('POST', `/api/campaigns/${id}/retry-failed`);
  t.is(r.status, 201, r.text);
  t.is(r.body.parentCampaignId, id);
  t.is(r.body.status, 'draft');
  const kids = await db()('campaign_recipients').where({ campaign_id: r.body.id }).pluck('contact_id');
  t.deepEqual(kids.sort(), ids.slice(2, 4).sort());
  w.app.clock.advance(25 * HOUR);
  const later = await w.api('POST', `/api/campaigns/${id}/retry-failed`);
  t.deepEqual((await db()('campaign_recipients').where({ campaign_id: later.body.id }).pluck('contact_id')).sort(), ids.slice(2, 5).sort(), '131049 after its cool-off');
  const start = await w.api('POST', `/api/campaigns/${r.body.id}/start`, {});
  t.is(start.status, 200, start.text);
  await w.until(r.body.id, 'completed');
  t.is(w.sim.sent.filter((s) => s.to === phones[2]).length, 2);
});

test('the plan: no campaigns feature → 403 plan_feature_disabled; campaignsPerMonth reached → 403 plan_quota_campaigns', async (t) => {
  const { tag } = await w.contacts(2);
  const a = await w.campaign(tag);
  await activateLicense(w.app.deps, (await w.service.issueLicense({ limits: { users: 50, connections: 20, messagesPerMonth: 1_000_000 }, features: { campaigns: false } })).key);
  let r = await w.api('POST', `/api/campaigns/${a}/start`, {});
  t.is(r.status, 403);
  t.is(r.body.error.code, 'plan_feature_disabled');
  const used = Number((await db()('usage_counters').where({ metric: 'campaigns' }).first())?.count ?? 0);
  await activateLicense(w.app.deps, (await w.service.issueLicense({ limits: { users: 50, connections: 20, messagesPerMonth: 1_000_000, campaignsPerMonth: used + 1 } })).key);
  r = await w.api('POST', `/api/campaigns/${a}/start`, {});
  t.is(r.status, 200, r.text);
  const b = await w.campaign(tag);
  r = await w.api('POST', `/api/campaigns/${b}/start`, {});
  t.is(r.status, 403);
  t.is(r.body.error.code, 'plan_quota_campaigns');
});
