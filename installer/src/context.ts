import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readEnv, secretsOf, type EnvValues } from './envFile.js';
import { InstallerError } from './errors.js';
import { commandFor } from './invocation.js';
import { LogFile } from './logFile.js';
import { Masker } from './masker.js';
import type { Options, RuntimeKind } from './options.js';
import { Prompter } from './prompt.js';
import { DockerRuntime } from './runtime/docker.js';
import { LocalRuntime } from './runtime/local.js';
import type { Runtime } from './runtime/runtime.js';
import { readState, type InstallState } from './state.js';
import { Ui } from './ui.js';

/** Everything a command works with: options, the install dir's state and env, output, the runtime. */
export interface Ctx {
  opts: Options;
  dir: string;
  masker: Masker;
  log: LogFile;
  ui: Ui;
  prompter: Prompter;
  runtime: Runtime;
  state: InstallState | null;
  env: EnvValues;
}

export const DEFAULT_LICENSE_SERVICE_URL = 'https://license.atendo.com.br';

/** The code directory this installer belongs to: the local runtime's first release. */
export const OWN_RELEASE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export function releaseVersion(releaseDir: string): string {
  return JSON.parse(fs.readFileSync(path.join(releaseDir, 'package.json'), 'utf8')).version;
}

export function makeRuntime(kind: RuntimeKind, dir: string): Runtime {
  return kind === 'local' ? new LocalRuntime(dir) : new DockerRuntime(dir);
}

export function createContext(opts: Options, how: { readOnly?: boolean } = {}): Ctx {
  const state = readState(opts.dir);
  const kind = opts.runtime ?? state?.runtime ?? 'docker';
  if (state && opts.runtime && state.runtime !== opts.runtime) {
    throw new InstallerError('runtime_mismatch', `${opts.dir} holds a ${state.runtime} install, not ${opts.runtime}`, `drop --runtime or use --runtime ${state.runtime}`);
  }
  const masker = new Masker();
  const env = readEnv(opts.dir) ?? {};
  masker.add(...secretsOf(env), opts.licenseKey);
  const log = new LogFile(path.join(opts.dir, 'logs', 'installer.log'), masker, !opts.dryRun && !how.readOnly);
  const ui = new Ui(log, masker, opts.json);
  return {
    opts, dir: opts.dir, masker, log, ui, state, env,
    prompter: new Prompter(!opts.yes),
    runtime: makeRuntime(kind, opts.dir),
  };
}

/** The install must exist for this command. */
export function requireInstalled(ctx: Ctx): InstallState {
  if (!ctx.state?.completedAt) {
    throw new InstallerError('not_installed', `no finished Atendo install in ${ctx.dir}`, `run \`${commandFor(ctx.dir, 'install')}\` first, or pass --dir with the install's directory`);
  }
  return ctx.state;
}

/** What runs now: the local runtime's code directory, or the docker image version. */
export function currentRelease(ctx: Ctx): string {
  if (ctx.runtime.kind === 'local') return ctx.state?.releaseDir ?? OWN_RELEASE_DIR;
  return ctx.env.ATENDO_VERSION ?? releaseVersion(OWN_RELEASE_DIR);
}
