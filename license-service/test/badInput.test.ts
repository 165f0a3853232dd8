import anyTest from 'ava';
import crypto from 'node:crypto';
import { call, issueTestLicense, startTestService, type TestService } from './support.js';

/**
 * Bad input to the license service's admin API (issue #11, section 2): the kit's cursor, text and
 * nesting rules hold here as in the appliance.
 */
const test = anyTest.serial;
let svc: TestService;
anyTest.before(async () => {
  svc = await startTestService();
  // Two of everything the admin pages over (audit rows come with each).
  await issueTestLicense(svc);
  await issueTestLicense(svc);
});
anyTest.after.always(async () => { await svc?.close(); });

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const AT = '2026-11-01T12:00:00.000Z';
const FORGED: Record<string, string> = {
  'base64 of text that is not JSON': Buffer.from('garbage').toString('base64url'),
  'an object instead of a pair': b64({ at: AT, id: '1' }),
  'a number id': b64([AT, 1]),
  'year 275760': b64(['+275760-09-13T00:00:00.000Z', crypto.randomUUID()]),
  'a negative year': b64(['-004713-01-01T00:00:00.000Z', crypto.randomUUID()]),
};

const listings = [
  { route: '/clients', id: 'uuid' }, { route: '/licenses', id: 'uuid' }, { route: '/installations', id: 'uuid' }, { route: '/audit', id: 'bigint' },
] as const;

test('a forged cursor is 400 invalid_cursor on every admin listing, by the id type each pages over', async (t) => {
  for (const { route, id } of listings) {
    const wrongId = id === 'uuid'
      ? { 'a non-uuid id': b64([AT, '12345']) }
      : { 'a non-numeric id': b64([AT, crypto.randomUUID()]), 'an id that overflows bigint': b64([AT, '9223372036854775808']), 'a negative id': b64([AT, '-1']) };
    for (const [what, cursor] of Object.entries({ ...FORGED, ...wrongId })) {
      const res = await svc.admin('GET', `${route}?cursor=${encodeURIComponent(cursor)}`);
      t.is(res.status, 400, `${route} with ${what}: ${res.text}`);
      t.is(res.body.error?.code, 'invalid_cursor', `${route} with ${what}`);
    }
  }
  // What the listings issue is taken back, uuid and bigint ids alike.
  for (const route of ['/clients', '/licenses', '/audit']) {
    const first = await svc.admin('GET', `${route}?limit=1`);
    t.truthy(first.body.nextCursor, route);
    const second = await svc.admin('GET', `${route}?limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    t.is(second.status, 200, `${route}: ${second.text}`);
    t.not(second.body.items[0].id, first.body.items[0].id, route);
  }
});

test('admin text: NUL and unpaired surrogates are cleaned at the edge; a name of only NUL fails its min length', async (t) => {
  const code = `p-${crypto.randomBytes(4).toString('hex')}`;
  const limits = { users: 5, connections: 2, messagesPerMonth: 1000, campaignsPerMonth: 4 };
  const features = { instagram: true, chatbot: true, campaigns: false, api: false };
  const plan = await svc.admin('POST', '/plans', { code, name: 'Pro \ud800\u0000', limits, features });
  t.is(plan.status, 201, plan.text);
  t.is(plan.body.name, 'Pro \ufffd');
  t.is((await svc.deps.db('plans').where({ id: plan.body.id }).first()).name, 'Pro \ufffd');
  const audit = await svc.deps.db('audit_events').where({ subject_id: plan.body.id }).first();
  t.truthy(audit, 'the audit row (jsonb) is written');

  const none = await svc.admin('POST', '/plans', { code: `${code}x`, name: '\u0000', limits, features });
  t.is(none.status, 400);
  t.is(none.body.error.code, 'validation_failed');
  t.regex(none.body.error.message, /^name:/);
});

test('a body nested absurdly deep is 400 body_too_deep', async (t) => {
  const raw = `{"name":"x","extra":${'['.repeat(5000)}${']'.repeat(5000)}}`;
  const res = await call('POST', `${svc.url}/admin/v1/plans`, { raw, headers: { authorization: `Bearer ${svc.adminToken}` } });
  t.is(res.status, 400);
  t.is(res.body.error.code, 'body_too_deep');
});
