import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { $ } from 'zx';
import { readEnv, type EnvValues } from '../envFile.js';
import { InstallerError } from '../errors.js';
import { renderStack } from '../stack/renderStack.js';
import { parseReleaseInfo, type CommandResult, type ReleaseInfo, type RenderedFile, type Runtime, type ServiceStatus } from './runtime.js';
import { commandFor } from '../invocation.js';

/** The compose project unless .env names another (ATENDO_PROJECT, from `install --project-name`). */
const DEFAULT_PROJECT = 'atendo';
const CLI = ['node', 'server/src/entry/cli.js'];
const READY_PROBE = "fetch('http://127.0.0.1:3000/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))";

/**
 * The VPS runtime: the stack in compose/appliance/compose.yaml, rendered into the install dir next to
 * its .env. Every call goes through `docker compose` with the project pinned, so it works from any cwd.
 * `npm run test:docker` runs it against a real engine (scripts/test-docker.ts).
 */
export class DockerRuntime implements Runtime {
  readonly kind = 'docker' as const;

  constructor(readonly dir: string) {}

  /** Read from .env each time: install writes it after the runtime is made, and nothing else changes it. */
  private project(): string {
    return readEnv(this.dir)?.ATENDO_PROJECT || DEFAULT_PROJECT;
  }

  private args(): string[] {
    return ['compose', '--project-name', this.project(), '--project-directory', this.dir, '-f', path.join(this.dir, 'compose.yaml'), '--env-file', path.join(this.dir, '.env')];
  }

  /** `docker compose …`; `version` overrides ATENDO_VERSION (the shell wins over .env in Compose). */
  private async compose(rest: string[], opts: { input?: string; version?: string; nothrow?: boolean; timeout?: string } = {}): Promise<CommandResult> {
    const out = await $({
      input: opts.input ?? '', quiet: true, nothrow: true, timeout: (opts.timeout ?? '600s') as `${number}s`,
      env: { ...process.env, ...(opts.version ? { ATENDO_VERSION: opts.version } : {}) },
    })`docker ${this.args()} ${rest}`;
    const res = { code: out.exitCode ?? 1, stdout: out.stdout, stderr: out.stderr };
    if (res.code !== 0 && !opts.nothrow) {
      throw new InstallerError('compose_failed', `docker compose ${rest.slice(0, 3).join(' ')} failed: ${res.stderr.trim().split('\n').slice(-3).join(' ')}`, `see \`${commandFor(this.dir, 'logs')}\` and the log file`);
    }
    return res;
  }

  appUrl(env: EnvValues): string {
    return env.PUBLIC_URL ?? 'http://127.0.0.1';
  }

  async ready(): Promise<boolean> {
    return (await this.compose(['exec', '-T', 'server', 'node', '-e', READY_PROBE], { nothrow: true, timeout: '15s' })).code === 0;
  }

  async defaults(): Promise<EnvValues> {
    return {};
  }

  render(env: EnvValues): RenderedFile[] {
    return renderStack({ domain: env.ATENDO_DOMAIN || null, version: env.ATENDO_VERSION ?? '0.0.0' }).files;
  }

  async startData(): Promise<void> {
    await this.compose(['up', '-d', '--wait', 'postgres', 'redis']);
  }

  async dataRunning(): Promise<boolean> {
    const ps = await this.services();
    return ['postgres', 'redis'].every((n) => ps.find((s) => s.name === n)?.running);
  }

  async startApp(_env: EnvValues, release: string): Promise<void> {
    await this.compose(['up', '-d', '--wait', '--remove-orphans'], { version: release });
  }

  /**
   * Images for `release`, fetched before anything is stopped (an upgrade never waits on a download while
   * down). A tag already here is not fetched again: releases are immutable tags, and an image loaded or
   * built on this machine (an offline install, CI) has no registry to come from.
   */
  async prepareRelease(release: string): Promise<void> {
    await this.compose(['pull', '--quiet', '--policy', 'missing', 'server', 'worker'], { version: release });
  }

  async releaseInfo(release: string): Promise<ReleaseInfo> {
    const res = await this.compose(['run', '--rm', '-T', '--no-deps', 'server', 'cat', 'package.json'], { version: release });
    return parseReleaseInfo(res.stdout);
  }

  /** The image digests that run now, recorded before an upgrade. */
  async imageDigests(): Promise<string> {
    return (await this.compose(['images', '--format', 'json'], { nothrow: true })).stdout;
  }

  async appRunning(): Promise<boolean> {
    const ps = await this.services();
    return ['server', 'worker'].every((n) => ps.find((s) => s.name === n)?.running);
  }

  async stopApp(): Promise<void> {
    await this.compose(['stop', 'server', 'worker'], { nothrow: true });
  }

  async stopAll(): Promise<void> {
    await this.compose(['stop'], { nothrow: true });
  }

  async appliance(_env: EnvValues, release: string, args: string[], input?: string): Promise<CommandResult> {
    return this.compose(['run', '--rm', '-T', '--no-deps', 'server', ...CLI, ...args], { input, version: release, nothrow: true });
  }

  async psql(_env: EnvValues, sql: string, input?: string): Promise<string> {
    const res = await this.compose(['exec', '-T', 'postgres', 'psql', '-U', 'atendo', '-d', 'atendo', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-At'], { input: `${sql}\n${input ?? ''}`, nothrow: true });
    if (res.code !== 0) throw new InstallerError('database_command_failed', `psql: ${res.stderr.trim()}`, `is the database running? ${commandFor(this.dir, 'status')}`);
    return res.stdout;
  }

  /** Streams a command's stdout into a host file, or a host file into its stdin. */
  private stream(rest: string[], io: { to?: string; from?: string }): Promise<void> {
    return new Promise((resolve, reject) => {
      const out = io.to ? fs.openSync(io.to, 'w', 0o600) : 'ignore';
      const inp = io.from ? fs.openSync(io.from, 'r') : 'ignore';
      const child = spawn('docker', [...this.args(), ...rest], { stdio: [inp, out, 'pipe'] });
      let err = '';
      child.stderr?.on('data', (d) => { err += d; });
      child.once('error', reject);
      child.once('exit', (code) => {
        if (typeof out === 'number') fs.closeSync(out);
        if (typeof inp === 'number') fs.closeSync(inp);
        if (code === 0) resolve();
        else reject(new InstallerError('stream_failed', `${rest.slice(0, 4).join(' ')} failed: ${err.trim()}`, 'see the log file'));
      });
    });
  }

  async dumpDatabase(_env: EnvValues, file: string): Promise<void> {
    await this.stream(['exec', '-T', 'postgres', 'pg_dump', '-Fc', '--no-owner', '-U', 'atendo', '-d', 'atendo'], { to: file });
  }

  async restoreDatabase(env: EnvValues, file: string): Promise<void> {
    await this.psql(env, 'drop schema public cascade; create schema public;');
    await this.stream(['exec', '-T', 'postgres', 'pg_restore', '--no-owner', '--exit-on-error', '-U', 'atendo', '-d', 'atendo'], { from: file });
  }

  async archiveData(file: string): Promise<void> {
    await this.stream(['run', '--rm', '-T', '--no-deps', 'server', 'tar', '-C', '/var/lib/atendo', '--exclude=./license', '-cz', '.'], { to: file });
  }

  async restoreData(file: string): Promise<void> {
    await this.stream(['run', '--rm', '-T', '--no-deps', 'server', 'tar', '-C', '/var/lib/atendo', '--exclude=./license', '-xz'], { from: file });
  }

  async setDatabasePassword(env: EnvValues, password: string): Promise<void> {
    await this.psql(env, `alter role atendo password '${password.replace(/'/g, "''")}';`);
  }

  async applyRedisPassword(): Promise<void> {
    // The new password is in .env: recreating Redis picks it up, then the apps reconnect with it.
    await this.compose(['up', '-d', '--wait', '--force-recreate', 'redis']);
  }

  async services(): Promise<ServiceStatus[]> {
    const res = await this.compose(['ps', '--all', '--format', 'json'], { nothrow: true });
    const rows = res.stdout.trim().split('\n').filter(Boolean).flatMap((l) => { try { return [JSON.parse(l)]; } catch { return []; } });
    return rows.map((r) => ({ name: r.Service, running: r.State === 'running' && (!r.Health || r.Health === 'healthy'), detail: `${r.State}${r.Health ? `, ${r.Health}` : ''}, ${r.Image}` }));
  }

  logNames(): string[] {
    return ['server', 'worker', 'postgres', 'redis', 'caddy'];
  }

  async logs(service: string, lines: number): Promise<string> {
    return (await this.compose(['logs', '--no-color', '--tail', String(lines), service], { nothrow: true })).stdout;
  }

  async remove(purgeData: boolean): Promise<void> {
    await this.compose(['down', '--remove-orphans', ...(purgeData ? ['--volumes'] : [])], { nothrow: true });
  }

  async versions(): Promise<Record<string, string>> {
    const v = async (args: string[]) => (await $({ quiet: true, nothrow: true })`docker ${args}`).stdout.trim() || 'missing';
    return {
      node: process.version,
      docker: await v(['version', '--format', '{{.Server.Version}}']),
      compose: await v(['compose', 'version', '--short']),
      images: (await this.imageDigests()).trim(),
    };
  }
}
