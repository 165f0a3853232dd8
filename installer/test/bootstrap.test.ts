import test from 'ava';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * installer/bootstrap.sh is what a client admin pipes to `sudo sh` on a fresh VPS. It is run here the same way
 * (script on stdin, under dash — Debian's and Ubuntu's /bin/sh), in its check-only mode, or with every command
 * that could change the machine shadowed by a stub that records the call and fails.
 */
const script = path.resolve('installer/bootstrap.sh');
const source = fs.readFileSync(script, 'utf8');
const dash = ['/bin/dash', '/usr/bin/dash'].find((p) => fs.existsSync(p));
const withDash = dash ? test : test.skip;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bootstrap-test-'));
fs.chmodSync(tmp, 0o755);
test.after.always(() => fs.rmSync(tmp, { recursive: true, force: true }));

const releases: Record<string, string> = {
  'ubuntu-22.04': 'PRETTY_NAME="Ubuntu 22.04.4 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\nVERSION_CODENAME=jammy\nID=ubuntu\nID_LIKE=debian\n',
  'ubuntu-24.04': 'PRETTY_NAME="Ubuntu 24.04.1 LTS"\nNAME="Ubuntu"\nVERSION_ID="24.04"\nVERSION_CODENAME=noble\nID=ubuntu\nID_LIKE=debian\n',
  'debian-12': 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nID=debian\n',
  'ubuntu-20.04': 'PRETTY_NAME="Ubuntu 20.04.6 LTS"\nNAME="Ubuntu"\nVERSION_ID="20.04"\nVERSION_CODENAME=focal\nID=ubuntu\nID_LIKE=debian\n',
  'debian-11': 'PRETTY_NAME="Debian GNU/Linux 11 (bullseye)"\nNAME="Debian GNU/Linux"\nVERSION_ID="11"\nVERSION_CODENAME=bullseye\nID=debian\n',
  centos: 'NAME="CentOS Stream"\nVERSION="9"\nID="centos"\nID_LIKE="rhel fedora"\nVERSION_ID="9"\nPRETTY_NAME="CentOS Stream 9"\n',
};

function osRelease(name: string): string {
  const file = path.join(tmp, `os-release-${name}`);
  if (!fs.existsSync(file)) fs.writeFileSync(file, releases[name] ?? '', { mode: 0o644 });
  return file;
}

/** Runs the script like `curl … | sh -s -- args`, with a clean environment (no inherited ATENDO_*). */
function run(env: Record<string, string>, args: string[] = [], opts: { text?: string; prefix?: string[] } = {}) {
  const argv = [...(opts.prefix ?? []), dash!, '-s', '--', ...args];
  return spawnSync(argv[0]!, argv.slice(1), {
    input: opts.text ?? source,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
}

const checkOnly = (release: string, arch: string) =>
  run({ ATENDO_BOOTSTRAP_CHECK_ONLY: '1', ATENDO_OS_RELEASE: osRelease(release), ATENDO_UNAME_M: arch });

const supportedSystems = /Ubuntu 22\.04, Ubuntu 24\.04 or Debian 12/;

withDash('dash -n accepts the script', (t) => {
  const res = spawnSync(dash!, ['-n', script], { encoding: 'utf8' });
  t.is(res.status, 0, res.stderr);
});

test('no bashisms', (t) => {
  const checkbashisms = spawnSync('checkbashisms', ['--posix', script], { encoding: 'utf8' });
  if (!checkbashisms.error) t.is(checkbashisms.status, 0, checkbashisms.stderr);
  const code = source
    .split('\n')
    .map((line, i) => ({ n: i + 1, line: line.replace(/^\s*#.*$/, '').replace(/\s#\s.*$/, '') }))
    .filter(({ line }) => line.trim() !== '');
  const bashisms: [RegExp, string][] = [
    [/\[\[/, '[['],
    [/(^|[\s;])function\s/, 'function keyword'],
    [/(^|[\s;])source\s/, 'source'],
    [/\[ [^\]]*==/, '== inside [ ]'],
    [/\w=\(/, 'array assignment'],
    [/\$\{\w+\[/, 'array subscript'],
    [/\$'/, "$'…' quoting"],
    [/<<</, 'here-string'],
    [/&>/, '&> redirection'],
    [/(^|[\s;])(declare|typeset|shopt|pushd|popd)\s/, 'bash builtin'],
    [/\$\{\w+\/[^}]*\}/, '${var/pattern/repl}'],
  ];
  for (const { n, line } of code) {
    for (const [re, what] of bashisms) t.false(re.test(line), `line ${n} uses ${what}: ${line.trim()}`);
  }
  t.regex(source, /^#!\/bin\/sh\n/);
  t.regex(source, /^set -eu$/m);
});

test('the script stays short enough to read before piping it to a shell', (t) => {
  t.true(source.trimEnd().split('\n').length <= 150);
});

test('the body runs only from a final call to main', (t) => {
  const lines = source.trimEnd().split('\n');
  t.is(lines.at(-1), 'main "$@"');
  t.regex(source, /^main\(\) \{$/m);
  // Above that call, only comments, `set -eu`, plain assignments and function definitions.
  let inFunction = false;
  for (const [i, line] of lines.slice(0, -1).entries()) {
    if (inFunction) {
      inFunction = line !== '}';
      continue;
    }
    if (/^\w+\(\) \{.*\}$/.test(line)) continue;
    if (/^\w+\(\) \{/.test(line)) {
      inFunction = true;
      continue;
    }
    const inert = line.trim() === '' || line.startsWith('#') || line === 'set -eu' || /^[A-Z_][A-Z0-9_]*=[^`]*$/.test(line);
    t.true(inert && !line.includes('$('), `line ${i + 1} runs at top level: ${line}`);
  }
  t.false(inFunction, 'every function is closed before the final call');
});

withDash('a truncated download does nothing', (t) => {
  const lines = source.trimEnd().split('\n');
  for (const keep of [10, 40, 80, lines.length - 1]) {
    const res = run(
      { ATENDO_BOOTSTRAP_CHECK_ONLY: '1', ATENDO_OS_RELEASE: osRelease('debian-12'), ATENDO_UNAME_M: 'x86_64' },
      [],
      { text: lines.slice(0, keep).join('\n') + '\n' },
    );
    t.notRegex(res.stdout, /==>/, `cut after line ${keep}`);
  }
});

for (const release of ['ubuntu-22.04', 'ubuntu-24.04', 'debian-12']) {
  for (const arch of ['x86_64', 'aarch64']) {
    withDash(`check-only accepts ${release} on ${arch}`, (t) => {
      const res = checkOnly(release, arch);
      t.is(res.status, 0, res.stderr);
      t.regex(res.stdout, new RegExp(`System: .*${release.includes('ubuntu') ? 'Ubuntu' : 'Debian'}.*, ${arch}`));
      t.regex(res.stdout, /Would install/);
      t.regex(res.stdout, /Atendo installer \S+ in \/opt\/atendo\/installer\//);
      t.is(res.stderr, '');
    });
  }
}

for (const [release, name] of [
  ['ubuntu-20.04', /Ubuntu 20\.04/],
  ['debian-11', /Debian GNU\/Linux 11/],
  ['centos', /CentOS Stream 9/],
] as const) {
  withDash(`check-only refuses ${release}, naming the supported systems`, (t) => {
    const res = checkOnly(release, 'x86_64');
    t.not(res.status, 0);
    t.regex(res.stderr, /^atendo-bootstrap: error: unsupported system/);
    t.regex(res.stderr, name);
    t.regex(res.stderr, supportedSystems);
    t.notRegex(res.stdout, /Would install/);
  });
}

withDash('a missing os-release is refused', (t) => {
  const res = run({ ATENDO_BOOTSTRAP_CHECK_ONLY: '1', ATENDO_OS_RELEASE: path.join(tmp, 'nope') });
  t.not(res.status, 0);
  t.regex(res.stderr, supportedSystems);
});

withDash('an armv7l machine is refused, naming the supported architectures', (t) => {
  const res = checkOnly('ubuntu-24.04', 'armv7l');
  t.not(res.status, 0);
  t.regex(res.stderr, /^atendo-bootstrap: error: unsupported CPU architecture: armv7l/);
  t.regex(res.stderr, /x86_64.*aarch64/);
});

withDash('without root it stops at once and says to use sudo', (t) => {
  const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => fs.existsSync(p));
  const asNobody = process.getuid?.() === 0;
  if (asNobody && !setpriv) return t.pass('running as root without setpriv: nothing to drop to');
  const prefix = asNobody ? [setpriv!, '--reuid=65534', '--regid=65534', '--clear-groups'] : [];
  const res = run({ ATENDO_OS_RELEASE: osRelease('debian-12') }, ['--domain', 'x'], { prefix });
  t.is(res.status, 1);
  t.regex(res.stderr, /^atendo-bootstrap: error: this must run as root; use: .*\| sudo sh/);
  t.is(res.stdout, '');
});

/** Stubs for every command that could change the machine: each records its call and fails. */
function stubs(): { dir: string; calls: () => string } {
  const dir = fs.mkdtempSync(path.join(tmp, 'stubs-'));
  const log = path.join(dir, 'calls.log');
  for (const cmd of ['apt-get', 'curl', 'systemctl', 'install', 'tar', 'mkdir', 'rm', 'mv', 'mktemp', 'dpkg', 'docker', 'node']) {
    fs.writeFileSync(path.join(dir, cmd), `#!/bin/sh\necho "${cmd} $*" >> '${log}'\nexit 1\n`, { mode: 0o755 });
  }
  return { dir, calls: () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '') };
}

withDash('an unfilled release placeholder is refused before anything is installed', (t) => {
  const { dir, calls } = stubs();
  const env = {
    PATH: `${dir}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    ATENDO_SKIP_ROOT_CHECK: '1',
    ATENDO_OS_RELEASE: osRelease('ubuntu-24.04'),
    ATENDO_UNAME_M: 'x86_64',
  };
  const sha = run({ ...env, ATENDO_VERSION: '1.0.0', ATENDO_INSTALLER_SHA256: '@ATENDO_INSTALLER_SHA256@' });
  t.is(sha.status, 1);
  t.regex(sha.stderr, /error: ATENDO_INSTALLER_SHA256 is not pinned/);
  const version = run({ ...env, ATENDO_VERSION: '@ATENDO_VERSION@', ATENDO_INSTALLER_SHA256: 'a'.repeat(64) });
  t.is(version.status, 1);
  t.regex(version.stderr, /error: ATENDO_VERSION is not pinned/);
  t.is(calls(), '', 'no command that changes the machine ran');
});

test('the Node.js runtime is pinned to real SHA-256 values for both architectures', (t) => {
  t.regex(source, /^NODE_VERSION=20\.\d+\.\d+$/m);
  t.regex(source, /^NODE_SHA256_X64=[0-9a-f]{64}$/m);
  t.regex(source, /^NODE_SHA256_ARM64=[0-9a-f]{64}$/m);
  t.regex(source, /--proto '=https' --tlsv1\.2 --retry 3 --connect-timeout 10/);
  t.regex(source, /exec node "\$dir\/installer\/main\.js" "\$@"$/m);
});

withDash('it leaves an atendo-installer command that runs the installer and names itself in its hints', (t) => {
  // The very lines of the script that write the command, run with its path moved into a sandbox.
  const lines = source.split('\n').filter((l) => l.includes('/usr/local/bin/atendo-installer'));
  t.is(lines.length, 2, 'written, then made executable');
  const sandbox = fs.mkdtempSync(path.join(tmp, 'shim-'));
  const bin = path.join(sandbox, 'atendo-installer');
  const dir = path.join(sandbox, 'installer-0.1.0');
  fs.mkdirSync(path.join(dir, 'installer'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'installer', 'main.js'), 'console.log(JSON.stringify({ command: process.env.ATENDO_INSTALLER_COMMAND, args: process.argv.slice(2) }));');
  const text = `set -eu\ndir='${dir}'\n${lines.join('\n').replaceAll('/usr/local/bin/atendo-installer', bin)}\necho "exported=$ATENDO_INSTALLER_COMMAND"\n`;
  const wrote = spawnSync(dash!, ['-s'], { input: text, env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8' });
  t.is(wrote.status, 0, wrote.stderr);
  t.regex(wrote.stdout, /exported=atendo-installer/, 'the installer started right after knows its name too');
  t.is(fs.statSync(bin).mode & 0o777, 0o755);
  const ran = spawnSync(bin, ['status', '--dir', '/srv/atendo x'], { env: { PATH: '/usr/bin:/bin' }, encoding: 'utf8' });
  t.is(ran.status, 0, ran.stderr);
  t.deepEqual(JSON.parse(ran.stdout), { command: 'atendo-installer', args: ['status', '--dir', '/srv/atendo x'] }, 'with node found by absolute path, not PATH');
});
