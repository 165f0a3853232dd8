import anyTest from 'ava';
import { activateLicense } from '../src/commands/licenseActivation.js';
import { startMetaSimulator, type MetaSimulator } from '../../scripts/meta-simulator/simulator.js';
import { PASSWORD, startLicenseServiceProcess, startTestAppliance, type LicenseServiceProcess, type TestAppliance } from './support.js';

const test = anyTest.serial;
let service: LicenseServiceProcess;
let sim: MetaSimulator;
let app: TestAppliance;
let admin: string;
let licenseId: string;

const whatsapp = (phoneNumberId: string, extra: Record<string, unknown> = {}) => ({
  channel: 'whatsapp', name: `Loja ${phoneNumberId.slice(-3)}`, phoneNumberId, accessToken: `EAAG-token-${phoneNumberId}`,
  appSecret: 'app-secret-0123456789', verifyToken: 'verify-me-please', ...extra,
});

anyTest.before(async () => {
  service = await startLicenseServiceProcess();
  sim = await startMetaSimulator();
  app = await startTestAppliance({ licenseUrl: service.url, trustedKeys: service.trustedKeys, graphUrl: sim.url });
  const lic = await service.issueLicense({ limits: { connections: 2 }, features: { instagram: false } });
  licenseId = lic.licenseId;
  await activateLicense(app.deps, lic.key);
  await app.addUser({ email: 'admin@loja.com.br', role: 'admin' });
  admin = (await app.login('admin@loja.com.br', PASSWORD)).cookie;
});
anyTest.after.always(async () => {
  await app?.close();
  await sim?.close();
  await service?.close();
});

test('a WhatsApp connection is created with its secrets sealed: never returned, not readable in the database', async (t) => {
  const res = await app.api('POST', '/api/connections', { cookie: admin, body: whatsapp('1000000001') });
  t.is(res.status, 201, res.text);
  t.is(res.body.channel, 'whatsapp');
  t.is(res.body.externalId, '1000000001');
  t.is(res.body.status, 'untested');
  t.is(res.body.webhookUrl, `http://atendo.test/webhooks/whatsapp/${res.body.id}`);
  t.false(/token|secret/i.test(JSON.stringify(Object.keys(res.body))), 'no secret field in the view');
  t.false(res.text.includes('EAAG-token'), 'the token is not in the response');

  const listed = await app.api('GET', '/api/connections', { cookie: admin });
  t.false(listed.text.includes('EAAG-token') || listed.text.includes('app-secret'));

  const row = await app.deps.db('connections').where({ id: res.body.id }).first();
  t.regex(row.secrets, /^v1\./);
  t.false(row.secrets.includes('EAAG') || row.secrets.includes('app-secret'), 'stored encrypted');

  // A sealed box copied onto another row does not open there (bound to its connection id).
  const other = await app.deps.db('connections').insert({ ...row, id: '00000000-0000-4000-8000-00000000abcd', external_id: '1000000999', deleted_at: new Date() }).returning('*');
  t.throws(() => app.deps.secrets!.open(other[0].secrets, other[0].id), { message: /could not be decrypted/ });
});

test('the connection test calls the Graph API with the stored token and keeps the outcome', async (t) => {
  sim.addWhatsAppNumber({ phoneNumberId: '1000000001', accessToken: 'EAAG-token-1000000001', displayPhoneNumber: '+55 11 4000-0001' });
  const [conn] = (await app.api('GET', '/api/connections', { cookie: admin })).body.items;
  const ok = await app.api('POST', `/api/connections/${conn.id}/test`, { cookie: admin });
  t.is(ok.status, 200, ok.text);
  t.is(ok.body.status, 'ok');
  t.is(ok.body.displayPhoneNumber, '+55 11 4000-0001');
  const call = sim.calls.findLast((c) => c.path.endsWith('/1000000001'));
  t.is(call?.authorization, 'Bearer EAAG-token-1000000001');

  // A rotated, wrong token: the test says so, with Meta's code.
  const rotated = await app.api('PATCH', `/api/connections/${conn.id}`, { cookie: admin, body: { accessToken: 'EAAG-wrong-token' } });
  t.is(rotated.body.status, 'untested', 'new secrets have not been tried yet');
  const bad = await app.api('POST', `/api/connections/${conn.id}/test`, { cookie: admin });
  t.is(bad.body.status, 'error');
  t.regex(bad.body.lastError, /^190: /);
  const audit = await app.deps.db('audit_log').where({ action: 'connection.update', subject_id: conn.id }).first();
  t.deepEqual(audit.detail.rotated, ['accessToken']);
  t.false(JSON.stringify(audit.detail).includes('EAAG-wrong-token'), 'the audit names the rotation, not the value');
  await app.api('PATCH', `/api/connections/${conn.id}`, { cookie: admin, body: { accessToken: 'EAAG-token-1000000001' } });
});

test('the plan limits connections and gates Instagram; the usage report counts connections', async (t) => {
  t.is((await app.api('POST', '/api/connections', { cookie: admin, body: whatsapp('1000000002') })).status, 201);
  const third = await app.api('POST', '/api/connections', { cookie: admin, body: whatsapp('1000000003') });
  t.is(third.status, 403);
  t.is(third.body.error.code, 'plan_limit_connections');
  t.is(third.body.error.limit, 2);

  const ig = await app.api('POST', '/api/connections', { cookie: admin, body: { channel: 'instagram', name: 'IG', accountId: '17841400000000001', accessToken: 'IGQ-token-123', appSecret: 'app-secret-0123456789', verifyToken: 'verify-me-please' } });
  t.is(ig.status, 403);
  t.is(ig.body.error.code, 'plan_feature_disabled');
  t.is(ig.body.error.feature, 'instagram');

  const license = await app.api('GET', '/api/license', { cookie: admin });
  t.is(license.body.usage.connections.used, 2);
  t.is(await app.deps.db('connections').whereNull('deleted_at').count('* as c').then((r) => Number(r[0]!.c)), 2, 'nothing past the limit was stored');
});

test('concurrent additions cannot squeeze past the limit', async (t) => {
  const [one] = (await app.api('GET', '/api/connections', { cookie: admin })).body.items;
  t.is((await app.api('DELETE', `/api/connections/${one.id}`, { cookie: admin })).status, 204);
  const results = await Promise.all(['1000000011', '1000000012', '1000000013'].map((id) => app.api('POST', '/api/connections', { cookie: admin, body: whatsapp(id) })));
  t.deepEqual(results.map((r) => r.status).sort(), [201, 403, 403]);
});

test('bad input and the wrong role get stable codes and store nothing', async (t) => {
  const before = await app.deps.db('connections').count('* as c').then((r) => Number(r[0]!.c));
  const cases: [unknown, number, string][] = [
    [{ ...whatsapp('12'), phoneNumberId: 'abc' }, 400, 'validation_failed'],
    [{ ...whatsapp('1000000021'), accessToken: 'short' }, 400, 'validation_failed'],
    [{ ...whatsapp('1000000021'), channel: 'telegram' }, 400, 'validation_failed'],
    [{ ...whatsapp('1000000021'), surprise: true }, 400, 'validation_failed'],
    [{ ...whatsapp('1000000021'), teamId: '00000000-0000-4000-8000-000000000000' }, 400, 'validation_failed'],
  ];
  for (const [body, status, code] of cases) {
    const res = await app.api('POST', '/api/connections', { cookie: admin, body });
    t.is(res.status, status, JSON.stringify(body));
    t.is(res.body.error.code, code);
  }
  t.is((await app.api('GET', '/api/connections/not-a-uuid', { cookie: admin })).body.error.code, 'validation_failed');
  t.is((await app.api('GET', '/api/connections/00000000-0000-4000-8000-000000000000', { cookie: admin })).status, 404);

  await app.addUser({ email: 'sup@loja.com.br', role: 'supervisor' });
  await app.addUser({ email: 'ana@loja.com.br', role: 'attendant' });
  const sup = (await app.login('sup@loja.com.br', PASSWORD)).cookie;
  const ana = (await app.login('ana@loja.com.br', PASSWORD)).cookie;
  const denied = await app.api('POST', '/api/connections', { cookie: sup, body: whatsapp('1000000031') });
  t.is(denied.status, 403);
  t.is(denied.body.error.code, 'forbidden');
  const [conn] = (await app.api('GET', '/api/connections', { cookie: ana })).body.items;
  t.truthy(conn, 'attendants list connections (to filter the inbox)');
  t.is((await app.api('GET', `/api/connections/${conn.id}/health`, { cookie: ana })).status, 403);
  t.is((await app.api('GET', `/api/connections/${conn.id}/health`, { cookie: sup })).status, 200);
  t.is(await app.deps.db('connections').count('* as c').then((r) => Number(r[0]!.c)), before);
});

test('the health view answers "is WhatsApp working?"', async (t) => {
  const [conn] = (await app.api('GET', '/api/connections', { cookie: admin })).body.items;
  const health = await app.api('GET', `/api/connections/${conn.id}/health`, { cookie: admin });
  t.is(health.status, 200);
  for (const key of ['status', 'lastInboundAt', 'lastOutboundAt', 'signatureFailures', 'sendErrorsLastDay', 'queuedMessages', 'sendQueue']) {
    t.true(key in health.body, key);
  }
  t.is(health.body.signatureFailures, 0);
  t.deepEqual(health.body.sendErrorsLastDay, []);
});

test('without ENCRYPTION_KEY no connection is stored, with a clear code', async (t) => {
  const bare = await startTestAppliance({ licenseUrl: service.url, trustedKeys: service.trustedKeys, env: { ENCRYPTION_KEY: '' } });
  try {
    await activateLicense(bare.deps, (await service.issueLicense()).key);
    await bare.addUser({ email: 'admin@loja.com.br', role: 'admin' });
    const cookie = (await bare.login('admin@loja.com.br', PASSWORD)).cookie;
    const res = await bare.api('POST', '/api/connections', { cookie, body: whatsapp('1000000041') });
    t.is(res.status, 503);
    t.is(res.body.error.code, 'encryption_key_missing');
  } finally {
    await bare.close();
  }
});

test('a restricted license keeps connections readable and refuses changes', async (t) => {
  await service.admin('POST', `/licenses/${licenseId}/suspend`);
  app.clock.advance(16 * 60_000);
  await app.web.scheduler.tick();
  const list = await app.api('GET', '/api/connections', { cookie: admin });
  t.is(list.status, 200);
  const res = await app.api('POST', '/api/connections', { cookie: admin, body: whatsapp('1000000051') });
  t.is(res.body.error.code, 'license_restricted');
  await service.admin('POST', `/licenses/${licenseId}/resume`);
  app.clock.advance(16 * 60_000);
  await app.web.scheduler.tick();
});
