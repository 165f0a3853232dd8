import anyTest from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import type { Socket } from 'socket.io-client';
import { activateLicense } from '../src/commands/licenseActivation.js';
import { PASSWORD, runApplianceCli, startLicenseServiceProcess, startTestAppliance, type LicenseServiceProcess, type TestAppliance } from './support.js';

const test = anyTest.serial;
let service: LicenseServiceProcess;
let app: TestAppliance;
let adminCookie: string;
let teamA: string;
let teamB: string;

anyTest.before(async () => {
  service = await startLicenseServiceProcess();
  app = await startTestAppliance({ licenseUrl: service.url, trustedKeys: service.trustedKeys });
  await activateLicense(app.deps, (await service.issueLicense({ limits: { users: 100 } })).key);
  await app.addUser({ email: 'admin@loja.com.br', role: 'admin' });
  adminCookie = (await app.login('admin@loja.com.br', PASSWORD)).cookie;
  teamA = (await app.api('POST', '/api/teams', { cookie: adminCookie, body: { name: 'Vendas' } })).body.id;
  teamB = (await app.api('POST', '/api/teams', { cookie: adminCookie, body: { name: 'Suporte' } })).body.id;
});
anyTest.after.always(async () => {
  await app?.close();
  await service?.close();
});

const disconnected = (s: Socket) => new Promise<string>((resolve) => s.once('disconnect', (reason) => resolve(reason)));

test('login sets an HttpOnly session cookie; wrong passwords and unknown emails get the same answer', async (t) => {
  const ok = await app.login('admin@loja.com.br', PASSWORD);
  t.is(ok.res.status, 200);
  const setCookie = String(ok.res.headers['set-cookie']);
  t.regex(setCookie, /atendo_session=[\w-]+; Path=\/; HttpOnly; SameSite=Lax/);
  t.is(ok.res.body.user.role, 'admin');
  t.is(ok.res.body.user.password_hash, undefined);
  t.is((await app.api('GET', '/api/auth/me', { cookie: ok.cookie })).body.user.email, 'admin@loja.com.br');
  t.is(ok.res.body.token, undefined, 'the token never reaches page scripts');

  const wrong = await app.api('POST', '/api/auth/login', { body: { email: 'admin@loja.com.br', password: 'not the password' }, localAddress: '127.0.3.1' });
  const unknown = await app.api('POST', '/api/auth/login', { body: { email: 'ninguem@loja.com.br', password: 'whatever12345' }, localAddress: '127.0.3.1' });
  t.is(wrong.status, 401);
  t.is(wrong.body.error.code, 'invalid_credentials');
  t.deepEqual(unknown.body, wrong.body);
  t.is((await app.api('GET', '/api/users')).status, 401, 'no session, no API');
});

test('brute force is throttled per account, with too_many_attempts and Retry-After', async (t) => {
  await app.addUser({ email: 'alvo@loja.com.br', role: 'attendant' });
  for (let i = 0; i < 5; i++) {
    const res = await app.api('POST', '/api/auth/login', { body: { email: 'alvo@loja.com.br', password: `guess-${i}-xxxx` }, localAddress: `127.0.3.${10 + i}` });
    t.is(res.body.error.code, 'invalid_credentials');
  }
  const blocked = await app.api('POST', '/api/auth/login', { body: { email: 'alvo@loja.com.br', password: PASSWORD }, localAddress: '127.0.3.20' });
  t.is(blocked.status, 429, 'even the right password waits, from any address');
  t.is(blocked.body.error.code, 'too_many_attempts');
  t.true(Number(blocked.headers['retry-after']) > 0);
  t.is((await app.api('POST', '/api/auth/login', { body: { email: 'admin@loja.com.br', password: PASSWORD }, localAddress: '127.0.3.20' })).status, 200, 'other accounts are unaffected');
});

test('brute force is throttled per IP across accounts', async (t) => {
  for (let i = 0; i < 20; i++) {
    await app.api('POST', '/api/auth/login', { body: { email: `spray${i}@loja.com.br`, password: 'spray-password-1' }, localAddress: '127.0.3.30' });
  }
  const blocked = await app.api('POST', '/api/auth/login', { body: { email: 'admin@loja.com.br', password: PASSWORD }, localAddress: '127.0.3.30' });
  t.is(blocked.status, 429);
  t.is(blocked.body.error.code, 'too_many_attempts');
});

test('logout ends the session and drops its socket', async (t) => {
  const { cookie } = await app.login('admin@loja.com.br', PASSWORD);
  const socket = await app.socket(cookie);
  const gone = disconnected(socket);
  t.is((await app.api('POST', '/api/auth/logout', { cookie })).status, 204);
  t.is(await gone, 'io server disconnect');
  t.is((await app.api('GET', '/api/auth/me', { cookie })).status, 401);
});

test('disabling a user drops their live socket at once and ends their sessions', async (t) => {
  const id = await app.addUser({ email: 'bia@loja.com.br', role: 'attendant', teamIds: [teamA] });
  const { cookie } = await app.login('bia@loja.com.br', PASSWORD);
  const socket = await app.socket(cookie);
  const gone = disconnected(socket);
  const res = await app.api('PATCH', `/api/users/${id}`, { cookie: adminCookie, body: { disabled: true } });
  t.is(res.status, 200);
  t.true(res.body.disabled);
  t.is(await gone, 'io server disconnect');
  t.is((await app.api('GET', '/api/auth/me', { cookie })).status, 401);
  const again = await app.login('bia@loja.com.br', PASSWORD);
  t.is(again.res.status, 403);
  t.is(again.res.body.error.code, 'account_disabled');
  await t.throwsAsync(app.socket(cookie), { message: 'unauthorized' }, 'a dead session cannot open a socket');
});

test('changing the password ends the other sessions and sockets, and keeps the person logged in', async (t) => {
  await app.addUser({ email: 'caio@loja.com.br', role: 'supervisor' });
  const phone = await app.login('caio@loja.com.br', PASSWORD);
  const laptop = await app.login('caio@loja.com.br', PASSWORD);
  const phoneSocket = await app.socket(phone.cookie);
  const gone = disconnected(phoneSocket);
  const changed = await app.api('POST', '/api/auth/password', { cookie: laptop.cookie, body: { currentPassword: PASSWORD, newPassword: 'a brand new secret' } });
  t.is(changed.status, 200, changed.text);
  await gone;
  t.is((await app.api('GET', '/api/auth/me', { cookie: phone.cookie })).status, 401);
  const fresh = String(changed.headers['set-cookie']).split(';')[0]!;
  t.is((await app.api('GET', '/api/auth/me', { cookie: fresh })).status, 200);
  const wrong = await app.api('POST', '/api/auth/password', { cookie: fresh, body: { currentPassword: 'nope', newPassword: 'another new secret' } });
  t.is(wrong.body.error.code, 'wrong_password');
});

test('changing one\'s own password: a wrong current one or a short new one changes nothing and ends no session', async (t) => {
  await app.addUser({ email: 'lia@loja.com.br', role: 'attendant', teamIds: [teamA] });
  const laptop = await app.login('lia@loja.com.br', PASSWORD);
  const phone = await app.login('lia@loja.com.br', PASSWORD);

  const wrong = await app.api('POST', '/api/auth/password', { cookie: laptop.cookie, body: { currentPassword: 'not my password', newPassword: 'a brand new secret' } });
  t.is(wrong.status, 400);
  t.is(wrong.body.error.code, 'wrong_password');
  t.is(wrong.headers['set-cookie'], undefined, 'no new session on a refusal');

  const short = await app.api('POST', '/api/auth/password', { cookie: laptop.cookie, body: { currentPassword: PASSWORD, newPassword: 'curta' } });
  t.is(short.status, 400);
  t.is(short.body.error.code, 'validation_failed');
  t.regex(short.body.error.message, /newPassword: at least 10 characters/);

  const missing = await app.api('POST', '/api/auth/password', { cookie: laptop.cookie, body: { newPassword: 'a brand new secret' } });
  t.is(missing.status, 400);
  t.is(missing.body.error.code, 'validation_failed');
  t.is((await app.api('POST', '/api/auth/password', { body: { currentPassword: PASSWORD, newPassword: 'a brand new secret' } })).status, 401, 'only a logged-in person');

  for (const s of [laptop, phone]) t.is((await app.api('GET', '/api/auth/me', { cookie: s.cookie })).status, 200, 'both sessions live on');
  t.is((await app.login('lia@loja.com.br', PASSWORD)).res.status, 200, 'the password is unchanged');

  // Then the right one: the other sessions end, the asking one is replaced by a fresh cookie.
  const ok = await app.api('POST', '/api/auth/password', { cookie: laptop.cookie, body: { currentPassword: PASSWORD, newPassword: 'a brand new secret' } });
  t.is(ok.status, 200, ok.text);
  t.is((await app.api('GET', '/api/auth/me', { cookie: phone.cookie })).status, 401, 'the other device is out');
  t.is((await app.api('GET', '/api/auth/me', { cookie: laptop.cookie })).status, 401, 'the old cookie of the asking device is out too');
  const fresh = String(ok.headers['set-cookie']).split(';')[0]!;
  t.is((await app.api('GET', '/api/auth/me', { cookie: fresh })).status, 200, 'the asking device stays logged in');
  t.is((await app.login('lia@loja.com.br', PASSWORD)).res.status, 401, 'the old password no longer works');
  t.is((await app.login('lia@loja.com.br', 'a brand new secret')).res.status, 200);
});

test('an attendant cannot reach admin routes', async (t) => {
  await app.addUser({ email: 'davi@loja.com.br', role: 'attendant', teamIds: [teamA] });
  const { cookie } = await app.login('davi@loja.com.br', PASSWORD);
  const attempts: [string, string, unknown?][] = [
    ['GET', '/api/users'],
    ['POST', '/api/users', { email: 'x@loja.com.br', name: 'X', role: 'admin', password: PASSWORD }],
    ['PATCH', `/api/users/${(await app.api('GET', '/api/auth/me', { cookie: adminCookie })).body.user.id}`, { role: 'attendant' }],
    ['POST', '/api/teams', { name: 'Hackers' }],
    ['PATCH', `/api/teams/${teamA}`, { name: 'Renamed' }],
    ['POST', '/api/license/refresh'],
  ];
  for (const [method, route, body] of attempts) {
    const res = await app.api(method, route, { cookie, body });
    t.is(res.status, 403, `${method} ${route}`);
    t.is(res.body.error.code, 'forbidden');
  }
  t.is((await app.api('GET', '/api/license', { cookie })).status, 200, 'everyone may read the license state (banners)');
});

test('an attendant sees only their own teams; a supervisor only their teams\' people', async (t) => {
  await app.addUser({ email: 'eva@loja.com.br', role: 'attendant', teamIds: [teamA] });
  const supId = await app.addUser({ email: 'fabio@loja.com.br', role: 'supervisor', teamIds: [teamB] });
  const otherId = await app.addUser({ email: 'gil@loja.com.br', role: 'attendant', teamIds: [teamA] });
  const eva = (await app.login('eva@loja.com.br', PASSWORD)).cookie;
  const teams = await app.api('GET', '/api/teams', { cookie: eva });
  t.deepEqual(teams.body.items.map((x: any) => x.name), ['Vendas']);
  t.is((await app.api('GET', `/api/teams/${teamA}`, { cookie: eva })).status, 200);
  const foreign = await app.api('GET', `/api/teams/${teamB}`, { cookie: eva });
  t.is(foreign.status, 404, 'another team is not even confirmed to exist');

  const fabio = (await app.login('fabio@loja.com.br', PASSWORD)).cookie;
  const people = await app.api('GET', '/api/users', { cookie: fabio });
  t.true(people.body.items.every((u: any) => u.teamIds.includes(teamB)));
  t.is((await app.api('GET', `/api/users/${otherId}`, { cookie: fabio })).status, 404);
  t.is((await app.api('GET', `/api/users/${supId}`, { cookie: fabio })).status, 200);
});

test('an attendant\'s socket joins only their own rooms', async (t) => {
  const id = await app.addUser({ email: 'hugo@loja.com.br', role: 'attendant', teamIds: [teamA] });
  const { cookie } = await app.login('hugo@loja.com.br', PASSWORD);
  const socket = await app.socket(cookie);
  const got: string[] = [];
  socket.on('ping:test', (m: string) => got.push(m));
  app.deps.sockets!.io.to(`attendants:${teamB}`).emit('ping:test', 'team B');
  app.deps.sockets!.io.to(`attendants:${teamA}`).emit('ping:test', 'team A');
  app.deps.sockets!.io.to(`supervisors:${teamA}`).emit('ping:test', 'supervisors A');
  app.deps.sockets!.io.to('role:admin').emit('ping:test', 'admins');
  app.deps.sockets!.io.to(`user:${id}`).emit('ping:test', 'me');
  await new Promise((r) => setTimeout(r, 200));
  t.deepEqual(got.sort(), ['me', 'team A']);
  socket.close();
});

test('changes from another site are refused', async (t) => {
  const res = await app.api('POST', '/api/teams', { cookie: adminCookie, body: { name: 'Phish' }, headers: { origin: 'https://evil.example' } });
  t.is(res.status, 403);
  t.is(res.body.error.code, 'cross_site_request');
  t.is((await app.api('POST', '/api/teams', { cookie: adminCookie, body: { name: 'Same' }, headers: { origin: 'http://atendo.test' } })).status, 201);
});

test('bad input is refused with stable codes and changes nothing', async (t) => {
  const count = async () => Number((await app.deps.db('users').count('* as c'))[0]!.c);
  const before = await count();
  const cases: [string, string, unknown, number, string][] = [
    ['POST', '/api/users', { email: 'bad', name: 'X', role: 'attendant', password: PASSWORD }, 400, 'validation_failed'],
    ['POST', '/api/users', { email: 'y@loja.com.br', name: 'Y', role: 'owner', password: PASSWORD }, 400, 'validation_failed'],
    ['POST', '/api/users', { email: 'y@loja.com.br', name: 'Y', role: 'attendant', password: 'short' }, 400, 'validation_failed'],
    ['POST', '/api/users', { email: 'y@loja.com.br', name: 'Y', role: 'attendant', password: PASSWORD, isRoot: true }, 400, 'validation_failed'],
    ['POST', '/api/users', { email: 'y@loja.com.br', name: 'Y', role: 'attendant', password: PASSWORD, teamIds: ['00000000-0000-4000-8000-000000000000'] }, 400, 'validation_failed'],
    ['POST', '/api/users', { email: 'ADMIN@loja.com.br', name: 'Dup', role: 'attendant', password: PASSWORD }, 409, 'email_taken'],
    ['PATCH', '/api/users/not-a-uuid', { name: 'x' }, 400, 'validation_failed'],
    ['PATCH', '/api/users/00000000-0000-4000-8000-000000000000', { name: 'x' }, 404, 'not_found'],
    ['POST', '/api/teams', { name: 'vendas' }, 409, 'team_name_taken'],
    ['POST', '/api/auth/login', { email: 'a@b.co' }, 400, 'validation_failed'],
  ];
  for (const [method, route, body, status, code] of cases) {
    const res = await app.api(method, route, { cookie: adminCookie, body });
    t.is(res.status, status, `${method} ${route} ${res.text}`);
    t.is(res.body.error.code, code);
  }
  const me = (await app.api('GET', '/api/auth/me', { cookie: adminCookie })).body.user.id;
  const last = await app.api('PATCH', `/api/users/${me}`, { cookie: adminCookie, body: { role: 'attendant' } });
  t.is(last.body.error.code, 'last_admin');
  const huge = await app.api('POST', '/api/teams', { cookie: adminCookie, body: { name: 'x'.repeat(2_000_000) } });
  t.is(huge.status, 413);
  t.is(await count(), before);
});

test('the first admin is made by the CLI, with the password from a file or stdin, never a default', async (t) => {
  const fresh = await startTestAppliance({ licenseUrl: service.url, trustedKeys: service.trustedKeys });
  try {
    const file = path.join(fresh.dataDir, 'pw');
    fs.writeFileSync(file, 'short\n', { mode: 0o600 });
    const weak = runApplianceCli(fresh, service.keysDir, ['create-admin', '--email', 'dona@loja.com.br', '--name', 'Dona', '--password-file', file]);
    t.is(weak.status, 2);
    t.regex(weak.stderr, /password: at least 10 characters/);
    const noPw = runApplianceCli(fresh, service.keysDir, ['create-admin', '--email', 'dona@loja.com.br', '--name', 'Dona']);
    t.is(noPw.status, 2);
    t.regex(noPw.stderr, /--password-file FILE or --password-stdin/);

    const made = runApplianceCli(fresh, service.keysDir, ['create-admin', '--email', 'dona@loja.com.br', '--name', 'Dona', '--password-stdin'], 'uma senha forte demais\n');
    t.is(made.status, 0, made.stderr);
    t.regex(made.stdout, /admin dona@loja.com.br created/);
    t.false(made.stdout.includes('uma senha'), 'the password is never echoed');
    const again = runApplianceCli(fresh, service.keysDir, ['create-admin', '--email', 'dona@loja.com.br', '--name', 'Dona', '--password-stdin'], 'uma senha forte demais\n');
    t.is(again.status, 0);
    t.regex(again.stdout, /already exists; nothing changed/);
    const second = runApplianceCli(fresh, service.keysDir, ['create-admin', '--email', 'outra@loja.com.br', '--name', 'Outra', '--password-stdin'], 'uma senha forte demais\n');
    t.is(second.status, 1);
    t.regex(second.stderr, /admin_exists/);
    t.is((await fresh.login('dona@loja.com.br', 'uma senha forte demais')).res.status, 200);
  } finally {
    await fresh.close();
  }
});

test('a socket from another site is refused, even with a valid session cookie', async (t) => {
  const { cookie } = await app.login('admin@loja.com.br', PASSWORD);
  const { io } = await import('socket.io-client');
  const s = io(app.url, { transports: ['websocket'], extraHeaders: { cookie, origin: 'https://evil.example' }, reconnection: false, forceNew: true });
  const outcome = await new Promise<string>((resolve) => {
    s.once('hello', () => resolve('connected'));
    s.once('connect_error', () => resolve('refused'));
  });
  s.close();
  t.is(outcome, 'refused');
});

test('guessing the current password through a stolen session is throttled', async (t) => {
  await app.addUser({ email: 'jade@loja.com.br', role: 'attendant' });
  const { cookie } = await app.login('jade@loja.com.br', PASSWORD);
  for (let i = 0; i < 5; i++) {
    const res = await app.api('POST', '/api/auth/password', { cookie, body: { currentPassword: `guess-${i}`, newPassword: 'a brand new secret' } });
    t.is(res.body.error.code, 'wrong_password');
  }
  const blocked = await app.api('POST', '/api/auth/password', { cookie, body: { currentPassword: PASSWORD, newPassword: 'a brand new secret' } });
  t.is(blocked.status, 429);
  t.is(blocked.body.error.code, 'too_many_attempts');
});
