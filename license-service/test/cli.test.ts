/**
 * scripts/license-admin.ts as the super admin runs it: a real process talking HTTP to the real service.
 * Each spawn costs about half a second, so independent ones run concurrently.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { freePort } from '../../scripts/services/freePort.js';
import { loadConfig } from '../src/config.js';
import { loadKeyring } from '../src/lib/keyring.js';
import { defaultFeatures, defaultLimits, issueTestLicense, newCnpj, startTestService, TestAppliance, type TestService } from './support.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

let svc: TestService;
test.before(async () => { svc = await startTestService(); });
test.after.always(async () => { await svc?.close(); });

interface Run { code: number | null; stdout: string; stderr: string }

/** Runs the CLI against the test service; `env` overrides the connection settings. */
function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/license-admin.ts', ...args], {
      cwd: repoRoot,
      env: { ...process.env, LICENSE_SERVICE_URL: svc.url, LICENSE_ADMIN_TOKEN: svc.adminToken, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s; });
    child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const show = (r: Run) => `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

/** The value of a `label:  value` line of key-value output. */
function field(output: string, label: string): string {
  const m = new RegExp(`^${label}:\\s+(.*)$`, 'm').exec(output);
  if (!m) throw new Error(`no '${label}:' line in:\n${output}`);
  return m[1]!.trim();
}

const uniqueCode = () => `p-${crypto.randomBytes(4).toString('hex')}`;

test('hash-token prints a fresh token once, and an ADMIN_TOKENS entry holding its SHA-256', async (t) => {
  const [run, other] = await Promise.all([cli(['hash-token', '--name', 'ops']), cli(['hash-token'])]);
  t.is(run.code, 0, show(run));
  const lines = run.stdout.split('\n').map((l) => l.trim());
  const token = lines.find((l) => /^[A-Za-z0-9_-]{43,}$/.test(l));
  const entry = lines.find((l) => /^ops:[0-9a-f]{64}$/.test(l));
  if (!token || !entry) return t.fail(show(run));
  t.true(Buffer.from(token, 'base64url').length >= 32);
  t.is(entry.slice('ops:'.length), crypto.createHash('sha256').update(token).digest('hex'));
  t.is(run.stdout.split(token).length, 2, 'the token is printed exactly once');
  const config = loadConfig({ DATABASE_URL: 'postgres://x/y', REDIS_URL: 'redis://x', SIGNING_KEYS_DIR: '/nonexistent', ADMIN_TOKENS: `other:${'0'.repeat(64)},${entry}` });
  t.deepEqual(config.ADMIN_TOKENS[1], { name: 'ops', hash: entry.slice(4) });

  t.is(other.code, 0, show(other));
  t.regex(other.stdout, /^\s*admin:[0-9a-f]{64}$/m, 'the name defaults to admin');
  t.false(other.stdout.includes(token), 'every run makes a new token');
});

test('keys generate writes a 0600 private key the service can load, and prints its id and public key path', async (t) => {
  const dir = path.join(fs.mkdtempSync(path.join(process.env.ATENDO_TEST_TMP ?? os.tmpdir(), 'cli-keys-')), 'keys');
  t.teardown(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));
  const run = await cli(['keys', 'generate', '--dir', dir]);
  t.is(run.code, 0, show(run));
  const kid = field(run.stdout, 'key id');
  t.regex(kid, /^[0-9a-f]{32}$/);
  t.is(field(run.stdout, 'public key'), path.join(dir, `${kid}.public.pem`));
  t.is(fs.statSync(path.join(dir, `${kid}.private.pem`)).mode & 0o777, 0o600);
  t.is(loadKeyring(dir).active.kid, kid);
});

test('plans create → clients create → licenses issue → suspend → show → audit list', async (t) => {
  const code = uniqueCode();
  const plan = await cli([
    'plans', 'create', '--code', code, '--name', 'Pro', '--users', '5', '--connections', '2',
    '--messages-per-month', '10000', '--campaigns-per-month', '4', '--features', 'instagram,chatbot',
  ]);
  t.is(plan.code, 0, show(plan));
  t.is(field(plan.stdout, 'code'), code);
  t.is(field(plan.stdout, 'features'), 'instagram,chatbot');

  const client = await cli(['clients', 'create', '--name', 'Padaria Pão Quente', '--email', 'dono@padaria.com.br', '--tax-id', '11.222.333/0001-81']);
  t.is(client.code, 0, show(client));
  const clientId = field(client.stdout, 'id');

  // The plan by its code: the CLI looks its id up.
  const issued = await cli(['licenses', 'issue', '--client', clientId, '--plan', code, '--days', '30']);
  t.is(issued.code, 0, show(issued));
  const key = /^\s+(ATD-\S+)$/m.exec(issued.stdout)?.[1];
  t.regex(key ?? '', /^ATD-/, show(issued));
  t.regex(issued.stdout, /only this once/);
  const licenseId = field(issued.stdout, 'id');
  t.is(field(issued.stdout, 'status'), 'active');

  const suspended = await cli(['licenses', 'suspend', licenseId, '--reason', 'invoice overdue']);
  t.is(suspended.code, 0, show(suspended));
  t.regex(suspended.stdout, /is now suspended/);

  const [shown, audit] = await Promise.all([cli(['licenses', 'show', licenseId]), cli(['audit', 'list', '--license', licenseId])]);
  t.is(shown.code, 0, show(shown));
  t.is(field(shown.stdout, 'status'), 'suspended (reason: invoice overdue)');
  t.is(field(shown.stdout, 'plan'), `${(await svc.admin('GET', `/licenses/${licenseId}`)).body.planId} (${code})`);
  t.false(shown.stdout.includes(key!), 'the key is never shown again');
  t.is(audit.code, 0, show(audit));
  t.regex(audit.stdout, /license\.issue/);
  t.regex(audit.stdout, /license\.suspend .*admin:tester.*status: active→suspended.*invoice overdue/);

  for (const r of [plan, client, issued, suspended, shown, audit]) {
    t.false(r.stdout.includes(svc.adminToken) || r.stderr.includes(svc.adminToken), 'the admin token is never printed');
  }
});

test('renew, plan, rebind and plans update send what was asked', async (t) => {
  const lic = await issueTestLicense(svc, { boundIp: '127.0.0.30' });
  const before = (await svc.admin('GET', `/licenses/${lic.licenseId}`)).body;
  const other = await svc.admin('POST', '/plans', { code: uniqueCode(), name: 'Max', limits: defaultLimits, features: defaultFeatures });

  const [renew, plan, rebind, update] = await Promise.all([
    cli(['licenses', 'renew', lic.licenseId, '--days', '10']),
    cli(['licenses', 'plan', lic.licenseId, '--plan', other.body.code]),
    cli(['licenses', 'rebind', lic.licenseId, '--clear-ip', '--new-machine']),
    cli(['plans', 'update', other.body.id, '--users', '9', '--enable', 'api', '--disable', 'instagram', '--json']),
  ]);
  for (const r of [renew, plan, rebind, update]) t.is(r.code, 0, show(r));
  const after = (await svc.admin('GET', `/licenses/${lic.licenseId}`)).body;
  t.is(Date.parse(after.expiresAt) - Date.parse(before.expiresAt), 10 * 86_400_000);
  t.is(after.planId, other.body.id);
  t.is(after.boundIp, null);
  t.regex(rebind.stdout, /next activation or heartbeat binds/);
  const patched = JSON.parse(update.stdout);
  t.deepEqual(patched.limits, { ...defaultLimits, users: 9 });
  t.deepEqual(patched.features, { ...defaultFeatures, api: true, instagram: false });
  t.is(patched.name, 'Max', 'what was not given is left alone');
});

test('--json prints the service answer as it came', async (t) => {
  const lic = await issueTestLicense(svc);
  const run = await cli(['licenses', 'show', lic.licenseId, '--json']);
  t.is(run.code, 0, show(run));
  t.deepEqual(JSON.parse(run.stdout), (await svc.admin('GET', `/licenses/${lic.licenseId}`)).body);
});

test('installations list shows the bound IP, host, version, heartbeat and usage against the limits', async (t) => {
  const lic = await issueTestLicense(svc);
  const app = new TestAppliance(svc, '127.0.0.31');
  t.is((await app.activate(lic.key)).status, 200);
  t.is((await app.heartbeat({ users: 6, connections: 1, messagesThisMonth: 120, campaignsThisMonth: 1 })).status, 200);

  const [all, stale] = await Promise.all([
    cli(['installations', 'list', '--license', lic.licenseId]),
    cli(['installations', 'list', '--license', lic.licenseId, '--stale']),
  ]);
  t.is(all.code, 0, show(all));
  const row = all.stdout.split('\n').find((l) => l.startsWith(lic.licenseId)) ?? '';
  t.regex(row, /Padaria Pão Quente/);
  t.regex(row, /127\.0\.0\.31/);
  t.regex(row, /vps-atendo/);
  t.regex(row, /1\.0\.0/);
  t.regex(row, /\d+s ago/);
  t.regex(row, /users 6\/5! conn 1\/2 msg 120\/10k camp 1\/4/, 'over-limit usage is marked');
  t.notRegex(row, /STALE/);
  t.is(stale.code, 0, show(stale));
  t.is(stale.stdout.trim(), '(none)');
});

test('an API error prints its code on stderr and exits 1', async (t) => {
  const lic = await issueTestLicense(svc);
  const run = await cli(['licenses', 'resume', lic.licenseId]);
  t.is(run.code, 1, show(run));
  t.regex(run.stderr, /^error: invalid_license_transition: cannot resume a license that is active$/m);
  t.is(run.stdout, '');
});

test('a wrong token exits 1 with unauthorized, without printing the token', async (t) => {
  // Hex: a base64url token may start with '-', which the parser rightly takes for a flag (a 1-in-64 flake).
  const wrong = crypto.randomBytes(24).toString('hex');
  const run = await cli(['plans', 'list', '--token', wrong]);
  t.is(run.code, 1, show(run));
  t.regex(run.stderr, /^error: unauthorized: /m);
  t.false(run.stderr.includes(wrong) || run.stdout.includes(wrong));
});

test('an unreachable service exits 1 naming its URL', async (t) => {
  const url = `http://127.0.0.1:${await freePort()}`;
  const run = await cli(['plans', 'list'], { LICENSE_SERVICE_URL: url });
  t.is(run.code, 1, show(run));
  t.regex(run.stderr, new RegExp(`could not reach the license service at ${url.replace(/\./g, '\\.')}`));
});

test('usage errors exit 2 naming the flag, before any request', async (t) => {
  // Any request would fail with exit 1: the service URL points nowhere.
  const env = { LICENSE_SERVICE_URL: `http://127.0.0.1:${await freePort()}` };
  const [missing, badNumber, unknown] = await Promise.all([
    cli(['clients', 'create', '--name', 'Sem Email'], env),
    cli(['licenses', 'renew', crypto.randomUUID(), '--days', 'ten'], env),
    cli(['licences', 'list'], env),
  ]);
  t.is(missing.code, 2, show(missing));
  t.regex(missing.stderr, /clients create: missing --email/);
  t.regex(missing.stderr, /usage: license-admin clients create --name N --email E/);
  t.is(badNumber.code, 2, show(badNumber));
  t.regex(badNumber.stderr, /--days must be a whole number/);
  t.is(unknown.code, 2, show(unknown));
  t.regex(unknown.stderr, /unknown command 'licences'/);
});

test('licenses list names each license\'s client; show names it too, with the suspension\'s reason', async (t) => {
  const lic = await issueTestLicense(svc);
  await svc.admin('POST', `/licenses/${lic.licenseId}/suspend`, { reason: 'Fatura em aberto' });
  const [list, shown] = await Promise.all([cli(['licenses', 'list', '--client', lic.clientId]), cli(['licenses', 'show', lic.licenseId])]);
  t.is(list.code, 0, show(list));
  const row = list.stdout.split('\n').find((l) => l.startsWith(lic.licenseId)) ?? '';
  t.regex(row, /^\S+\s+Padaria Pão Quente\s/, show(list));
  t.false(row.includes(lic.clientId), 'no client UUID in the table');
  t.is(shown.code, 0, show(shown));
  t.is(field(shown.stdout, 'client'), `Padaria Pão Quente (${lic.clientId})`);
  t.is(field(shown.stdout, 'status'), 'suspended (reason: Fatura em aberto)');
  const client = await cli(['clients', 'show', lic.clientId]);
  t.regex(client.stdout.split('\n').find((l) => l.startsWith(lic.licenseId)) ?? '', /Padaria Pão Quente/, show(client));
});

test('installations list says when a machine activated before its first heartbeat, instead of "never"', async (t) => {
  const lic = await issueTestLicense(svc);
  t.is((await new TestAppliance(svc, '127.0.0.32').activate(lic.key)).status, 200);
  const run = await cli(['installations', 'list', '--license', lic.licenseId]);
  t.is(run.code, 0, show(run));
  const row = run.stdout.split('\n').find((l) => l.startsWith(lic.licenseId)) ?? '';
  t.regex(row, /none yet \(activated \d+s ago\)/, show(run));
  t.notRegex(row, /never/);
});

test('a second client with the same tax id is refused with client_tax_id_taken', async (t) => {
  const cnpj = newCnpj();
  const first = await cli(['clients', 'create', '--name', 'Padaria Pão Quente', '--email', 'dono@padaria.com.br', '--tax-id', cnpj]);
  t.is(first.code, 0, show(first));
  const second = await cli(['clients', 'create', '--name', 'Outra', '--email', 'outra@padaria.com.br', '--tax-id', cnpj.replace(/\D/g, '')]);
  t.is(second.code, 1, show(second));
  t.regex(second.stderr, /^error: client_tax_id_taken: a client with tax id \d{14} exists/m);
  t.is(second.stdout, '');
});

test('piped into a reader that has gone (| head), the CLI stops quietly instead of crashing on EPIPE', async (t) => {
  for (let i = 0; i < 3; i++) await issueTestLicense(svc);
  const runs = await Promise.all([['help'], ['licenses', 'list']].map((args) => new Promise<Run>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/license-admin.ts', ...args], {
      cwd: repoRoot,
      env: { ...process.env, LICENSE_SERVICE_URL: svc.url, LICENSE_ADMIN_TOKEN: svc.adminToken },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // The reader leaves before the first line: every write the CLI makes meets a closed pipe.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: '', stderr }));
  })));
  for (const run of runs) {
    t.is(run.code, 0, show(run));
    t.notRegex(run.stderr, /EPIPE|Unhandled/, show(run));
  }
});
