import anyTest from 'ava';
import { cloneTestDatabase } from '../../scripts/services/testDatabases.js';
import { createDb } from '#kit/db.js';
import * as taxIdMigration from '../migrations/20261210_0003_client_tax_id_unique.js';
import { call, defaultFeatures, defaultLimits, issueTestLicense, newCnpj, startTestService, TestAppliance, type TestService } from './support.js';

// Some tests move the service clock, so this file's tests run one at a time.
const test = anyTest.serial;

let svc: TestService;
anyTest.before(async () => { svc = await startTestService(); });
anyTest.after.always(async () => { await svc?.close(); });

const counts = async () => {
  const [plans, clients, licenses] = await Promise.all(
    ['plans', 'clients', 'licenses'].map((t) => svc.deps.db(t).count<{ count: string }[]>('* as count')),
  );
  return { plans: Number(plans![0]!.count), clients: Number(clients![0]!.count), licenses: Number(licenses![0]!.count) };
};

const adminRoutes: [string, string][] = [
  ['GET', '/plans'], ['POST', '/plans'], ['GET', '/plans/00000000-0000-4000-8000-000000000000'],
  ['PATCH', '/plans/00000000-0000-4000-8000-000000000000'], ['GET', '/clients'], ['POST', '/clients'],
  ['GET', '/clients/00000000-0000-4000-8000-000000000000'], ['GET', '/licenses'], ['POST', '/licenses'],
  ['GET', '/licenses/00000000-0000-4000-8000-000000000000'],
  ...['suspend', 'resume', 'revoke', 'renew', 'plan', 'rebind'].map((a): [string, string] => ['POST', `/licenses/00000000-0000-4000-8000-000000000000/${a}`]),
  ['GET', '/installations'], ['GET', '/audit'],
];

test('no admin route answers without a valid token, and every refusal is audited', async (t) => {
  for (const [i, [method, route]] of adminRoutes.entries()) {
    // One address per route: the per-IP throttle would otherwise step in (tested below).
    const localAddress = `127.0.2.${i + 1}`;
    const url = `${svc.url}/admin/v1${route}`;
    const none = await call(method, url, { body: method === 'GET' ? undefined : {}, localAddress });
    t.is(none.status, 401, `${method} ${route} without token`);
    t.is(none.body.error.code, 'unauthorized');
    const wrong = await call(method, url, { body: method === 'GET' ? undefined : {}, headers: { authorization: `Bearer ${svc.adminToken}x` }, localAddress });
    t.is(wrong.status, 401, `${method} ${route} with a wrong token`);
    const basic = await call(method, url, { headers: { authorization: `Basic ${svc.adminToken}` }, localAddress });
    t.is(basic.status, 401);
  }
  const audit = await svc.admin('GET', '/audit?action=security.admin_auth_failed&limit=200');
  t.true(audit.body.items.length >= adminRoutes.length * 3 - 2);
  t.true(audit.body.items.every((e: any) => !JSON.stringify(e).includes(svc.adminToken)), 'tokens never land in the audit');
});

test('guessing admin tokens is throttled per IP', async (t) => {
  const limited = await startTestService({ GUESS_LIMIT_PER_IP: '3' });
  try {
    for (let i = 0; i < 3; i++) {
      t.is((await call('GET', `${limited.url}/admin/v1/plans`, { headers: { authorization: 'Bearer wrong-token-guess-123' }, localAddress: '127.0.1.3' })).status, 401);
    }
    const blocked = await call('GET', `${limited.url}/admin/v1/plans`, { headers: { authorization: `Bearer ${limited.adminToken}` }, localAddress: '127.0.1.3' });
    t.is(blocked.status, 429);
    t.is(blocked.body.error.code, 'too_many_attempts');
    t.is((await limited.admin('GET', '/plans')).status, 200, 'the admin on another address is not locked out');
  } finally {
    await limited.close();
  }
});

test('every admin action leaves an audit entry with who, what, before and after', async (t) => {
  const lic = await issueTestLicense(svc);
  const other = await svc.admin('POST', '/plans', { code: `other-${Date.now()}`, name: 'Other', limits: defaultLimits, features: defaultFeatures });
  await svc.admin('PATCH', `/plans/${lic.planId}`, { name: 'Pro 2' });
  await svc.admin('POST', `/licenses/${lic.licenseId}/suspend`, { reason: 'late invoice' });
  await svc.admin('POST', `/licenses/${lic.licenseId}/resume`);
  await svc.admin('POST', `/licenses/${lic.licenseId}/renew`, { extendDays: 10 });
  await svc.admin('POST', `/licenses/${lic.licenseId}/plan`, { planId: other.body.id });
  await svc.admin('POST', `/licenses/${lic.licenseId}/rebind`, { ip: '127.0.0.99' });
  await svc.admin('POST', `/licenses/${lic.licenseId}/revoke`);

  const trail = await svc.admin('GET', `/audit?kind=admin&licenseId=${lic.licenseId}`);
  const actions = trail.body.items.map((e: any) => e.action).reverse();
  t.deepEqual(actions, ['license.issue', 'license.suspend', 'license.resume', 'license.renew', 'license.change_plan', 'license.rebind', 'license.revoke']);
  for (const e of trail.body.items) {
    t.is(e.actor, 'admin:tester');
    t.is(e.ip, '127.0.0.1');
    t.truthy(e.at);
    t.truthy(e.after);
  }
  const suspend = trail.body.items.find((e: any) => e.action === 'license.suspend');
  t.is(suspend.before.status, 'active');
  t.is(suspend.after.status, 'suspended');
  t.deepEqual(suspend.detail, { reason: 'late invoice' });
  const rebind = trail.body.items.find((e: any) => e.action === 'license.rebind');
  t.is(rebind.after.boundIp, '127.0.0.99');

  const plans = await svc.admin('GET', `/audit?action=plan.*`);
  t.true(plans.body.items.some((e: any) => e.action === 'plan.update' && e.before.name === 'Pro' && e.after.name === 'Pro 2'));
  t.true(plans.body.items.some((e: any) => e.action === 'plan.create' && e.subject.id === other.body.id));
  const clients = await svc.admin('GET', `/audit?action=client.create`);
  t.true(clients.body.items.some((e: any) => e.subject.id === lic.clientId));
  const keyIssue = trail.body.items.find((e: any) => e.action === 'license.issue');
  t.false(JSON.stringify(keyIssue).includes('ATD-'), 'the key itself is not in the audit');
});

test('the key is shown once at issue; the service keeps only a hash and a suffix', async (t) => {
  const lic = await issueTestLicense(svc);
  t.regex(lic.key, /^ATD(-[0-9A-Z]{5}){5}$/);
  const shown = await svc.admin('GET', `/licenses/${lic.licenseId}`);
  t.is(shown.body.key, undefined);
  t.is(shown.body.keySuffix, lic.key.slice(-5));
  const row = await svc.deps.db('licenses').where({ id: lic.licenseId }).first();
  t.false(JSON.stringify(row).includes(lic.key));
  t.is(row.key_hash.length, 64);
});

test('bad input gets a 4xx with a stable code and writes nothing', async (t) => {
  const lic = await issueTestLicense(svc);
  const before = await counts();
  const cases: [string, string, unknown, number, string][] = [
    ['POST', '/plans', { code: 'x', name: 'X', limits: defaultLimits, features: defaultFeatures }, 400, 'validation_failed'],
    ['POST', '/plans', { code: 'ok-code', name: 'X', limits: { ...defaultLimits, users: -1 }, features: defaultFeatures }, 400, 'validation_failed'],
    ['POST', '/plans', { code: 'ok-code', name: 'X', limits: { ...defaultLimits, users: '5' }, features: defaultFeatures }, 400, 'validation_failed'],
    ['POST', '/plans', { code: 'ok-code', name: 'X', limits: defaultLimits }, 400, 'validation_failed'],
    ['POST', '/plans', { code: 'ok-code', name: 'X', limits: defaultLimits, features: defaultFeatures, admin: true }, 400, 'validation_failed'],
    ['POST', '/plans', { code: 'ok-code', name: 'X', limits: { ...defaultLimits, seats: 3 }, features: defaultFeatures }, 400, 'validation_failed'],
    ['PATCH', `/plans/${lic.planId}`, {}, 400, 'validation_failed'],
    ['PATCH', '/plans/not-a-uuid', { name: 'x' }, 400, 'validation_failed'],
    ['PATCH', '/plans/00000000-0000-4000-8000-000000000000', { name: 'x' }, 404, 'not_found'],
    ['POST', '/clients', { name: 'A', email: 'not-an-email' }, 400, 'validation_failed'],
    ['POST', '/clients', { name: 'A', email: 'a@b.co', taxId: '123.456.789-00' }, 400, 'validation_failed'],
    ['POST', '/clients', { name: 'A', email: 'a@b.co', taxId: '11.222.333/0001-80' }, 400, 'validation_failed'],
    ['POST', '/clients', { email: 'a@b.co' }, 400, 'validation_failed'],
    ['POST', '/licenses', { clientId: lic.clientId, planId: lic.planId }, 400, 'validation_failed'],
    ['POST', '/licenses', { clientId: lic.clientId, planId: lic.planId, validDays: 0 }, 400, 'validation_failed'],
    ['POST', '/licenses', { clientId: lic.clientId, planId: lic.planId, expiresAt: '2020-01-01T00:00:00Z' }, 400, 'validation_failed'],
    ['POST', '/licenses', { clientId: lic.clientId, planId: lic.planId, validDays: 30, boundIp: '300.1.1.1' }, 400, 'validation_failed'],
    ['POST', '/licenses', { clientId: '00000000-0000-4000-8000-000000000000', planId: lic.planId, validDays: 30 }, 404, 'not_found'],
    ['POST', `/licenses/${lic.licenseId}/rebind`, {}, 400, 'validation_failed'],
    ['POST', `/licenses/${lic.licenseId}/renew`, { extendDays: 5, expiresAt: '2030-01-01T00:00:00Z' }, 400, 'validation_failed'],
    ['POST', `/licenses/${lic.licenseId}/resume`, {}, 409, 'invalid_license_transition'],
    ['GET', '/audit?limit=100000', undefined, 400, 'validation_failed'],
    ['GET', '/audit?cursor=garbage', undefined, 400, 'invalid_cursor'],
    ['GET', '/audit?since=yesterday', undefined, 400, 'validation_failed'],
    ['GET', '/licenses?status=lost', undefined, 400, 'validation_failed'],
    ['GET', '/admin-nope', undefined, 404, 'route_not_found'],
  ];
  for (const [method, route, body, status, code] of cases) {
    const res = await svc.admin(method, route, body);
    t.is(res.status, status, `${method} ${route} ${JSON.stringify(body)} → ${res.text}`);
    t.is(res.body.error?.code, code, `${method} ${route}`);
    t.is(typeof res.body.error?.message, 'string');
  }
  const auth = { authorization: `Bearer ${svc.adminToken}` };
  const malformed = await call('POST', `${svc.url}/admin/v1/plans`, { raw: '{"code": ', headers: auth });
  t.is(malformed.status, 400);
  t.is(malformed.body.error.code, 'malformed_json');
  const notJson = await call('POST', `${svc.url}/admin/v1/plans`, { raw: 'code=x', headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' } });
  t.is(notJson.status, 415);
  t.is(notJson.body.error.code, 'unsupported_media_type');
  const huge = await call('POST', `${svc.url}/admin/v1/clients`, { body: { name: 'x'.repeat(200_000), email: 'a@b.co' }, headers: auth });
  t.is(huge.status, 413);
  t.is(huge.body.error.code, 'body_too_large');
  t.deepEqual(await counts(), before, 'nothing was written');
  t.is((await call('GET', `${svc.url}/health`)).status, 200, 'the process is unharmed');
});

test('the appliance endpoints refuse bad input with stable codes', async (t) => {
  const lic = await issueTestLicense(svc);
  const app = new TestAppliance(svc, '127.0.1.10');
  await app.activate(lic.key);
  const req = app.heartbeatRequest();
  const send = (raw: string, headers: Record<string, string> = {}) =>
    call('POST', `${svc.url}/v1/heartbeat`, { raw, headers: { 'x-atendo-signature': req.signature, ...headers }, localAddress: '127.0.1.10' });

  const body = JSON.parse(req.body);
  const expectations: [string, string, number][] = [
    [JSON.stringify({ ...body, extra: 1 }), 'validation_failed', 400],
    [JSON.stringify({ ...body, usage: { ...body.usage, users: -3 } }), 'validation_failed', 400],
    [JSON.stringify({ ...body, usage: { ...body.usage, users: '3' } }), 'validation_failed', 400],
    [JSON.stringify({ ...body, nonce: 'short' }), 'validation_failed', 400],
    [JSON.stringify({ ...body, installationId: 'abc' }), 'validation_failed', 400],
    [JSON.stringify({ ...body, installationId: '00000000-0000-4000-8000-000000000000' }), 'installation_not_found', 404],
    [JSON.stringify({ ...body, type: 'activate' }), 'validation_failed', 400],
    ['[1,2,3]', 'validation_failed', 400],
    ['{"type":"heartbeat",', 'malformed_json', 400],
  ];
  for (const [raw, code, status] of expectations) {
    const res = await send(raw);
    t.is(res.status, status, raw.slice(0, 80));
    t.is(res.body.error.code, code, raw.slice(0, 80));
  }
  const unsigned = await call('POST', `${svc.url}/v1/heartbeat`, { raw: req.body, localAddress: '127.0.1.10' });
  t.is(unsigned.body.error.code, 'invalid_signature');
  const oversize = await send(JSON.stringify({ ...body, pad: 'x'.repeat(100_000) }));
  t.is(oversize.status, 413);
  t.is(oversize.body.error.code, 'body_too_large');

  const badPem = await call('POST', `${svc.url}/v1/activate`, {
    body: { type: 'activate', licenseKey: lic.key, publicKeyPem: 'not a key', fingerprint: app.fingerprint, hostname: 'h', version: '1.0.0', timestamp: new Date().toISOString(), nonce: 'a'.repeat(20) },
    headers: { 'x-atendo-signature': 'AAAA' }, localAddress: '127.0.1.11',
  });
  t.is(badPem.status, 400);
  t.is(badPem.body.error.code, 'validation_failed');
  t.regex(badPem.body.error.message, /publicKeyPem/);
  // The original, untouched request still works: nothing above consumed its nonce or hurt the process.
  t.is((await app.send('/v1/heartbeat', req)).status, 200);
});

test('clients are listed by cursor and shown with their licenses', async (t) => {
  const created: string[] = [];
  for (let i = 0; i < 5; i++) {
    const c = await svc.admin('POST', '/clients', { name: `Loja ${i}`, email: `loja${i}@exemplo.com.br`, taxId: i === 1 ? '529.982.247-25' : i === 3 ? newCnpj() : null });
    t.is(c.status, 201, c.text);
    created.push(c.body.id);
  }
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page: any = await svc.admin('GET', `/clients?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    t.true(page.body.items.length <= 2);
    seen.push(...page.body.items.map((c: any) => c.id));
    cursor = page.body.nextCursor;
  } while (cursor);
  t.is(new Set(seen).size, seen.length, 'no client twice');
  for (const id of created) t.true(seen.includes(id));
  const withTax = await svc.admin('GET', `/clients/${created[1]}`);
  t.is(withTax.body.taxId, '52998224725');
  t.deepEqual(withTax.body.licenses, []);
});

test('installations show a stale mark when no heartbeat came within the window', async (t) => {
  const lic = await issueTestLicense(svc);
  const app = new TestAppliance(svc, '127.0.1.20');
  await app.activate(lic.key);
  await app.heartbeat({ users: 2 });
  const fresh = await svc.admin('GET', `/installations?licenseId=${lic.licenseId}`);
  t.is(fresh.body.items[0].stale, false);
  t.is(fresh.body.items[0].hostname, 'vps-atendo');
  t.is(fresh.body.items[0].boundIp, '127.0.1.20');
  svc.clock.advance((svc.deps.config.STALE_AFTER_SECONDS + 60) * 1000);
  try {
    const stale = await svc.admin('GET', `/installations?licenseId=${lic.licenseId}`);
    t.is(stale.body.items[0].stale, true);
    const onlyStale = await svc.admin('GET', '/installations?stale=true&limit=200');
    t.true(onlyStale.body.items.some((i: any) => i.licenseId === lic.licenseId));
  } finally {
    svc.clock.advance(-(svc.deps.config.STALE_AFTER_SECONDS + 60) * 1000);
  }
});

test('whoami answers the caller address without authentication', async (t) => {
  const res = await call('GET', `${svc.url}/v1/whoami`, { localAddress: '127.0.1.30' });
  t.is(res.status, 200);
  t.is(res.body.ip, '127.0.1.30');
  t.truthy(Date.parse(res.body.serviceTime));
  const keys = await call('GET', `${svc.url}/v1/keys`);
  t.is(keys.body.keys.length, 1);
  t.is(keys.body.keys[0].kid, svc.deps.keyring.active.kid);
});

test('a machine activated moments ago is not stale, even before its first heartbeat', async (t) => {
  const lic = await issueTestLicense(svc);
  await new TestAppliance(svc, '127.0.1.40').activate(lic.key);
  const list = await svc.admin('GET', `/installations?licenseId=${lic.licenseId}`);
  t.is(list.body.items[0].lastHeartbeatAt, null);
  t.is(list.body.items[0].stale, false);
  const stale = await svc.admin('GET', '/installations?stale=true&limit=200');
  t.false(stale.body.items.some((i: any) => i.licenseId === lic.licenseId));
});

test('an IP typed by the admin is stored in the spelling the service sees', async (t) => {
  const lic = await issueTestLicense(svc);
  const res = await svc.admin('POST', `/licenses/${lic.licenseId}/rebind`, { ip: '2001:DB8:0:0::0:1' });
  t.is(res.body.boundIp, '2001:db8::1');
});

test('a second client with a tax id already taken is refused with client_tax_id_taken, in any spelling', async (t) => {
  const cnpj = newCnpj();
  const first = await svc.admin('POST', '/clients', { name: 'Padaria Pão Quente', email: 'dono@padaria.com.br', taxId: cnpj });
  t.is(first.status, 201, first.text);
  const before = await counts();
  for (const spelling of [cnpj, cnpj.replace(/\D/g, ''), ` ${cnpj.replace(/[./-]/g, ' ')} `]) {
    const dup = await svc.admin('POST', '/clients', { name: 'Outra Padaria', email: 'outra@padaria.com.br', taxId: spelling });
    t.is(dup.status, 409, `${spelling}: ${dup.text}`);
    t.is(dup.body.error.code, 'client_tax_id_taken');
    t.true(dup.body.error.message.includes(first.body.id), 'the message names the client that has it');
  }
  // Two at once: the unique index settles it, with the same code.
  const other = newCnpj();
  const race = await Promise.all([1, 2, 3].map((i) => svc.admin('POST', '/clients', { name: `Loja ${i}`, email: `l${i}@loja.com.br`, taxId: other })));
  t.deepEqual(race.map((r) => r.status).sort(), [201, 409, 409]);
  t.true(race.filter((r) => r.status === 409).every((r) => r.body.error.code === 'client_tax_id_taken'));
  t.deepEqual(await counts(), { ...before, clients: before.clients + 1 }, 'only the winner of the race was written');
  const noTax = await Promise.all([1, 2].map((i) => svc.admin('POST', '/clients', { name: `Sem CNPJ ${i}`, email: `s${i}@loja.com.br` })));
  t.deepEqual(noTax.map((r) => r.status), [201, 201], 'clients without a tax id are not duplicates of each other');
});

test('the tax id migration keeps clients that already share one: the oldest is indexed, the rest audited', async (t) => {
  const database = await cloneTestDatabase('licenseService');
  const db = createDb(database.url, 2);
  try {
    await taxIdMigration.down(db);
    await db('clients').insert([
      { name: 'Primeira', email: 'a@x.com', tax_id: '11222333000181', created_at: new Date(1_000) },
      { name: 'Segunda', email: 'b@x.com', tax_id: '11222333000181', created_at: new Date(2_000) },
      { name: 'Estrangeira', email: 'c@x.com', tax_id: 'PT 123456789', created_at: new Date(3_000) },
      { name: 'Estrangeira bis', email: 'd@x.com', tax_id: 'pt-123456789', created_at: new Date(4_000) },
    ]);
    await taxIdMigration.up(db);
    const rows = await db('clients').orderBy('created_at').select('name', 'tax_id', 'tax_id_key');
    t.deepEqual(rows.map((r) => [r.name, r.tax_id, r.tax_id_key]), [
      ['Primeira', '11222333000181', '11222333000181'],
      ['Segunda', '11222333000181', null],
      ['Estrangeira', 'PT 123456789', 'PT123456789'],
      ['Estrangeira bis', 'pt-123456789', null],
    ], 'nothing deleted or rewritten');
    const audit = await db('audit_events').where({ action: 'client.tax_id_duplicate' }).select('detail');
    t.is(audit.length, 2);
    const dup = db('clients').insert({ name: 'Terceira', email: 'e@x.com', tax_id: '11222333000181', tax_id_key: '11222333000181' });
    await t.throwsAsync(dup, { message: /clients_tax_id_key_unique/ });
  } finally {
    await db.destroy();
    await database.drop();
  }
});

test('licenses are listed and shown with their client\'s name', async (t) => {
  const lic = await issueTestLicense(svc);
  const list = await svc.admin('GET', `/licenses?clientId=${lic.clientId}`);
  t.is(list.status, 200, list.text);
  t.deepEqual(list.body.items.map((l: any) => l.client), [{ id: lic.clientId, name: 'Padaria Pão Quente' }]);
  const all = await svc.admin('GET', '/licenses?limit=2');
  t.true(all.body.items.every((l: any) => typeof l.client.name === 'string'));
  const page2 = await svc.admin('GET', `/licenses?limit=2&cursor=${all.body.nextCursor}`);
  t.is(page2.status, 200, 'the cursor still pages with the join');
  const shown = await svc.admin('GET', `/licenses/${lic.licenseId}`);
  t.deepEqual(shown.body.client, { id: lic.clientId, name: 'Padaria Pão Quente' });
});
