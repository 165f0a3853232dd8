import anyTest from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { activateLicense } from '../src/commands/licenseActivation.js';
import { waitFor } from './inbound.js';
import { HOUR, DAY, PASSWORD, runApplianceCli, startLicenseServiceProcess, startTestAppliance, type LicenseServiceProcess, type TestAppliance } from './support.js';

// Tests share one license-service process; those that stop it use their own.
const test = anyTest.serial;
let service: LicenseServiceProcess;
anyTest.before(async () => { service = await startLicenseServiceProcess(); });
anyTest.after.always(async () => { await service?.close(); });

async function activatedAppliance(svc: LicenseServiceProcess, opts: Parameters<LicenseServiceProcess['issueLicense']>[0] = {}) {
  const lic = await svc.issueLicense(opts);
  const app = await startTestAppliance({ licenseUrl: svc.url, trustedKeys: svc.trustedKeys });
  await activateLicense(app.deps, lic.key);
  await app.addUser({ email: 'admin@loja.com.br', role: 'admin' });
  const { cookie } = await app.login('admin@loja.com.br', PASSWORD);
  return { lic, app, cookie };
}

/** Moves the appliance's clock past the heartbeat interval and lets its scheduler run once. */
async function nextBeat(app: TestAppliance): Promise<boolean> {
  app.clock.advance(16 * 60_000);
  return app.web.scheduler.tick();
}

const licenseOf = async (app: TestAppliance, cookie: string) => (await app.api('GET', '/api/license', { cookie })).body;
const newUser = (app: TestAppliance, cookie: string, email: string) =>
  app.api('POST', '/api/users', { cookie, body: { email, name: 'Ana', role: 'attendant', password: PASSWORD } });

test('activate with the CLI, then heartbeat: the appliance is active and the service sees its usage', async (t) => {
  const lic = await service.issueLicense();
  const app = await startTestAppliance({ licenseUrl: service.url, trustedKeys: service.trustedKeys });
  try {
    const cli = runApplianceCli(app, service.keysDir, ['activate', '--license-key', lic.key.toLowerCase()]);
    t.is(cli.status, 0, cli.stderr);
    t.regex(cli.stdout, /activated for Padaria Pão Quente: plan Profissional/);
    const keyFile = path.join(app.dataDir, 'license', 'installation.key');
    t.is(fs.statSync(keyFile).mode & 0o777, 0o600, 'the private key is a 0600 file in the data dir');
    const row = await app.deps.db('license_state').first();
    t.false(JSON.stringify(row).includes('PRIVATE KEY'), 'and never in the database');

    await app.addUser({ email: 'admin@loja.com.br', role: 'admin' });
    const { cookie } = await app.login('admin@loja.com.br', PASSWORD);
    t.is((await licenseOf(app, cookie)).state, 'active');
    t.true(await nextBeat(app), 'a heartbeat is due after the interval');
    const view = await licenseOf(app, cookie);
    t.is(view.state, 'active');
    t.is(view.plan.name, 'Profissional');
    t.deepEqual(view.usage.users, { used: 1, limit: 5, over: false });
    t.truthy(view.lastHeartbeatAt);
    t.truthy(view.nextHeartbeatAt);
    const inst = await service.admin('GET', `/installations?licenseId=${lic.licenseId}`);
    t.is(inst.body.items[0].usage.users.used, 1);
    t.is(inst.body.items[0].version, '0.1.0');
  } finally {
    await app.close();
  }
});

test('a typo in the key is refused by the CLI before any request', async (t) => {
  const app = await startTestAppliance({ licenseUrl: 'http://127.0.0.1:9', trustedKeys: service.trustedKeys });
  try {
    const lic = await service.issueLicense();
    const typo = lic.key.slice(0, -3) + (lic.key.at(-3) === 'A' ? 'B' : 'A') + lic.key.slice(-2);
    const cli = runApplianceCli(app, service.keysDir, ['activate', '--license-key', typo]);
    t.is(cli.status, 1);
    t.regex(cli.stderr, /invalid_license_key/);
    t.notRegex(cli.stderr, /license_service_unreachable/, 'it never tried the (unreachable) service');
  } finally {
    await app.close();
  }
});

test('revoked at the service: restricted after the next heartbeat; reads work, creating is refused', async (t) => {
  const { lic, app, cookie } = await activatedAppliance(service);
  try {
    t.is((await newUser(app, cookie, 'a1@loja.com.br')).status, 201);
    await service.admin('POST', `/licenses/${lic.licenseId}/revoke`);
    await nextBeat(app);
    const view = await licenseOf(app, cookie);
    t.is(view.state, 'restricted');
    t.is(view.reason, 'license_revoked');
    const refused = await newUser(app, cookie, 'a2@loja.com.br');
    t.is(refused.status, 403);
    t.is(refused.body.error.code, 'license_restricted');
    t.is(refused.headers['x-atendo-license'], 'restricted');
    const users = await app.api('GET', '/api/users', { cookie });
    t.is(users.status, 200, 'reading still works');
    t.is(users.body.items.length, 2, 'nothing was deleted');
  } finally {
    await app.close();
  }
});

test('suspended then resumed at the service: back to active without a restart', async (t) => {
  const { lic, app, cookie } = await activatedAppliance(service);
  try {
    await service.admin('POST', `/licenses/${lic.licenseId}/suspend`);
    await nextBeat(app);
    t.is((await licenseOf(app, cookie)).reason, 'license_suspended');
    t.is((await newUser(app, cookie, 'b1@loja.com.br')).status, 403);
    await service.admin('POST', `/licenses/${lic.licenseId}/resume`);
    const refreshed = await app.api('POST', '/api/license/refresh', { cookie });
    t.is(refreshed.body.state, 'active', 'the admin can check now instead of waiting');
    t.is((await newUser(app, cookie, 'b1@loja.com.br')).status, 201);
  } finally {
    await app.close();
  }
});

test('an IP mismatch is definitive: restricted at once, no grace', async (t) => {
  const { lic, app, cookie } = await activatedAppliance(service);
  try {
    await service.admin('POST', `/licenses/${lic.licenseId}/rebind`, { ip: '203.0.113.50' });
    await nextBeat(app);
    const view = await licenseOf(app, cookie);
    t.is(view.state, 'restricted');
    t.is(view.reason, 'ip_mismatch');
    t.is(view.lastError.code, 'ip_mismatch');
    await service.admin('POST', `/licenses/${lic.licenseId}/rebind`, { ip: '127.0.0.1' });
    await nextBeat(app);
    t.is((await licenseOf(app, cookie)).state, 'active', 'a retry at the interval finds the rebind');
  } finally {
    await app.close();
  }
});

test('service unreachable: warning, then grace with a countdown, then restricted; service back: active', async (t) => {
  const own = await startLicenseServiceProcess();
  const started = await activatedAppliance(own);
  const { app } = started;
  let { cookie } = started;
  try {
    await own.stop();
    t.true(await nextBeat(app));
    let view = await licenseOf(app, cookie);
    t.is(view.state, 'warning', 'the lease is still valid');
    t.is(view.reason, 'service_unreachable');
    t.is((await newUser(app, cookie, 'c1@loja.com.br')).status, 201, 'full function in warning');

    app.clock.advance(7 * HOUR); // past the 6 h lease
    view = await licenseOf(app, cookie);
    t.is(view.state, 'grace');
    t.true(view.graceSecondsLeft > 6 * 86400 && view.graceSecondsLeft <= 7 * 86400);
    const graced = await app.api('GET', '/api/license', { cookie });
    t.truthy(graced.headers['x-atendo-license-grace-ends']);
    t.is((await newUser(app, cookie, 'c2@loja.com.br')).status, 201, 'full function in grace');

    app.clock.advance(7 * DAY);
    // A week later the admin's session has expired too (7-day sessions): log in again, which works.
    const again = await app.login('admin@loja.com.br', PASSWORD);
    t.is(again.res.status, 200, 'login works while restricted');
    cookie = again.cookie;
    view = await licenseOf(app, cookie);
    t.is(view.state, 'restricted');
    t.is(view.reason, 'grace_over');
    t.is((await newUser(app, cookie, 'c3@loja.com.br')).body.error.code, 'license_restricted');

    // The service comes back. The appliance's clock is now days ahead of it: the first heartbeat is
    // answered with clock_skew and the service's time, and the retry succeeds.
    await own.start();
    t.true(await nextBeat(app));
    view = await licenseOf(app, cookie);
    t.is(view.state, 'active', JSON.stringify(view));
    t.is((await newUser(app, cookie, 'c3@loja.com.br')).status, 201);
    t.is((await app.api('GET', '/api/users', { cookie })).body.items.length, 4, 'nothing was lost on the way');
  } finally {
    await app.close();
    await own.close();
  }
});

test('a lease row with one byte edited is refused: restricted, lease_invalid', async (t) => {
  const { app, cookie } = await activatedAppliance(service, { limits: { users: 2 } });
  try {
    await app.deps.db('license_state').update({ lease_envelope: app.deps.db.raw(`replace(lease_envelope, '\\"users\\":2', '\\"users\\":9')`) });
    const edited = (await app.deps.db('license_state').first()).lease_envelope as string;
    t.true(edited.includes('\\"users\\":9'), 'the edit landed');
    app.deps.license.invalidate();
    const view = await licenseOf(app, cookie);
    t.is(view.state, 'restricted');
    t.is(view.reason, 'lease_invalid');
    t.is((await newUser(app, cookie, 'd1@loja.com.br')).status, 403);
  } finally {
    await app.close();
  }
});

test('a clock set back is detected, not taken as more time', async (t) => {
  const { app, cookie } = await activatedAppliance(service);
  try {
    app.clock.advance(3 * HOUR);
    await app.web.scheduler.tick(); // records the high-water mark
    app.clock.advance(-2 * HOUR);
    app.deps.license.invalidate();
    const view = await licenseOf(app, cookie);
    t.is(view.state, 'restricted');
    t.is(view.reason, 'clock_tampered');
    app.clock.advance(2 * HOUR);
    app.deps.license.invalidate();
    t.not((await licenseOf(app, cookie)).reason, 'clock_tampered', 'a clock back on time is fine again');
  } finally {
    await app.close();
  }
});

test('trusted time keeps running by the monotonic clock while the wall clock is held back', async (t) => {
  const { app } = await activatedAppliance(service);
  try {
    const trusted = async () => ((await app.deps.db('license_state').first()).trusted_time as Date).getTime();
    await app.web.scheduler.tick();
    const mark = await trusted();
    app.clock.advance(-4 * 60_000); // set back within the tolerance…
    await new Promise((r) => setTimeout(r, 1500));
    app.deps.license.invalidate();
    await app.web.scheduler.tick();
    t.true(await trusted() >= mark + 1400, '…the high-water mark still moved on by the time that really passed');
  } finally {
    await app.close();
  }
});

test('a license expiring within 14 days shows a warning', async (t) => {
  const { app, cookie } = await activatedAppliance(service, { validDays: 10 });
  try {
    const view = await licenseOf(app, cookie);
    t.is(view.state, 'warning');
    t.is(view.reason, 'license_expiring');
  } finally {
    await app.close();
  }
});

test('the user limit refuses at the limit and allows after the plan grows', async (t) => {
  const { lic, app, cookie } = await activatedAppliance(service, { limits: { users: 2 } });
  try {
    t.is((await newUser(app, cookie, 'e1@loja.com.br')).status, 201);
    const refused = await newUser(app, cookie, 'e2@loja.com.br');
    t.is(refused.status, 403);
    t.is(refused.body.error.code, 'plan_limit_users');
    t.is(refused.body.error.limit, 2);
    t.regex(refused.body.error.message, /2 active users/);
    await service.admin('PATCH', `/plans/${lic.planId}`, { limits: { users: 3 } });
    await nextBeat(app);
    t.is((await newUser(app, cookie, 'e2@loja.com.br')).status, 201);
  } finally {
    await app.close();
  }
});

test('a downgrade below usage deletes nothing and only blocks growth', async (t) => {
  const { lic, app, cookie } = await activatedAppliance(service, { limits: { users: 4 } });
  try {
    const ids: string[] = [];
    for (const email of ['f1@loja.com.br', 'f2@loja.com.br', 'f3@loja.com.br']) ids.push((await newUser(app, cookie, email)).body.id);
    await service.admin('PATCH', `/plans/${lic.planId}`, { limits: { users: 2 } });
    await nextBeat(app);
    const view = await licenseOf(app, cookie);
    t.deepEqual(view.usage.users, { used: 4, limit: 2, over: true });
    t.is((await app.api('GET', '/api/users', { cookie })).body.items.length, 4, 'every user is still there');
    t.is((await app.login('f3@loja.com.br', PASSWORD)).res.status, 200, 'and can still log in');
    t.is((await newUser(app, cookie, 'f4@loja.com.br')).body.error.code, 'plan_limit_users');
    t.is((await app.api('PATCH', `/api/users/${ids[0]}`, { cookie, body: { disabled: true } })).status, 200, 'disabling is allowed');
    const reenable = await app.api('PATCH', `/api/users/${ids[0]}`, { cookie, body: { disabled: false } });
    t.is(reenable.body.error.code, 'plan_limit_users', 're-enabling counts as growth');
  } finally {
    await app.close();
  }
});

test('exactly one heartbeat per interval across processes', async (t) => {
  const { lic, app } = await activatedAppliance(service);
  const { startWorker } = await import('../src/processes/worker.js');
  const { loadConfig } = await import('../src/config.js');
  const { createLogger } = await import('#kit/logger.js');
  const workers = await Promise.all([1, 2, 3].map(() =>
    startWorker(loadConfig({ ...app.env, HEARTBEAT_TICK_SECONDS: '3600' }), { trustedKeys: service.trustedKeys, now: app.clock.now, log: createLogger('silent', 't') })));
  try {
    // The test drives every tick itself: no timer may fire in the middle of a round.
    await Promise.all(workers.map((w) => w.scheduler.stop()));
    const seq = async () => (await service.admin('GET', `/licenses/${lic.licenseId}`)).body.leaseSeq as number;
    const before = await seq();
    const schedulers = [app.web.scheduler, ...workers.map((w) => w.scheduler)];
    for (let round = 1; round <= 3; round++) {
      app.clock.advance(16 * 60_000);
      const sent = await Promise.all(schedulers.flatMap((s) => [s.tick(), s.tick()]));
      t.is(sent.filter(Boolean).length, 1, `round ${round}: one process sent`);
      await Promise.all(schedulers.map((s) => s.tick())); // a late tick in the same interval sends nothing
      t.is(await seq(), before + round);
    }
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await app.close();
  }
});

test('concurrent requests cannot squeeze past the user limit', async (t) => {
  const { app, cookie } = await activatedAppliance(service, { limits: { users: 3 } });
  try {
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => newUser(app, cookie, `race${i}@loja.com.br`)));
    t.is(results.filter((r) => r.status === 201).length, 2, 'admin + 2 = the limit of 3');
    t.true(results.filter((r) => r.status !== 201).every((r) => r.body.error.code === 'plan_limit_users'));
    t.is((await licenseOf(app, cookie)).usage.users.used, 3);
  } finally {
    await app.close();
  }
});

test('a clock that ran ahead and was put right recovers by itself through the service time', async (t) => {
  const own = await startLicenseServiceProcess();
  const started = await activatedAppliance(own);
  const { app } = started;
  try {
    await own.stop();
    app.clock.advance(30 * DAY);
    await app.web.scheduler.tick(); // the high-water mark follows the clock forward
    await own.start();
    app.clock.advance(-30 * DAY); // the admin fixes the clock
    app.deps.license.invalidate();
    const { cookie } = await app.login('admin@loja.com.br', PASSWORD);
    t.is((await licenseOf(app, cookie)).reason, 'clock_tampered');
    t.true(await app.web.scheduler.tick(), 'a heartbeat is sent even though none is "due"');
    const view = await licenseOf(app, cookie);
    t.is(view.state, 'active', JSON.stringify(view));
  } finally {
    await app.close();
    await own.close();
  }
});

test('setting the clock back by less than the tolerance buys no time', async (t) => {
  const { app, cookie } = await activatedAppliance(service);
  try {
    const notAfter = Date.parse((await licenseOf(app, cookie)).leaseNotAfter);
    // The appliance has seen a minute past its lease (its high-water mark) without reaching the service…
    await app.deps.db('license_state').update({
      trusted_time: new Date(notAfter + 60_000), last_error_code: 'service_unreachable', last_attempt_at: new Date(notAfter + 60_000),
    });
    // …and its clock is set back inside the lease, within the 5-minute tolerance.
    app.clock.advance(notAfter - app.clock.now().getTime() - 3 * 60_000);
    app.deps.license.invalidate();
    const view = await licenseOf(app, cookie);
    t.is(view.state, 'grace', 'deadlines are judged on the trusted time, not the set-back clock');
  } finally {
    await app.close();
  }
});

test('several "check now" at once send one heartbeat', async (t) => {
  const { lic, app, cookie } = await activatedAppliance(service);
  try {
    const seq = async () => (await service.admin('GET', `/licenses/${lic.licenseId}`)).body.leaseSeq as number;
    const before = await seq();
    // The first one's heartbeat is held open at the service, so the others surely arrive while it is in flight.
    service.pause();
    const first = app.api('POST', '/api/license/refresh', { cookie });
    await waitFor(async () => (await app.deps.redis.exists('atendo:license:check-now')) === 1, 10_000, 'the first check in flight');
    const others = Array.from({ length: 3 }, () => app.api('POST', '/api/license/refresh', { cookie }));
    await new Promise((r) => setTimeout(r, 300));
    service.resume();
    const answers = await Promise.all([first, ...others]);
    t.true(answers.every((a) => a.status === 200 && a.body.state === 'active'));
    t.is(await seq(), before + 1);
  } finally {
    service.resume();
    await app.close();
  }
});

test('a suspension with the vendor\'s reason reaches /api/license, its headers and the socket; a resume lifts at the next one-minute check, with nobody clicking', async (t) => {
  const { lic, app, cookie } = await activatedAppliance(service);
  try {
    const socket = await app.socket(cookie);
    const changes: unknown[] = [];
    socket.on('license:changed', (e: unknown) => changes.push(e));
    const reason = 'Fatura 2291 em aberto — fale com o financeiro';
    t.is((await service.admin('POST', `/licenses/${lic.licenseId}/suspend`, { reason })).status, 200);
    t.true(await nextBeat(app));

    const res = await app.api('GET', '/api/license', { cookie });
    t.is(res.body.state, 'restricted');
    t.is(res.body.reason, 'license_suspended');
    t.is(res.body.vendorReason, reason, 'the vendor\'s words, as given');
    t.is(res.headers['x-atendo-license-reason'], 'license_suspended');
    t.is(decodeURIComponent(String(res.headers['x-atendo-license-vendor-reason'])), reason, 'percent-encoded in the header');
    const deadline = Date.now() + 5000;
    while (changes.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    t.true(changes.length > 0, 'the dashboard is told at once (license:changed)');
    // Restricted by a refusal the vendor can undo: the next check is a minute away, not 15.
    t.is(Date.parse(res.body.nextHeartbeatAt) - Date.parse(res.body.lastAttemptAt), 60_000);

    t.is((await service.admin('POST', `/licenses/${lic.licenseId}/resume`)).status, 200);
    app.clock.advance(30_000);
    t.false(await app.web.scheduler.tick(), 'not due yet half a minute later');
    t.is((await licenseOf(app, cookie)).state, 'restricted');
    app.clock.advance(31_000);
    t.true(await app.web.scheduler.tick(), 'due a minute after the refusal');
    const view = await licenseOf(app, cookie);
    t.is(view.state, 'active', JSON.stringify(view));
    t.is(view.vendorReason, null, 'the reason goes with the restriction');
    const after = await newUser(app, cookie, 'e1@loja.com.br');
    t.is(after.status, 201);
    t.is(after.headers['x-atendo-license-vendor-reason'], undefined);
    // Back to active: back to the vendor's interval.
    t.is(Date.parse(view.nextHeartbeatAt) - Date.parse(view.lastHeartbeatAt), 15 * 60_000);

    // A revocation is final: checking every minute would change nothing.
    await service.admin('POST', `/licenses/${lic.licenseId}/revoke`, { reason: 'Contrato encerrado' });
    await nextBeat(app);
    const revoked = await licenseOf(app, cookie);
    t.is(revoked.vendorReason, 'Contrato encerrado');
    t.is(Date.parse(revoked.nextHeartbeatAt) - Date.parse(revoked.lastAttemptAt), 15 * 60_000);
  } finally {
    await app.close();
  }
});

test('the first heartbeat goes right after activation: the vendor sees the machine\'s usage and version at once', async (t) => {
  const lic = await service.issueLicense();
  const app = await startTestAppliance({ licenseUrl: service.url, trustedKeys: service.trustedKeys });
  try {
    await activateLicense(app.deps, lic.key);
    const inst = (await service.admin('GET', `/installations?licenseId=${lic.licenseId}`)).body.items[0];
    t.truthy(inst.lastHeartbeatAt, 'not "never" for the first interval');
    t.deepEqual(inst.usage.users, { used: 0, limit: 5 });
    t.is(inst.version, '0.1.0');
  } finally {
    await app.close();
  }
});
