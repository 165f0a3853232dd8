import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { runInstaller, tempDir } from './support.js';

const COMMANDS = ['install', 'upgrade', 'backup', 'restore', 'status', 'logs', 'doctor', 'support-bundle', 'uninstall', 'rotate-secrets', 'start', 'stop'];

test('each command has its own help: its flags with their defaults, and an example', async (t) => {
  const overview = await runInstaller(['help']);
  t.is(overview.code, 0, overview.out);
  for (const c of COMMANDS) t.regex(overview.out, new RegExp(`^  ${c} `, 'm'), `${c} is listed`);

  const status = await runInstaller(['status', '--help']);
  t.is(status.code, 0, status.out);
  t.regex(status.out, /^npm run installer -- status \[--json\]/);
  for (const flag of ['--json', '--dir DIR', '--runtime docker|local']) t.true(status.out.includes(flag), flag);
  t.regex(status.out, /default: \/opt\/atendo/);
  t.regex(status.out, /Examples?\n {2}npm run installer -- status/);
  for (const other of ['--license-key', '--admin-email', '--keep', 'Commands']) t.false(status.out.includes(other), `status's help has no ${other}`);
  t.is((await runInstaller(['help', 'status'])).out, status.out, '`help status` is the same text');

  const install = await runInstaller(['install', '--help']);
  for (const flag of ['--license-key KEY', '--admin-password-file F', '--dev-trusted-keys DIR', '--dry-run']) t.true(install.out.includes(flag), flag);
  t.regex(install.out, /--timezone TZ .*default: America\/Sao_Paulo/);
  t.regex((await runInstaller(['backup', '--help'])).out, /--keep N .*default: 7/);
  t.regex((await runInstaller(['logs', '-h'])).out, /--lines N .*default: 200/);

  const texts = new Set<string>([overview.out]);
  for (const c of COMMANDS) {
    const run = await runInstaller([c, '--help']);
    t.is(run.code, 0, `${c}: ${run.out}`);
    t.regex(run.out, new RegExp(`^npm run installer -- ${c} `), c);
    t.regex(run.out, new RegExp(`Examples?\\n {2}npm run installer -- ${c}`), `${c} has an example`);
    t.false(texts.has(run.out), `${c}'s help is its own`);
    texts.add(run.out);
  }
});

test('a command refuses a flag it does not take, pointing at its own help', async (t) => {
  const run = await runInstaller(['status', '--license-key', 'ATD-x']);
  t.is(run.code, 2, run.out);
  t.regex(run.out, /status does not take --license-key/);
  t.regex(run.out, /next: see `npm run installer -- status --help`/);
  const unknown = await runInstaller(['help', 'nope']);
  t.is(unknown.code, 2);
  t.regex(unknown.out, /unknown command "nope"/);
});

/** Every file under `dir`, for "nothing was written" checks. */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

test('read-only commands (status, logs, doctor, help) write nothing, even where there is no install', async (t) => {
  // status without --dir, from a sandbox working directory: the local runtime's default .data/local.
  const sandbox = tempDir('cwd-');
  const local = await runInstaller(['status', '--runtime', 'local'], { cwd: sandbox });
  t.is(local.code, 1, local.out);
  t.regex(local.out, new RegExp(`no finished Atendo install in ${sandbox}/\\.data/local`));
  t.deepEqual(filesUnder(sandbox), [], 'not even logs/installer.log');
  t.notRegex(local.out, /log: /, 'and no log file is pointed at');

  // status without --dir and --runtime: the default /opt/atendo, whose log is not touched.
  const defaultLog = '/opt/atendo/logs/installer.log';
  const before = fs.existsSync(defaultLog) ? fs.statSync(defaultLog).size : null;
  const plain = await runInstaller(['status'], { cwd: sandbox });
  t.is(plain.code, 1, plain.out);
  t.regex(plain.out, /no finished Atendo install in \/opt\/atendo/);
  t.regex(plain.out, /next: run `npm run installer -- install` first/, 'the default dir needs no --dir');
  t.is(fs.existsSync(defaultLog) ? fs.statSync(defaultLog).size : null, before, `${defaultLog} is neither created nor appended to`);

  const dir = path.join(tempDir('ro-'), 'atendo');
  for (const args of [
    ['status', '--dir', dir], ['status', '--dir', dir, '--json'], ['logs', '--dir', dir], ['logs', '--dir', dir, '--json'],
    ['doctor', '--dir', dir, '--runtime', 'local', '--license-service-url', 'http://127.0.0.1:9', '--json'], ['help', '--dir', dir],
  ]) {
    const run = await runInstaller(args, { cwd: sandbox });
    t.not(run.code, null, args.join(' '));
    t.false(fs.existsSync(dir), `${args.join(' ')} made ${dir}`);
  }
  t.deepEqual(filesUnder(sandbox), []);
});

test('hints name the command that works where the installer runs, with the install\'s --dir', async (t) => {
  const dir = path.join(tempDir('hint-'), 'my install');
  const checkout = await runInstaller(['status', '--dir', dir]);
  t.regex(checkout.out, new RegExp(`next: run \`npm run installer -- install --dir '${dir}'\` first`));
  t.false(checkout.out.includes('atendo-installer'), 'no command that does not exist in a checkout');

  // Installed by bootstrap.sh, whose /usr/local/bin/atendo-installer sets ATENDO_INSTALLER_COMMAND.
  const env = { ATENDO_INSTALLER_COMMAND: 'atendo-installer' };
  const installed = await runInstaller(['status', '--dir', dir], { env });
  t.regex(installed.out, new RegExp(`next: run \`atendo-installer install --dir '${dir}'\` first`));
  t.regex((await runInstaller(['status', '--help'], { env })).out, /^atendo-installer status /);
  t.regex((await runInstaller(['status', '--oops'], { env })).out, /run `atendo-installer help`/);
});

test('install\'s docker flags (--image, --project-name, --http-port, --graph-url) refuse bad values with the reason', async (t) => {
  const refused = async (args: string[], message: RegExp) => {
    const run = await runInstaller(['install', '--runtime', 'docker', '--dry-run', ...args]);
    t.is(run.code, 2, run.out);
    t.regex(run.out, message);
  };
  await refused(['--image', 'ghcr.io/atendo/appliance:0.1.0'], /--image "ghcr\.io\/atendo\/appliance:0\.1\.0" is not an image repository without a tag/);
  await refused(['--project-name', 'Atendo Loja'], /--project-name must be lowercase letters/);
  await refused(['--http-port', '0'], /--http-port must be a whole number from 1 to 65535/);
  await refused(['--graph-url', 'graph.facebook.com'], /--graph-url must be an http\(s\) URL/);
});
