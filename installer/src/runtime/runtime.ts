import type { EnvValues } from '../envFile.js';
import type { RuntimeKind } from '../options.js';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ServiceStatus {
  name: string;
  running: boolean;
  detail: string;
}

export interface ReleaseInfo {
  version: string;
  minUpgradeFrom: string;
}

/** Reads a release's package.json text: its version and `atendo.minUpgradeFrom`. */
export function parseReleaseInfo(packageJson: string): ReleaseInfo {
  const pkg = JSON.parse(packageJson);
  return { version: pkg.version, minUpgradeFrom: pkg.atendo?.minUpgradeFrom ?? pkg.version };
}

export interface RenderedFile {
  path: string;
  content: string;
  mode: number;
}

/**
 * Where the appliance runs: Docker Compose on a VPS, or child processes on a developer machine. The
 * install, upgrade, backup and restore procedures are written once against this; only how a thing is
 * started or reached differs. `release` is what runs: an image version (docker) or a code directory (local).
 */
export interface Runtime {
  readonly kind: RuntimeKind;
  readonly dir: string;
  /** Where this machine reaches the appliance (local: its port; docker: through Caddy). */
  appUrl(env: EnvValues): string;
  /** Whether the appliance's /ready answers 200. */
  ready(env: EnvValues): Promise<boolean>;
  /** Settings the runtime adds to the env file on first install (ports, paths). */
  defaults(env: EnvValues): Promise<EnvValues>;
  /** The files it writes into the install dir from the env (shown by --dry-run; secrets stay in .env). */
  render(env: EnvValues): RenderedFile[];
  /** Gets `release` ready to start without stopping anything (docker: pulls its images). */
  prepareRelease(release: string): Promise<void>;
  /** The version a release carries and the oldest version it can be upgraded from. */
  releaseInfo(release: string): Promise<ReleaseInfo>;
  startData(env: EnvValues): Promise<void>;
  dataRunning(env: EnvValues): Promise<boolean>;
  startApp(env: EnvValues, release: string): Promise<void>;
  appRunning(): Promise<boolean>;
  stopApp(): Promise<void>;
  stopAll(): Promise<void>;
  /** The appliance's operator CLI (migrate, activate, create-admin, license-status). */
  appliance(env: EnvValues, release: string, args: string[], input?: string): Promise<CommandResult>;
  /** SQL as the database owner; `input` feeds COPY … FROM STDIN. */
  psql(env: EnvValues, sql: string, input?: string): Promise<string>;
  dumpDatabase(env: EnvValues, file: string): Promise<void>;
  restoreDatabase(env: EnvValues, file: string): Promise<void>;
  /** The appliance's files (media) into a .tar.gz, without the installation key, which stays with the machine. */
  archiveData(file: string): Promise<void>;
  restoreData(file: string): Promise<void>;
  setDatabasePassword(env: EnvValues, password: string): Promise<void>;
  /** Applies a changed Redis password (restarts Redis). */
  applyRedisPassword(env: EnvValues): Promise<void>;
  services(env: EnvValues): Promise<ServiceStatus[]>;
  logs(service: string, lines: number): Promise<string>;
  /** Names `logs` knows. */
  logNames(): string[];
  /** Removes what the runtime made; data (database, media) only with `purgeData`. */
  remove(purgeData: boolean): Promise<void>;
  /** Versions of what it runs on, for doctor and support bundles. */
  versions(): Promise<Record<string, string>>;
}
