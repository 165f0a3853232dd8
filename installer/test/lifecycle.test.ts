import test from 'ava';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  ADMIN_PASSWORD, appUrlOf, call, localInstallArgs, login, readEnvFile, runInstaller, startLicenseServiceProcess, stopInstall, tempDir,
} from './support.js';

/** A copy of this checkout as another release: its own version, optionally with one more migration. */
function makeRelease(version: string, opts: { minUpgradeFrom?: string; migration?: string } = {}): string {
  const dir = tempDir(`release-${version}-`);
  for (const p of ['server', 'web-dist', 'license-service/kit', 'license-service/protocol', 'tsconfig.json']) {
    fs.cpSync(path.resolve(p), path.join(dir, p), { recursive: true });
  }
  fs.symlinkSync(path.resolve('node_modules'), path.join(dir, 'node_modules'));
  const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ ...pkg, version, atendo: { minUpgradeFrom: opts.minUpgradeFrom ?? '0.1.0' } }));
  if (opts.migration) {
    fs.writeFileSync(path.join(dir, 'server/migrations/20270101_0001_next.ts'), opts.migration);
    const index = path.join(dir, 'server/migrations/index.ts');
    fs.writeFileSync(index, fs.readFileSync(index, 'utf8')
      .replace("import * as license from './20261123_0002_license.js';", "import * as license from './20261123_0002_license.js';\nimport * as next from './20270101_0001_next.js';")
      .replace("'20261123_0002_license': license,", "'20261123_0002_license': license,\n    '20270101_0001_next': next,"));
  }
  return dir;
}

const BROKEN_MIGRATION = `import type { Knex } from 'knex';
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('half_done', (t) => t.increments('id'));
  await knex.raw('select * from a_table_that_does_not_exist');
}
export async function down(): Promise<void> {}
`;

let service: Awaited<ReturnType<typeof startLicenseServiceProcess>>;
let dir: string;
let key: string;
test.before(async () => {
  service = await startLicenseServiceProcess();
  dir = tempDir('life-');
  ({ key } = await service.issueLicense());
  const run = await runInstaller(await localInstallArgs(dir, service, key));
  if (run.code !== 0) throw new Error(run.out);
});
test.after.always(async () => {
  if (dir) await stopInstall(dir);
  await service?.close();
});

async function adminCookie(): Promise<string> {
  const res = await login(appUrlOf(dir));
  return String(res.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
}

async function newUser(email: string): Promise<number> {
  const cookie = await adminCookie();
  return (await call('POST', `${appUrlOf(dir)}/api/users`, { headers: { cookie }, body: { email, name: 'Atendente', password: 'senha-boa-123', role: 'attendant' } })).status;
}

test.serial('backup writes a private archive with the database, media and a manifest; --keep prunes', async (t) => {
  t.is(await newUser('antes.do.backup@padaria.com.br'), 201);
  for (let i = 0; i < 3; i++) {
    const run = await runInstaller(['backup', '--dir', dir, '--keep', '2']);
    t.is(run.code, 0, run.out);
    await new Promise((r) => setTimeout(r, 1100)); // names carry the second
  }
  const files = fs.readdirSync(path.join(dir, 'backups')).filter((f) => /-backup\.tar\.gz$/.test(f));
  t.is(files.length, 2, 'the oldest was pruned');
  const file = path.join(dir, 'backups', files.sort().pop()!);
  t.is(fs.statSync(file).mode & 0o777, 0o600);
  const listing = execFileSync('tar', ['-tzf', file], { encoding: 'utf8' });
  t.deepEqual(listing.trim().split('\n').sort(), ['data.tar.gz', 'database.dump', 'manifest.json']);
  const media = execFileSync('sh', ['-c', `tar -xzOf "$1" data.tar.gz | tar -tz`, 'sh', file], { encoding: 'utf8' });
  t.false(media.includes('installation.key'), 'the installation key stays with the machine');
});

test.serial('doctor and support-bundle report everything and contain no secret', async (t) => {
  const secrets = Object.entries(readEnvFile(dir)).filter(([k]) => /PASSWORD|SECRET|ENCRYPTION_KEY/.test(k)).map(([, v]) => v);
  t.is(secrets.length, 4);
  const doctor = await runInstaller(['doctor', '--dir', dir, '--json']);
  const report = JSON.parse(doctor.out);
  t.true(report.ok, doctor.out);
  const ids = report.checks.map((c: any) => c.id);
  for (const id of ['memory', 'disk', 'license_service', 'public_ip', 'service_postgres', 'service_web', 'ready', 'license', 'backup']) t.true(ids.includes(id), id);
  t.is(report.checks.find((c: any) => c.id === 'license').detail, 'active');

  const bundle = path.join(tempDir('bundle-'), 'bundle.tar.gz');
  const run = await runInstaller(['support-bundle', '--dir', dir, '--output', bundle]);
  t.is(run.code, 0, run.out);
  const out = tempDir('bundle-x-');
  execFileSync('tar', ['-C', out, '-xzf', bundle]);
  const everything = execFileSync('sh', ['-c', 'cat $(find . -type f)'], { cwd: out, encoding: 'utf8', maxBuffer: 64 << 20 });
  for (const file of ['versions.json', 'env.redacted', 'doctor.json', 'logs/web.log', 'logs/installer.log']) t.true(fs.existsSync(path.join(out, file)), file);
  t.regex(fs.readFileSync(path.join(out, 'env.redacted'), 'utf8'), /POSTGRES_PASSWORD=<redacted>/);
  for (const s of [...secrets, key, ADMIN_PASSWORD]) t.false(everything.includes(s), 'a secret leaked into the bundle');
  t.false(doctor.out.includes(secrets[0]!));
});

test.serial('logs are readable by default (piped too), JSON Lines with --json, colours only on a terminal, and write nothing', async (t) => {
  const installerLog = path.join(dir, 'logs', 'installer.log');
  const before = fs.readFileSync(installerLog, 'utf8');
  const raw = fs.readFileSync(path.join(dir, 'logs', 'web.log'), 'utf8').split('\n').filter((l) => l.startsWith('{'));
  t.true(raw.length > 0, 'the web writes JSON lines');
  const record = JSON.parse(raw.at(-1)!);

  const pretty = await runInstaller(['logs', '--dir', dir, '--service', 'web', '--lines', '20']);
  t.is(pretty.code, 0, pretty.out);
  t.regex(pretty.out, /^==> web <==$/m);
  const line = new RegExp(`^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{3} (INFO |WARN |ERROR|DEBUG) ${record.msg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm');
  t.regex(pretty.out, line, 'one readable line per record: time, level, message');
  t.false(pretty.out.split('\n').some((l) => l.startsWith('{"level"')), 'no raw JSON');
  t.false(pretty.out.includes('\x1b['), 'no colour codes when piped');

  const json = await runInstaller(['logs', '--dir', dir, '--service', 'web', '--lines', '20', '--json']);
  t.is(json.code, 0, json.out);
  const records = json.out.trim().split('\n').map((l) => JSON.parse(l));
  t.true(records.every((r) => r.service === 'web'));
  t.like(records.at(-1), { ...record, service: 'web' }, 'the service\'s own record, as written');

  const all = await runInstaller(['logs', '--dir', dir, '--json', '--lines', '5']);
  const services = new Set(all.out.trim().split('\n').map((l) => JSON.parse(l).service));
  for (const s of ['web', 'worker', 'supervisor', 'installer']) t.true(services.has(s), `${s} in --json`);

  // On a terminal (util-linux's script gives it one), levels are coloured.
  const tty = spawnSync('script', ['-qec', `${process.execPath} --import ${import.meta.resolve('tsx')} installer/main.ts logs --dir ${dir} --service web --lines 5`, '/dev/null'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '' }, timeout: 60_000 });
  if (tty.error) t.log('no `script` here: terminal colours not checked');
  else t.regex(tty.stdout, /\x1b\[3\dm(INFO |WARN |ERROR)\x1b\[0m/);

  t.is(fs.readFileSync(installerLog, 'utf8'), before, 'logs wrote nothing to the installer log');
});

test.serial('an upgrade whose migration fails is rolled back and the appliance still serves', async (t) => {
  const release = makeRelease('0.2.0', { migration: BROKEN_MIGRATION });
  const run = await runInstaller(['upgrade', '--dir', dir, '--release', release]);
  t.is(run.code, 1, run.out);
  t.regex(run.out, /upgrade to 0\.2\.0 failed at "migrate"/);
  t.regex(run.out, /code: upgrade_failed/);
  t.regex(run.out, /rolled back: Atendo 0\.1\.0 is serving again/);
  const health = await call('GET', `${appUrlOf(dir)}/health`);
  t.is(health.body.version, '0.1.0');
  t.is((await call('GET', `${appUrlOf(dir)}/ready`)).status, 200);
  t.is((await login(appUrlOf(dir), 'antes.do.backup@padaria.com.br', 'senha-boa-123')).status, 200, 'data from before is there');
  const state = JSON.parse(fs.readFileSync(path.join(dir, 'installer-state.json'), 'utf8'));
  t.is(state.version, '0.1.0');
});

test.serial('an upgrade that skips a required version is refused before anything stops', async (t) => {
  const release = makeRelease('0.9.0', { minUpgradeFrom: '0.5.0' });
  const run = await runInstaller(['upgrade', '--dir', dir, '--release', release]);
  t.is(run.code, 2, run.out);
  t.regex(run.out, /code: unsupported_upgrade_path/);
  t.regex(run.out, /upgrade to 0\.5\.0 first, then to 0\.9\.0/);
  t.is((await call('GET', `${appUrlOf(dir)}/ready`)).status, 200);
});

test.serial('a good upgrade runs its migration and the new version serves', async (t) => {
  const release = makeRelease('0.2.0', { migration: `import type { Knex } from 'knex';
export async function up(knex: Knex): Promise<void> { await knex.schema.createTable('upgraded_marker', (t) => t.increments('id')); }
export async function down(): Promise<void> {}
` });
  const run = await runInstaller(['upgrade', '--dir', dir, '--release', release]);
  t.is(run.code, 0, run.out);
  t.is((await call('GET', `${appUrlOf(dir)}/health`)).body.version, '0.2.0');
  t.is((await login(appUrlOf(dir))).status, 200);
  const status = await runInstaller(['status', '--dir', dir, '--json']);
  t.is(JSON.parse(status.out).version, '0.2.0', status.out);
});

test.serial('rotate-secrets changes the passwords and the session key without losing data', async (t) => {
  const before = readEnvFile(dir);
  const cookie = await adminCookie();
  const run = await runInstaller(['rotate-secrets', '--dir', dir]);
  t.is(run.code, 0, run.out);
  const after = readEnvFile(dir);
  for (const k of ['POSTGRES_PASSWORD', 'REDIS_PASSWORD', 'SESSION_SECRET']) t.not(after[k], before[k], k);
  t.is(after.ENCRYPTION_KEY, before.ENCRYPTION_KEY);
  t.is((await call('GET', `${appUrlOf(dir)}/api/license`, { headers: { cookie } })).status, 401, 'old sessions end');
  t.is((await login(appUrlOf(dir), 'antes.do.backup@padaria.com.br', 'senha-boa-123')).status, 200, 'data kept');
  const old = execFileSync('sh', ['-c', 'PGPASSWORD="$1" psql -h 127.0.0.1 -p "$2" -U atendo -d atendo -Atc "select 1" 2>&1 || true', 'sh', before.POSTGRES_PASSWORD!, before.PG_PORT!], { encoding: 'utf8' });
  t.regex(old, /password authentication failed/, 'the old database password no longer works');
  t.false(run.out.includes(after.POSTGRES_PASSWORD!));
});

test.serial('uninstall stops everything and keeps the data, .env and backups', async (t) => {
  const run = await runInstaller(['uninstall', '--dir', dir, '--yes']);
  t.is(run.code, 0, run.out);
  await t.throwsAsync(call('GET', `${appUrlOf(dir)}/health`), undefined, 'the appliance is stopped');
  for (const kept of ['.env', 'pg', 'data', 'backups']) t.true(fs.existsSync(path.join(dir, kept)), `${kept} is kept`);
  t.false(fs.existsSync(path.join(dir, 'installer-state.json')));
  t.false(fs.existsSync(path.join(dir, 'pg', 'postmaster.pid')), 'PostgreSQL stopped');
});
