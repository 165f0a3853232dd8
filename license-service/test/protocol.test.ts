import anyTest from 'ava';

// Some tests move the service clock, so this file's tests run one at a time.
const test = anyTest.serial;
import { verifyLease, type LeaseEnvelope } from '#protocol/lease.js';
import { call, issueTestLicense, startTestService, TestAppliance, trustedKeysOf, type TestService } from './support.js';

let svc: TestService;
anyTest.before(async () => { svc = await startTestService(); });
anyTest.after.always(async () => { await svc?.close(); });

const leaseOf = (envelope: LeaseEnvelope) => {
  const v = verifyLease(envelope, trustedKeysOf(svc));
  if (!v.ok) throw new Error(`lease does not verify: ${v.reason}`);
  return v.lease;
};

test('issue → activate from IP A → heartbeat → the lease verifies with the service public key', async (t) => {
  const lic = await issueTestLicense(svc);
  const app = new TestAppliance(svc, '127.0.0.11');
  const act = await app.activate(lic.key);
  t.is(act.status, 200, act.text);
  t.is(act.body.boundIp, '127.0.0.11');
  t.is(act.body.client.name, 'Padaria Pão Quente');
  const first = leaseOf(act.body.lease);
  t.is(first.licenseId, lic.licenseId);

  const hb = await app.heartbeat({ users: 3, connections: 1, messagesThisMonth: 120, campaignsThisMonth: 1 });
  t.is(hb.status, 200, hb.text);
  const lease = leaseOf(hb.body.lease);
  t.is(lease.installationId, app.installationId);
  t.is(lease.boundIp, '127.0.0.11');
  t.deepEqual(lease.plan.limits, { users: 5, connections: 2, messagesPerMonth: 10_000, campaignsPerMonth: 4 });
  t.true(lease.seq > first.seq, 'sequence numbers only grow');
  t.true(Date.parse(lease.notAfter) > Date.parse(lease.issuedAt));
  t.true(Date.parse(lease.notAfter) - Date.parse(lease.issuedAt) <= svc.deps.config.LEASE_TTL_SECONDS * 1000);

  const inst = await svc.admin('GET', `/installations?licenseId=${lic.licenseId}`);
  t.is(inst.body.items.length, 1);
  t.deepEqual(inst.body.items[0].usage.messagesThisMonth, { used: 120, limit: 10_000 });
  t.is(inst.body.items[0].stale, false);
});

test('a lease with one byte changed no longer verifies', async (t) => {
  const lic = await issueTestLicense(svc);
  const app = new TestAppliance(svc, '127.0.0.12');
  const act = await app.activate(lic.key);
  const envelope: LeaseEnvelope = act.body.lease;
  t.true(verifyLease(envelope, trustedKeysOf(svc)).ok);
  const edited = { ...envelope, payload: envelope.payload.replace('"users":5', '"users":9') };
  t.not(edited.payload, envelope.payload);
  t.deepEqual(verifyLease(edited, trustedKeysOf(svc)), { ok: false, reason: 'bad_signature' });
  // Every single byte position matters, not just the interesting ones.
  for (const i of [0, Math.floor(envelope.payload.length / 2), envelope.payload.length - 1]) {
    const c = envelope.payload.charCodeAt(i);
    const flipped = envelope.payload.slice(0, i) + String.fromCharCode(c ^ 1) + envelope.payload.slice(i + 1);
    t.false(verifyLease({ ...envelope, payload: flipped }, trustedKeysOf(svc)).ok, `byte ${i}`);
  }
  const sig = Buffer.from(envelope.signature, 'base64');
  sig[10] = sig[10]! ^ 0xff;
  t.false(verifyLease({ ...envelope, signature: sig.toString('base64') }, trustedKeysOf(svc)).ok);
  t.deepEqual(verifyLease({ ...envelope, kid: 'f'.repeat(32) }, trustedKeysOf(svc)), { ok: false, reason: 'unknown_key' });
});

test('a heartbeat from another IP is refused with ip_mismatch and audited; after a rebind it is accepted', async (t) => {
  const lic = await issueTestLicense(svc);
  const app = new TestAppliance(svc, '127.0.0.13');
  t.is((await app.activate(lic.key)).status, 200);

  const fromB = await app.heartbeat({}, { localAddress: '127.0.0.14' });
  t.is(fromB.status, 403);
  t.is(fromB.body.error.code, 'ip_mismatch');
  const audit = await svc.admin('GET', `/audit?licenseId=${lic.licenseId}&action=security.ip_mismatch`);
  t.is(audit.body.items.length, 1);
  t.is(audit.body.items[0].ip, '127.0.0.14');

  const rebind = await svc.admin('POST', `/licenses/${lic.licenseId}/rebind`, { ip: '127.0.0.14' });
  t.is(rebind.status, 200, rebind.text);
  const ok = await app.heartbeat({}, { localAddress: '127.0.0.14' });
  t.is(ok.status, 200, ok.text);
  t.is(leaseOf(ok.body.lease).boundIp, '127.0.0.14');
  t.is((await app.heartbeat({}, { localAddress: '127.0.0.13' })).body.error.code, 'ip_mismatch');
});

test('a rebind without an IP lets the next authenticated heartbeat bind the new address', async (t) => {
  const lic = await issueTestLicense(svc);
  const app = new TestAppliance(svc, '127.0.0.15');
  await app.activate(lic.key);
  await svc.admin('POST', `/licenses/${lic.licenseId}/rebind`, { ip: null });
  const hb = await app.heartbeat({}, { localAddress: '127.0.0.16' });
  t.is(hb.status, 200, hb.text);
  t.is(leaseOf(hb.body.lease).boundIp, '127.0.0.16');
});

test('a license pre-bound to an IP refuses activation from another one', async (t) => {
  const lic = await issueTestLicense(svc, { boundIp: '127.0.0.17' });
  const wrong = await new TestAppliance(svc, '127.0.0.18').activate(lic.key);
  t.is(wrong.status, 403);
  t.is(wrong.body.error.code, 'ip_mismatch');
  const right = await new TestAppliance(svc, '127.0.0.17').activate(lic.key);
  t.is(right.status, 200, right.text);
});

test('suspended, revoked, expired and unknown keys are each refused with their own code', async (t) => {
  const suspended = await issueTestLicense(svc);
  const revoked = await issueTestLicense(svc);
  const expiring = await issueTestLicense(svc, { validDays: 1 });
  const live = new TestAppliance(svc, '127.0.0.19');
  t.is((await live.activate(suspended.key)).status, 200);

  t.is((await svc.admin('POST', `/licenses/${suspended.licenseId}/suspend`, { reason: 'invoice overdue' })).status, 200);
  t.is((await live.heartbeat()).body.error.code, 'license_suspended');
  t.is((await new TestAppliance(svc, '127.0.0.19').activate(suspended.key)).body.error.code, 'license_suspended');
  t.is((await svc.admin('POST', `/licenses/${suspended.licenseId}/resume`)).status, 200);
  t.is((await live.heartbeat()).status, 200, 'resuming restores service');

  t.is((await svc.admin('POST', `/licenses/${revoked.licenseId}/revoke`)).status, 200);
  const rev = await new TestAppliance(svc, '127.0.0.20').activate(revoked.key);
  t.is(rev.status, 403);
  t.is(rev.body.error.code, 'license_revoked');
  const again = await svc.admin('POST', `/licenses/${revoked.licenseId}/resume`);
  t.is(again.status, 409, 'revocation is final');
  t.is(again.body.error.code, 'invalid_license_transition');

  svc.clock.advance(2 * 86_400_000);
  try {
    const exp = await new TestAppliance(svc, '127.0.0.21').activate(expiring.key);
    t.is(exp.status, 403);
    t.is(exp.body.error.code, 'license_expired');
  } finally {
    svc.clock.advance(-2 * 86_400_000);
  }

  const unknown = await new TestAppliance(svc, '127.0.0.22').activate(
    (await import('#protocol/licenseKey.js')).generateLicenseKey(),
  );
  t.is(unknown.status, 404);
  t.is(unknown.body.error.code, 'license_not_found');
});

test('renewing an expired license makes its heartbeats work again', async (t) => {
  const lic = await issueTestLicense(svc, { validDays: 1 });
  const app = new TestAppliance(svc, '127.0.0.23');
  await app.activate(lic.key);
  svc.clock.advance(2 * 86_400_000);
  try {
    t.is((await app.heartbeat()).body.error.code, 'license_expired');
    const renew = await svc.admin('POST', `/licenses/${lic.licenseId}/renew`, { extendDays: 30 });
    t.is(renew.status, 200, renew.text);
    const hb = await app.heartbeat();
    t.is(hb.status, 200, hb.text);
    t.true(Date.parse(leaseOf(hb.body.lease).licenseExpiresAt) > svc.clock.now().getTime() + 29 * 86_400_000);
  } finally {
    svc.clock.advance(-2 * 86_400_000);
  }
});

test('a replayed heartbeat is refused and audited', async (t) => {
  const lic = await issueTestLicense(svc);
  const app = new TestAppliance(svc, '127.0.0.24');
  await app.activate(lic.key);
  const req = app.heartbeatRequest();
  t.is((await app.send('/v1/heartbeat', req)).status, 200);
  const replay = await app.send('/v1/heartbeat', req);
  t.is(replay.status, 409);
  t.is(replay.body.error.code, 'replayed_request');
  const audit = await svc.admin('GET', `/audit?licenseId=${lic.licenseId}&action=security.replayed_request`);
  t.is(audit.body.items.length, 1);
});

test('an old heartbeat (outside the clock window) is refused with the service time to correct by', async (t) => {
  const lic = await issueTestLicense(svc);
  const app = new TestAppliance(svc, '127.0.0.25');
  await app.activate(lic.key);
  const req = app.heartbeatRequest();
  svc.clock.advance(10 * 60_000);
  try {
    const res = await app.send('/v1/heartbeat', req);
    t.is(res.status, 400);
    t.is(res.body.error.code, 'clock_skew');
    t.truthy(res.body.error.serviceTime);
  } finally {
    svc.clock.advance(-10 * 60_000);
  }
});

test('a heartbeat whose body was changed after signing is refused with invalid_signature', async (t) => {
  const lic = await issueTestLicense(svc);
  const app = new TestAppliance(svc, '127.0.0.26');
  await app.activate(lic.key);
  const req = app.heartbeatRequest({ users: 50 });
  const forged = { ...req, body: req.body.replace('"users":50', '"users":1') };
  const res = await app.send('/v1/heartbeat', forged);
  t.is(res.status, 401);
  t.is(res.body.error.code, 'invalid_signature');
  // A copied license key is not enough: another key pair cannot heartbeat as this installation.
  const impostor = new TestAppliance(svc, '127.0.0.26');
  impostor.installationId = app.installationId;
  t.is((await impostor.heartbeat()).body.error.code, 'invalid_signature');
  const garbage = await app.send('/v1/heartbeat', { body: req.body, signature: '%%%not-base64%%%' });
  t.is(garbage.body.error.code, 'invalid_signature');
});

test('a second machine activating the same key is refused and flagged; a rebind to a new machine lets it in', async (t) => {
  const lic = await issueTestLicense(svc);
  const first = new TestAppliance(svc, '127.0.0.27');
  t.is((await first.activate(lic.key)).status, 200);
  t.is((await first.activate(lic.key)).status, 200, 're-running activation on the same machine is fine');

  const second = new TestAppliance(svc, '127.0.0.27');
  const refused = await second.activate(lic.key);
  t.is(refused.status, 409);
  t.is(refused.body.error.code, 'license_already_activated');
  const shown = await svc.admin('GET', `/licenses/${lic.licenseId}`);
  t.truthy(shown.body.cloneSuspectedAt);

  await svc.admin('POST', `/licenses/${lic.licenseId}/rebind`, { newMachine: true });
  const moved = await second.activate(lic.key);
  t.is(moved.status, 200, moved.text);
  // The old machine still beating is a copy: refused for good, and flagged as a clone.
  const old = await first.heartbeat();
  t.is(old.status, 409);
  t.is(old.body.error.code, 'installation_superseded');
  const clones = await svc.admin('GET', `/audit?licenseId=${lic.licenseId}&action=security.clone_suspected`);
  t.is(clones.body.items.length, 1);
  t.is((await second.heartbeat()).status, 200);
});

test('the same installation heartbeating with another machine fingerprint is flagged as a clone', async (t) => {
  const lic = await issueTestLicense(svc);
  const app = new TestAppliance(svc, '127.0.0.28');
  await app.activate(lic.key);
  const res = await app.heartbeat({}, { fingerprint: { ...app.fingerprint, machineId: 'another-machine' } });
  t.is(res.status, 200, 'flagged, not refused: honest hardware changes happen');
  const clones = await svc.admin('GET', `/audit?licenseId=${lic.licenseId}&action=security.clone_suspected`);
  t.is(clones.body.items.length, 1);
  t.is(clones.body.items[0].detail.reason, 'fingerprint_changed');
  const inst = await svc.admin('GET', `/installations?licenseId=${lic.licenseId}`);
  t.truthy(inst.body.items[0].cloneSuspectedAt);
});

test('a plan change is visible in the next lease', async (t) => {
  const lic = await issueTestLicense(svc);
  const app = new TestAppliance(svc, '127.0.0.29');
  await app.activate(lic.key);
  const before = leaseOf((await app.heartbeat()).body.lease);
  const patch = await svc.admin('PATCH', `/plans/${lic.planId}`, { limits: { users: 25 }, features: { campaigns: true } });
  t.is(patch.status, 200, patch.text);
  const after = leaseOf((await app.heartbeat()).body.lease);
  t.is(after.plan.limits.users, 25);
  t.is(after.plan.limits.connections, before.plan.limits.connections, 'a patch changes only what it names');
  t.true(after.plan.features.campaigns);
  t.is(after.plan.version, before.plan.version + 1);

  // Moving the license to another plan shows up the same way.
  const other = await svc.admin('POST', '/plans', {
    code: `big-${Date.now()}`, name: 'Enterprise',
    limits: { users: 100, connections: 10, messagesPerMonth: 1_000_000, campaignsPerMonth: 100 },
    features: { instagram: true, chatbot: true, campaigns: true, api: true },
  });
  await svc.admin('POST', `/licenses/${lic.licenseId}/plan`, { planId: other.body.id });
  t.is(leaseOf((await app.heartbeat()).body.lease).plan.name, 'Enterprise');
});

test('X-Forwarded-For from an untrusted peer is ignored; from a trusted proxy it is believed', async (t) => {
  const spoof = await call('GET', `${svc.url}/v1/whoami`, { headers: { 'x-forwarded-for': '203.0.113.7' }, localAddress: '127.0.0.30' });
  t.is(spoof.body.ip, '127.0.0.30');
  const lic = await issueTestLicense(svc);
  const app = new TestAppliance(svc, '127.0.0.31');
  const req = (await import('#protocol/applianceRequests.js')).activationRequest({
    licenseKey: lic.key, publicKeyPem: app.publicKeyPem, privateKey: app.privateKey, fingerprint: app.fingerprint,
    hostname: 'h', version: '1.0.0', now: svc.clock.now(),
  });
  const act = await call('POST', `${svc.url}/v1/activate`, {
    raw: req.body, headers: { 'x-atendo-signature': req.signature, 'x-forwarded-for': '203.0.113.7' }, localAddress: '127.0.0.31',
  });
  t.is(act.status, 200, act.text);
  t.is(act.body.boundIp, '127.0.0.31', 'the client cannot choose the IP it is bound to');

  const proxied = await startTestService({ TRUSTED_PROXIES: '127.0.0.32' });
  try {
    const viaProxy = await call('GET', `${proxied.url}/v1/whoami`, { headers: { 'x-forwarded-for': '198.51.100.1, 203.0.113.9' }, localAddress: '127.0.0.32' });
    t.is(viaProxy.body.ip, '203.0.113.9', 'the right-most address the trusted proxy saw');
    const notProxy = await call('GET', `${proxied.url}/v1/whoami`, { headers: { 'x-forwarded-for': '203.0.113.9' }, localAddress: '127.0.0.33' });
    t.is(notProxy.body.ip, '127.0.0.33');
  } finally {
    await proxied.close();
  }
});

test('a typo in the key is rejected by its check characters, without looking it up', async (t) => {
  const lic = await issueTestLicense(svc);
  const chars = lic.key.split('');
  const i = chars.length - 8;
  chars[i] = chars[i] === 'A' ? 'B' : 'A';
  const res = await new TestAppliance(svc, '127.0.0.34').activate(chars.join(''));
  t.is(res.status, 400);
  t.is(res.body.error.code, 'invalid_license_key');
  t.regex(res.body.error.message, /typo/);
});

test('guessing keys is throttled per IP with too_many_attempts and Retry-After, and audited', async (t) => {
  const guessing = await startTestService({ GUESS_LIMIT_PER_IP: '3' });
  try {
    const { generateLicenseKey } = await import('#protocol/licenseKey.js');
    const app = new TestAppliance(guessing, '127.0.0.35');
    for (let i = 0; i < 3; i++) t.is((await app.activate(generateLicenseKey())).body.error.code, 'license_not_found');
    const blocked = await app.activate(generateLicenseKey());
    t.is(blocked.status, 429);
    t.is(blocked.body.error.code, 'too_many_attempts');
    t.truthy(Number(blocked.headers['retry-after']) > 0);
    // Even the right key waits: the throttle comes before the lookup.
    const lic = await issueTestLicense(guessing);
    t.is((await app.activate(lic.key)).status, 429);
    t.is((await new TestAppliance(guessing, '127.0.0.36').activate(lic.key)).status, 200, 'other IPs are unaffected');
    await app.activate(generateLicenseKey());
    const audit = await guessing.admin('GET', '/audit?action=security.activation_*');
    t.is(audit.body.items.filter((e: any) => e.action === 'security.activation_throttled').length, 1, 'a flood of refusals is recorded once per window');
    t.true(audit.body.items.filter((e: any) => e.detail?.code === 'license_not_found').length >= 3);
  } finally {
    await guessing.close();
  }
});

test('guessing one key from many IPs is throttled per key', async (t) => {
  const guessing = await startTestService({ GUESS_LIMIT_PER_KEY: '2' });
  try {
    const lic = await issueTestLicense(guessing, { boundIp: '127.0.0.40' });
    // Wrong IP counts as a refused attempt on this key? No: only unknown keys and bad signatures count.
    const { generateLicenseKey } = await import('#protocol/licenseKey.js');
    const key = generateLicenseKey();
    for (const ip of ['127.0.0.41', '127.0.0.42']) t.is((await new TestAppliance(guessing, ip).activate(key)).body.error.code, 'license_not_found');
    const third = await new TestAppliance(guessing, '127.0.0.43').activate(key);
    t.is(third.body.error.code, 'too_many_attempts');
    t.is((await new TestAppliance(guessing, '127.0.0.40').activate(lic.key)).status, 200, 'other keys are unaffected');
  } finally {
    await guessing.close();
  }
});

test('the vendor\'s reason for a suspension travels with the refusal; resume clears it; refusals are audited once an hour', async (t) => {
  const lic = await issueTestLicense(svc);
  const app = new TestAppliance(svc, '127.0.0.60');
  t.is((await app.activate(lic.key)).status, 200);
  const reason = 'Fatura 2291 em aberto: fale com o financeiro';
  const suspended = await svc.admin('POST', `/licenses/${lic.licenseId}/suspend`, { reason });
  t.is(suspended.body.statusReason, reason);

  const refusals = await Promise.all([app.heartbeat(), app.heartbeat(), app.heartbeat()]);
  for (const r of refusals) {
    t.is(r.status, 403);
    t.deepEqual(r.body.error, { code: 'license_suspended', message: 'this license is suspended', reason });
  }
  const audited = await svc.deps.db('audit_events').where({ license_id: lic.licenseId, action: 'appliance.heartbeat_refused' }).count<{ count: string }[]>('* as count');
  t.is(Number(audited[0]!.count), 1, 'a refusal every minute does not write an audit row every minute');
  const again = await app.activate(lic.key);
  t.is(again.body.error.reason, reason, 'activation refusals carry it too');

  t.is((await svc.admin('POST', `/licenses/${lic.licenseId}/resume`)).body.statusReason, null);
  t.is((await app.heartbeat()).status, 200);
  await svc.admin('POST', `/licenses/${lic.licenseId}/suspend`);
  const bare = await app.heartbeat();
  t.is(bare.body.error.code, 'license_suspended');
  t.false('reason' in bare.body.error, 'no reason given, none sent');
  await svc.admin('POST', `/licenses/${lic.licenseId}/revoke`, { reason: 'Contrato encerrado' });
  t.is((await app.heartbeat()).body.error.reason, 'Contrato encerrado');
});
