/**
 * `npm run test:any-date -- [SPEC] [test files, ava args…]`: the test suite with the clock of every
 * process moved by libfaketime (Debian's `faketime`, installed with apt-get as root when missing), to
 * prove that no test depends on today's date.
 *
 *   npm run test:any-date -- +35d                         `npm test` (typecheck, then every file)
 *   npm run test:any-date -- +35d server/test/a.test.ts   only those files (and ava args such as --match),
 *                                                         through scripts/test.ts without the typecheck,
 *                                                         as `npx tsx scripts/test.ts <files>` runs them
 *
 *   +35d (default), +365d, -2h …            an offset from the real clock (s, m, h, d or y)
 *   '@2027-02-01 02:30:00'  or an ISO time  a moment: the run starts there (a time without a zone is UTC)
 *
 * A moment is turned into an offset from the real clock once, here, so that every process — whenever a
 * test starts it — sees the same clock (faketime's own '@' restarts the clock in each new process).
 * Redis is started without the library (it crashes under it); the harness hands LD_PRELOAD and FAKETIME
 * to every other process it starts (installer/src/runtime/clockEnv.ts).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { ensureHostCommand } from '../installer/src/runtime/hostTools.js';

const LIBRARY_CANDIDATES = [
  '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1',
  '/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1',
  '/usr/lib/faketime/libfaketime.so.1',
];

/** A faketime spec as libfaketime's relative FAKETIME value ('+3024000'), or null when it is not one. */
function offsetSpec(spec: string, realNow: Date): string | null {
  const relative = /^([+-])(\d+(?:\.\d+)?)([smhdy]?)$/.exec(spec.trim());
  if (relative) {
    const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86_400, y: 365 * 86_400 }[relative[3] as '' | 's' | 'm' | 'h' | 'd' | 'y'];
    return `${relative[1]}${Math.round(Number(relative[2]) * unit)}`;
  }
  const text = spec.trim().replace(/^@/, '');
  const zoned = /[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text.replace(' ', 'T')}Z`;
  const at = new Date(zoned);
  if (Number.isNaN(at.getTime())) return null;
  const seconds = Math.round((at.getTime() - realNow.getTime()) / 1000);
  return `${seconds >= 0 ? '+' : '-'}${Math.abs(seconds)}`;
}

function main(): void {
  const args = process.argv.slice(2);
  // Whatever follows the spec goes to ava (test files, --match …).
  const spec = args[0] && (/^[+-]\d/.test(args[0]) || args[0].startsWith('@')) ? args.shift()! : '+35d';
  const offset = offsetSpec(spec, new Date());
  if (!offset) {
    process.stderr.write(`test:any-date: '${spec}' is neither an offset (+35d, -2h, +365d) nor a moment ('@2027-02-01 02:30:00')\n`);
    process.exit(2);
  }
  ensureHostCommand('faketime', 'faketime');
  const library = LIBRARY_CANDIDATES.find((p) => fs.existsSync(p));
  if (!library) {
    process.stderr.write(`test:any-date: libfaketime.so.1 not found (looked in ${LIBRARY_CANDIDATES.join(', ')})\n`);
    process.exit(2);
  }
  const env = {
    ...process.env,
    LD_PRELOAD: [process.env.LD_PRELOAD, library].filter(Boolean).join(':'),
    FAKETIME: offset,
  };
  const moved = new Date(Date.now() + Number(offset) * 1000);
  process.stdout.write(`test:any-date: the clock of every test process is moved by ${offset} s (${spec}): it now reads ${moved.toISOString()}\n`);
  // Named files run alone, without the whole-project typecheck (which others' unfinished edits may fail).
  const child = args.length
    ? spawn(process.execPath, ['--import', 'tsx', 'scripts/test.ts', ...args], { stdio: 'inherit', env })
    : spawn('npm', ['test'], { stdio: 'inherit', env });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

main();
