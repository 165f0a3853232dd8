import anyTest from 'ava';
import fs from 'node:fs';
import { createLogger } from '#kit/logger.js';
import { activateLicense } from '../src/commands/licenseActivation.js';
import { loadConfig } from '../src/config.js';
import { monthPeriod } from '../src/lib/monthPeriod.js';
import { consumeMonthlyQuota } from '../src/policies/plan.js';
import { startWeb } from '../src/processes/web.js';
import { call, PASSWORD, startLicenseServiceProcess, startTestAppliance, type LicenseServiceProcess } from './support.js';

const test = anyTest.serial;
let service: LicenseServiceProcess;
anyTest.before(async () => { service = await startLicenseServiceProcess(); });
anyTest.after.always(async () => { await service?.close(); });

test('/health, /ready and /metrics answer; every API answer carries the license state', async (t) => {
  const app = await startTestAppliance({ licenseUrl: service.url, trustedKeys: service.trustedKeys });
  try {
    t.like((await app.api('GET', '/health')).body, { status: 'ok', version: JSON.parse(fs.readFileSync('package.json', 'utf8')).version });
    const notYet = await app.api('GET', '/ready');
    t.is(notYet.status, 200, 'an appliance that is not activated still serves');
    t.deepEqual(notYet.body, { status: 'ok', database: 'ok', redis: 'ok', license: { state: 'restricted', reason: 'not_activated' } });
    t.is(notYet.headers['x-atendo-license'], 'restricted');

    await activateLicense(app.deps, (await service.issueLicense()).key);
    app.deps.license.invalidate();
    t.deepEqual((await app.api('GET', '/ready')).body.license, { state: 'active', reason: null });
    const metrics = await app.api('GET', '/metrics');
    t.regex(String(metrics.headers['content-type']), /text\/plain/);
    t.regex(metrics.text, /atendo_http_requests_total\{method="GET",status="200"\} \d+/);
    t.regex(metrics.text, /atendo_license_state\{state="active"\} 1/);
    t.regex(metrics.text, /process_cpu_seconds_total/);

    await app.redis.stop();
    const down = await app.api('GET', '/ready');
    t.is(down.status, 503);
    t.is(down.body.redis, 'down');
  } finally {
    await app.close();
  }
});

test('graceful shutdown lets an in-flight request finish, then refuses new connections', async (t) => {
  const app = await startTestAppliance({ licenseUrl: service.url, trustedKeys: service.trustedKeys });
  try {
    await app.addUser({ email: 'admin@loja.com.br', role: 'admin' });
    const inFlight = app.api('POST', '/api/auth/login', { body: { email: 'admin@loja.com.br', password: PASSWORD } }); // scrypt: tens of ms
    await new Promise((r) => setTimeout(r, 5));
    const stopping = app.web.stop();
    t.is((await inFlight).status, 200, 'the request that was running completed');
    await stopping;
    await t.throwsAsync(call('GET', `${app.url}/health`));
  } finally {
    await app.close();
  }
});

test('a second server process shares sockets through Redis: disabling on one drops the socket on the other', async (t) => {
  const app = await startTestAppliance({ licenseUrl: service.url, trustedKeys: service.trustedKeys });
  const second = await startWeb(loadConfig(app.env), { trustedKeys: service.trustedKeys, log: createLogger('silent', 't'), heartbeats: false });
  try {
    await activateLicense(app.deps, (await service.issueLicense()).key);
    await app.addUser({ email: 'admin@loja.com.br', role: 'admin' });
    const id = await app.addUser({ email: 'ivo@loja.com.br', role: 'attendant' });
    const ivo = await app.login('ivo@loja.com.br', PASSWORD);
    const { io } = await import('socket.io-client');
    const onSecond = io(second.url, { transports: ['websocket'], extraHeaders: { cookie: ivo.cookie }, reconnection: false });
    await new Promise((r) => onSecond.once('hello', r));
    const gone = new Promise((r) => onSecond.once('disconnect', r));
    const admin = await app.login('admin@loja.com.br', PASSWORD);
    t.is((await app.api('PATCH', `/api/users/${id}`, { cookie: admin.cookie, body: { disabled: true } })).status, 200);
    t.is(await gone, 'io server disconnect');
    onSecond.close();
  } finally {
    await second.stop();
    await app.close();
  }
});

test('monthly quotas are exact under concurrency and restart at the month boundary of the appliance\'s zone', async (t) => {
  const app = await startTestAppliance({ licenseUrl: service.url, trustedKeys: service.trustedKeys });
  try {
    await activateLicense(app.deps, (await service.issueLicense({ limits: { messagesPerMonth: 5, campaignsPerMonth: 1 } })).key);
    const snap = await app.deps.license.snapshot();
    const tz = 'America/Sao_Paulo';
    const results = await Promise.allSettled(Array.from({ length: 12 }, () => consumeMonthlyQuota(app.deps.db, snap, 'messages', 1, tz)));
    t.is(results.filter((r) => r.status === 'fulfilled').length, 5, 'exactly the quota, never more');
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    t.is(refused.reason.code, 'plan_quota_messages');
    t.is(refused.reason.details.limit, 5);

    // 23:30 on 30 Nov in São Paulo is already December in UTC: the quota follows the appliance's zone.
    t.is(monthPeriod(new Date('2026-12-01T02:30:00Z'), tz), '2026-11');
    t.is(monthPeriod(new Date('2026-12-01T03:00:00Z'), tz), '2026-12');
    // The next month is built from the clock the quota was taken with, whatever day the suite runs on.
    const [year, month] = monthPeriod(snap.now, tz).split('-').map(Number) as [number, number];
    const nextMonthStarts = new Date(Date.UTC(year, month, 1, 3)); // 00:00 in São Paulo (UTC-3, no DST since 2019)
    const lastMinute = { ...snap, now: new Date(nextMonthStarts.getTime() - 60_000) };
    await t.throwsAsync(consumeMonthlyQuota(app.deps.db, lastMinute, 'messages', 1, tz), { message: /5 messages per month/ }, 'the month is not over yet');
    const nextMonth = { ...snap, now: nextMonthStarts };
    t.is(await consumeMonthlyQuota(app.deps.db, nextMonth, 'messages', 1, tz), 1, 'a new month starts from zero');

    t.is(await consumeMonthlyQuota(app.deps.db, snap, 'campaigns', 1, tz), 1);
    await t.throwsAsync(consumeMonthlyQuota(app.deps.db, snap, 'campaigns', 1, tz), { message: /1 campaigns per month/ });
    const admin = await app.addUser({ email: 'admin@loja.com.br', role: 'admin' });
    t.truthy(admin);
    const { cookie } = await app.login('admin@loja.com.br', PASSWORD);
    const view = (await app.api('GET', '/api/license', { cookie })).body;
    t.deepEqual(view.usage.messagesThisMonth, { used: 5, limit: 5, over: false });
  } finally {
    await app.close();
  }
});

test('features and the connection limit come from the lease, with their stable codes', async (t) => {
  const { assertFeature, assertCanAddConnection } = await import('../src/policies/plan.js');
  const app = await startTestAppliance({ licenseUrl: service.url, trustedKeys: service.trustedKeys });
  try {
    await activateLicense(app.deps, (await service.issueLicense({ limits: { connections: 2 }, features: { instagram: false } })).key);
    const snap = await app.deps.license.snapshot();
    t.throws(() => assertFeature(snap, 'instagram'), { message: /does not include instagram/ });
    t.notThrows(() => assertFeature(snap, 'chatbot'));
    t.notThrows(() => assertCanAddConnection(snap, 1));
    const refused = t.throws(() => assertCanAddConnection(snap, 2)) as unknown as { code: string; details: { limit: number } };
    t.is(refused.code, 'plan_limit_connections');
    t.is(refused.details.limit, 2);
    const feature = t.throws(() => assertFeature(snap, 'instagram')) as unknown as { code: string; status: number };
    t.is(feature.code, 'plan_feature_disabled');
    t.is(feature.status, 403);
  } finally {
    await app.close();
  }
});
