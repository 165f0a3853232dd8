import test from 'ava';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import {
  appUrlOf, call, freePort, localInstallArgs, login, readEnvFile, runInstaller, stopInstall, tempDir, useLicenseService,
} from './support.js';

const licenseService = useLicenseService(test);

test('a fresh install serves a working appliance; a second run changes nothing', async (t) => {
  const service = licenseService();
  const dir = tempDir('inst-');
  t.teardown(() => stopInstall(dir));
  const { key } = await service.issueLicense();
  const args = await localInstallArgs(dir, service, key);
  const first = await runInstaller(args);
  t.is(first.code, 0, first.out);
  t.regex(first.out, /Licensed to Padaria Pão Quente — plan Profissional, valid until \d{4}-\d{2}-\d{2}/);
  t.regex(first.out, /Atendo 0\.1\.0 is running/);
  t.false(first.out.includes(key), 'the license key is never printed');
  // The next steps are commands that work here: a checkout's npm script, with this install's --dir.
  for (const c of ['status', 'backup', 'doctor']) t.true(first.out.includes(`npm run installer -- ${c} --dir ${dir}`), `next step: ${c}\n${first.out}`);
  t.false(first.out.includes('atendo-installer'), 'no command that does not exist in a checkout');

  const ready = await call('GET', `${appUrlOf(dir)}/ready`);
  t.is(ready.status, 200);
  t.is(ready.body.license.state, 'active');
  t.is((await login(appUrlOf(dir))).status, 200, 'the first admin logs in');
  t.is(fs.statSync(path.join(dir, '.env')).mode & 0o777, 0o600);
  const log = fs.readFileSync(path.join(dir, 'logs', 'installer.log'), 'utf8');
  for (const [name, value] of Object.entries(readEnvFile(dir))) {
    if (/PASSWORD|SECRET|KEY$/.test(name) && name !== 'ATENDO_DEV_TRUSTED_KEYS_DIR') t.false(log.includes(value), `${name} is not in the log`);
  }
  t.false(log.includes(key), 'nor the license key');

  const envBefore = fs.readFileSync(path.join(dir, '.env'), 'utf8');
  const stateBefore = JSON.parse(fs.readFileSync(path.join(dir, 'installer-state.json'), 'utf8'));
  const installationsBefore = (await service.admin('GET', '/installations')).body.items.length;
  const second = await runInstaller(args);
  t.is(second.code, 0, second.out);
  t.regex(second.out, /already installed/);
  for (const step of ['Preflight checks', 'Settings and secrets', 'Local runtime files', 'Start PostgreSQL and Redis', 'License activation', 'Start server and worker', 'First admin']) {
    t.regex(second.out, new RegExp(`- ${step} \\(already done\\)`), `${step} is skipped`);
  }
  t.is(fs.readFileSync(path.join(dir, '.env'), 'utf8'), envBefore, 'secrets are never regenerated');
  t.deepEqual(Object.keys(JSON.parse(fs.readFileSync(path.join(dir, 'installer-state.json'), 'utf8')).done), Object.keys(stateBefore.done));
  t.is((await service.admin('GET', '/installations')).body.items.length, installationsBefore, 'no second activation');
  t.is((await login(appUrlOf(dir))).status, 200, 'the same admin, the same password');
});

test('a typo in the key fails offline, before any network call, and writes nothing', async (t) => {
  const service = licenseService();
  let requests = 0;
  const counter = http.createServer((_req, res) => { requests++; res.end('{}'); });
  await new Promise<void>((r) => counter.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => counter.close());
  const dir = tempDir('typo-');
  const { key } = await service.issueLicense();
  const typo = key.slice(0, -1) + (key.endsWith('0') ? '1' : '0');
  const args = await localInstallArgs(dir, { url: `http://127.0.0.1:${(counter.address() as net.AddressInfo).port}`, keysDir: service.keysDir }, typo);
  const run = await runInstaller(args);
  t.is(run.code, 2, run.out);
  t.regex(run.out, /code: invalid_license_key/);
  t.is(requests, 0, 'no request reached any server');
  t.false(fs.existsSync(path.join(dir, '.env')));
  t.false(fs.existsSync(path.join(dir, 'installer-state.json')));
});

test('without a terminal and without the flag, it says which flag to pass instead of asking', async (t) => {
  const dir = tempDir('notty-');
  const run = await runInstaller(['install', '--runtime', 'local', '--dir', dir]);
  t.is(run.code, 2, run.out);
  t.regex(run.out, /code: input_needed/);
  t.regex(run.out, /next: pass --license-key/);
  t.false(fs.existsSync(path.join(dir, '.env')));
});

test('a busy port fails preflight with a clear message, before anything changes', async (t) => {
  const service = licenseService();
  const busy = net.createServer();
  const port = await freePort();
  await new Promise<void>((r) => busy.listen(port, '0.0.0.0', () => r()));
  t.teardown(() => busy.close());
  const dir = tempDir('busy-');
  const { key } = await service.issueLicense();
  const run = await runInstaller(await localInstallArgs(dir, service, key, port));
  t.is(run.code, 1, run.out);
  t.regex(run.out, new RegExp(`✗ Port ${port} free\\s+in use`));
  t.regex(run.out, new RegExp(`stop what listens on port ${port}`));
  t.regex(run.out, /Failed at step "Preflight checks"/);
  const json = await runInstaller([...(await localInstallArgs(dir, service, key, port)), '--json']);
  const report = JSON.parse(json.out.slice(0, json.out.lastIndexOf('}') + 1).slice(json.out.indexOf('{')));
  t.like(report.preflight.find((c: any) => c.id === `port_${port}`), { status: 'fail' }, '--json gives the same report');
  t.false(fs.existsSync(path.join(dir, '.env')), 'no secrets written');
  t.false(fs.existsSync(path.join(dir, 'pg')), 'no database made');
});

test('a revoked key fails with the service\'s reason and leaves nothing half-installed', async (t) => {
  const service = licenseService();
  const dir = tempDir('revoked-');
  t.teardown(() => stopInstall(dir));
  const { key, licenseId } = await service.issueLicense();
  t.is((await service.admin('POST', `/licenses/${licenseId}/revoke`, { reason: 'chargeback' })).status, 200);
  const run = await runInstaller(await localInstallArgs(dir, service, key));
  t.is(run.code, 1, run.out);
  t.regex(run.out, /license_revoked/);
  t.regex(run.out, /was undone/);
  const left = fs.readdirSync(dir).filter((f) => f !== 'logs');
  t.deepEqual(left.filter((f) => !['run', 'backups', 'data', 'redis'].includes(f) || fs.readdirSync(path.join(dir, f)).length > 0), [], `nothing left but the log: ${left}`);
  t.false(fs.existsSync(path.join(dir, 'pg')), 'the database made by this run is gone');
  t.false(fs.existsSync(path.join(dir, 'installer-state.json')));
});
