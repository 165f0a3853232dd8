import path from 'node:path';
import { parseArgs } from 'node:util';
import { usageError } from './errors.js';

export const COMMANDS = [
  'install', 'upgrade', 'backup', 'restore', 'status', 'logs', 'doctor', 'support-bundle', 'uninstall', 'rotate-secrets',
  'start', 'stop', 'help',
] as const;
export type CommandName = (typeof COMMANDS)[number];
export type RuntimeKind = 'docker' | 'local';

export interface Options {
  command: CommandName;
  runtime: RuntimeKind | null;
  dir: string;
  licenseKey?: string;
  licenseServiceUrl?: string;
  domain?: string;
  adminEmail?: string;
  adminName?: string;
  adminPasswordFile?: string;
  timezone?: string;
  port?: number;
  devTrustedKeys?: string;
  graphUrl?: string;
  release?: string;
  version?: string;
  file?: string;
  output?: string;
  keep: number;
  lines: number;
  service?: string;
  yes: boolean;
  dryRun: boolean;
  json: boolean;
  purge: boolean;
}

export const DEFAULT_DIR = { docker: '/opt/atendo', local: '.data/local' } as const;

export const HELP = `atendo-installer <command> [options]

Commands
  install          preflight, license, secrets, stack, migrations, first admin (resumes; repairs an install)
  upgrade          --version X (docker) | --release DIR (local); backs up first, rolls back on failure
  backup           database dump + media into <dir>/backups (--keep N, default 7)
  restore          --file BACKUP: put a backup back (the license of this install is kept)
  status           what runs, its health and the license state (--json)
  logs             recent logs (--service web|worker|postgres|redis|caddy|installer, --lines N)
  doctor           preflight + health + license + disk in one report (--json)
  support-bundle   versions, redacted config, recent logs and doctor output in one archive (--output F)
  rotate-secrets   new database and Redis passwords and session key, without losing data
  start | stop     start or stop the stack
  uninstall        stop and remove the stack; data and backups stay unless --purge (asks twice)

Options
  --runtime docker|local       docker (a VPS, the default) or local (a developer machine, no Docker)
  --dir DIR                    install directory (docker: /opt/atendo; local: .data/local)
  --license-key KEY            the license key (asked when missing)
  --license-service-url URL    the vendor's license service (default https://license.atendo.com.br)
  --domain NAME                the dashboard's domain, for HTTPS (without one: plain HTTP on the IP)
  --admin-email E --admin-name N --admin-password-file F   the first admin (asked when missing)
  --timezone TZ                the business's time zone (default America/Sao_Paulo)
  --port N                     local runtime: the appliance's port (default 3000)
  --dev-trusted-keys DIR       local runtime: the license service's public keys to trust
  --graph-url URL              local runtime: a Meta Graph API stand-in (the simulator in scripts/)
  --yes                        never ask: everything needed comes from flags
  --dry-run                    print the plan and the files it would write, change nothing
  --json                       machine-readable output (doctor, status, install's preflight)
`;

/** Parses argv; unknown flags and commands are refused with the help text's pointer. */
export function parseOptions(argv: string[]): Options {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        runtime: { type: 'string' }, dir: { type: 'string' }, 'license-key': { type: 'string' },
        'license-service-url': { type: 'string' }, domain: { type: 'string' }, 'admin-email': { type: 'string' },
        'admin-name': { type: 'string' }, 'admin-password-file': { type: 'string' }, timezone: { type: 'string' },
        port: { type: 'string' }, 'dev-trusted-keys': { type: 'string' }, 'graph-url': { type: 'string' }, release: { type: 'string' },
        version: { type: 'string' }, file: { type: 'string' }, output: { type: 'string' }, keep: { type: 'string' },
        lines: { type: 'string' }, service: { type: 'string' }, yes: { type: 'boolean', short: 'y' },
        'dry-run': { type: 'boolean' }, json: { type: 'boolean' }, purge: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw usageError((err as Error).message);
  }
  const { values: v, positionals } = parsed;
  const command = (v.help ? 'help' : positionals[0] ?? 'help') as CommandName;
  if (!COMMANDS.includes(command)) throw usageError(`unknown command "${command}"`);
  if (positionals.length > 1) throw usageError(`unexpected argument "${positionals[1]}"`);
  const runtime = v.runtime === undefined ? null : v.runtime;
  if (runtime !== null && runtime !== 'docker' && runtime !== 'local') throw usageError('--runtime must be docker or local');
  const int = (name: string, value: string | undefined, min: number, max: number): number | undefined => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw usageError(`--${name} must be a whole number from ${min} to ${max}`);
    return n;
  };
  if (v.domain !== undefined && !/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(v.domain)) {
    throw usageError(`--domain "${v.domain}" is not a domain name (for example atendimento.minhaloja.com.br)`);
  }
  if (v['license-service-url'] !== undefined && !/^https?:\/\/[^\s]+$/.test(v['license-service-url'])) {
    throw usageError('--license-service-url must be an http(s) URL');
  }
  return {
    command,
    runtime: runtime as RuntimeKind | null,
    dir: path.resolve(v.dir ?? DEFAULT_DIR[(runtime ?? 'docker') as RuntimeKind]),
    licenseKey: v['license-key'],
    licenseServiceUrl: v['license-service-url']?.replace(/\/$/, ''),
    domain: v.domain?.toLowerCase(),
    adminEmail: v['admin-email'],
    adminName: v['admin-name'],
    adminPasswordFile: v['admin-password-file'],
    timezone: v.timezone,
    port: int('port', v.port, 1, 65535),
    devTrustedKeys: v['dev-trusted-keys'] ? path.resolve(v['dev-trusted-keys']) : undefined,
    graphUrl: v['graph-url'],
    release: v.release ? path.resolve(v.release) : undefined,
    version: v.version,
    file: v.file ? path.resolve(v.file) : undefined,
    output: v.output ? path.resolve(v.output) : undefined,
    keep: int('keep', v.keep, 1, 365) ?? 7,
    lines: int('lines', v.lines, 1, 100_000) ?? 200,
    service: v.service,
    yes: Boolean(v.yes),
    dryRun: Boolean(v['dry-run']),
    json: Boolean(v.json),
    purge: Boolean(v.purge),
  };
}
