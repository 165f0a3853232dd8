import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import {
  appUrlOf, call, localInstallArgs, login, runInstaller, stopInstall, tempDir, useLicenseService,
} from './support.js';

const licenseService = useLicenseService(test);

test('an install killed halfway resumes where it stopped', async (t) => {
  const service = licenseService();
  const dir = tempDir('resume-');
  t.teardown(() => stopInstall(dir));
  const { key } = await service.issueLicense();
  const args = await localInstallArgs(dir, service, key);
  const statePath = path.join(dir, 'installer-state.json');
  const first = runInstaller(args);
  // Kill it (no chance to clean up) as soon as the database is up and migrated.
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const done = fs.existsSync(statePath) ? JSON.parse(fs.readFileSync(statePath, 'utf8')).done : {};
    if (done.migrate) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  first.kill('SIGKILL');
  await first;
  const state = JSON.parse(fs.readFileSync(statePath, 'utf8'));
  t.truthy(state.done.migrate);
  t.falsy(state.completedAt, 'the first run did not finish');

  const second = await runInstaller(args);
  t.is(second.code, 0, second.out);
  t.regex(second.out, /Resuming the install/);
  for (const step of ['Preflight checks', 'Settings and secrets', 'Local runtime files', 'Start PostgreSQL and Redis']) {
    t.regex(second.out, new RegExp(`- ${step} \\(already done\\)`));
  }
  t.is((await login(appUrlOf(dir))).status, 200);
});

const installationOf = async (dir: string) => JSON.parse((await runInstaller(['status', '--dir', dir, '--json'])).out).license.installationId as string;

test('a backup restored into an empty install brings the data back and keeps that install\'s license', async (t) => {
  const service = licenseService();
  const a = tempDir('source-');
  const b = tempDir('target-');
  t.teardown(() => stopInstall(a));
  t.teardown(() => stopInstall(b));
  const la = await service.issueLicense();
  const lb = await service.issueLicense();
  t.is((await runInstaller(await localInstallArgs(a, service, la.key))).code, 0);
  const cookie = String((await login(appUrlOf(a))).headers['set-cookie']?.[0]).split(';')[0]!;
  const made = await call('POST', `${appUrlOf(a)}/api/users`, { headers: { cookie }, body: { email: 'joana@padaria.com.br', name: 'Joana', password: 'senha-da-joana', role: 'attendant' } });
  t.is(made.status, 201);
  fs.mkdirSync(path.join(a, 'data', 'media'), { recursive: true });
  fs.writeFileSync(path.join(a, 'data', 'media', 'foto.jpg'), 'not really a jpeg');
  const backup = await runInstaller(['backup', '--dir', a, '--json']);
  t.is(backup.code, 0, backup.out);
  const file = JSON.parse(backup.out.trim().split('\n').pop()!).file as string;
  const installationOfA = await installationOf(a);
  await stopInstall(a);

  t.is((await runInstaller(await localInstallArgs(b, service, lb.key))).code, 0);
  const installationBefore = await installationOf(b);

  const damaged = path.join(tempDir('damaged-'), 'bad.tar.gz');
  fs.writeFileSync(damaged, fs.readFileSync(file).subarray(0, 200));
  const refused = await runInstaller(['restore', '--dir', b, '--file', damaged, '--yes']);
  t.is(refused.code, 2, refused.out);
  t.regex(refused.out, /code: backup_invalid/);
  t.is((await login(appUrlOf(b), 'joana@padaria.com.br', 'senha-da-joana')).status, 401, 'nothing changed');

  const restored = await runInstaller(['restore', '--dir', b, '--file', file, '--yes']);
  t.is(restored.code, 0, restored.out);
  t.is((await login(appUrlOf(b), 'joana@padaria.com.br', 'senha-da-joana')).status, 200, 'the backup\'s user is back');
  t.is(fs.readFileSync(path.join(b, 'data', 'media', 'foto.jpg'), 'utf8'), 'not really a jpeg', 'and its media');
  const ready = await call('GET', `${appUrlOf(b)}/ready`);
  t.is(ready.body.license.state, 'active', 'this install\'s own license is in force');
  t.not(installationOfA, installationBefore);
  t.is(await installationOf(b), installationBefore, 'the lease in force is still this install\'s, not the backup\'s');
  const status = await runInstaller(['status', '--dir', b, '--json']);
  t.is(JSON.parse(status.out).license.plan.name, 'Profissional');
});
