import path from 'node:path';
import { parseArgs } from 'node:util';
import { usageError } from './errors.js';
import { installerCommand } from './invocation.js';

export const COMMANDS = [
  'install', 'upgrade', 'backup', 'restore', 'status', 'logs', 'doctor', 'support-bundle', 'uninstall', 'rotate-secrets',
  'start', 'stop', 'help',
] as const;
export type CommandName = (typeof COMMANDS)[number];
export type RuntimeKind = 'docker' | 'local';

export interface Options {
  command: CommandName;
  /** With `help`: the command whose help to show (none: the overview). */
  helpFor?: CommandName;
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
  /** docker: the appliance image repository (ghcr.io/atendo/appliance), the compose project, Caddy's ports. */
  image?: string;
  projectName?: string;
  httpPort?: number;
  httpsPort?: number;
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

/** Every flag the installer knows: its value's name, what it does and its default (shown by each command's help). */
const FLAGS = {
  runtime: { value: 'docker|local', help: 'docker (a VPS) or local (a developer machine, no Docker)', default: 'the install\'s own, else docker' },
  dir: { value: 'DIR', help: 'install directory', default: '/opt/atendo; with --runtime local: .data/local' },
  'license-key': { value: 'KEY', help: 'the license key', default: 'asked' },
  'license-service-url': { value: 'URL', help: 'the vendor\'s license service', default: 'https://license.atendo.com.br' },
  domain: { value: 'NAME', help: 'the dashboard\'s domain, for HTTPS', default: 'none: plain HTTP on the IP' },
  'admin-email': { value: 'E', help: 'the first admin\'s e-mail', default: 'asked' },
  'admin-name': { value: 'N', help: 'the first admin\'s name', default: 'Administrador' },
  'admin-password-file': { value: 'F', help: 'a file holding the first admin\'s password (10+ characters)', default: 'asked twice' },
  timezone: { value: 'TZ', help: 'the business\'s time zone', default: 'America/Sao_Paulo' },
  port: { value: 'N', help: 'local runtime: the appliance\'s port', default: '3000' },
  'dev-trusted-keys': { value: 'DIR', help: 'local runtime: the license service\'s public keys to trust (*.public.pem)', default: 'required with --runtime local' },
  'graph-url': { value: 'URL', help: 'a Meta Graph API stand-in (the simulator in scripts/), for tests', default: 'Meta' },
  image: { value: 'REPO', help: 'docker: the appliance image repository, without a tag', default: 'ghcr.io/atendo/appliance' },
  'project-name': { value: 'NAME', help: 'docker: the compose project (containers, volumes and network are named after it)', default: 'atendo' },
  'http-port': { value: 'N', help: 'docker: the host port Caddy serves HTTP on (automatic HTTPS needs 80)', default: '80' },
  'https-port': { value: 'N', help: 'docker: the host port Caddy serves HTTPS on (automatic HTTPS needs 443)', default: '443' },
  version: { value: 'X', help: 'docker: the Atendo version (image tag)', default: 'this installer\'s version' },
  release: { value: 'DIR', help: 'local: the release directory to run', default: '' },
  file: { value: 'BACKUP', help: 'the backup archive (.tar.gz) to put back', default: '' },
  output: { value: 'FILE', help: 'where to write the archive', default: '<dir>/support-bundle-<time>.tar.gz' },
  keep: { value: 'N', help: 'how many backups to keep (older ones are removed)', default: '7' },
  lines: { value: 'N', help: 'how many of the latest lines per log', default: '200' },
  service: { value: 'NAME', help: 'one log: web, worker, supervisor (local), postgres, redis, caddy (docker), installer', default: 'all' },
  yes: { value: '', help: 'never ask: everything needed comes from flags (and confirmations are given)', default: '' },
  'dry-run': { value: '', help: 'print the plan and the files it would write, change nothing', default: '' },
  json: { value: '', help: 'machine-readable output', default: '' },
  purge: { value: '', help: 'also delete the database, media and backups (asks twice)', default: '' },
} as const;
type Flag = keyof typeof FLAGS;

interface CommandSpec {
  summary: string;
  /** What follows the command name in the usage line. */
  usage: string;
  about: string;
  flags: Flag[];
  examples: string[];
  /** Writes nothing anywhere (not even the installer log): status, logs, doctor, help. */
  readOnly: boolean;
}

const where: Flag[] = ['dir', 'runtime'];

/** Each command: what it does, the flags it takes (no others are accepted) and an example. */
export const COMMAND_SPECS: Record<CommandName, CommandSpec> = {
  install: {
    summary: 'preflight, license, secrets, stack, migrations, first admin (resumes; repairs an install)',
    usage: '[--license-key KEY] [--domain NAME] [--admin-email E] [options]',
    about: 'Takes this machine to a licensed, running appliance. Inputs are checked first (the key offline); an interrupted run\nresumes where it stopped; on a finished install it checks every step and repairs what is missing.',
    flags: [...where, 'license-key', 'license-service-url', 'domain', 'admin-email', 'admin-name', 'admin-password-file', 'timezone', 'version', 'port', 'dev-trusted-keys', 'graph-url', 'image', 'project-name', 'http-port', 'https-port', 'yes', 'dry-run', 'json'],
    examples: ['install --yes --license-key ATD-… --domain atendimento.minhaloja.com.br --admin-email dona@minhaloja.com.br --admin-password-file /root/admin-password', 'install --dry-run --domain atendimento.minhaloja.com.br'],
    readOnly: false,
  },
  upgrade: {
    summary: '--version X (docker) | --release DIR (local); backs up first, rolls back on failure',
    usage: '--version X | --release DIR [options]',
    about: 'Moves the install to another release. The database is dumped and what runs is recorded before anything stops;\nany failure restores them and starts the old release again.',
    flags: [...where, 'version', 'release'],
    examples: ['upgrade --version 0.2.0', 'upgrade --runtime local --dir .data/local --release ../atendo-0.2.0'],
    readOnly: false,
  },
  backup: {
    summary: 'database dump + media into <dir>/backups (--keep N, default 7)',
    usage: '[--keep N] [options]',
    about: 'Writes one .tar.gz (0600) with the database dump, the media and a manifest with checksums into <dir>/backups.\nSchedule it daily (cron) and copy the archives off the machine.',
    flags: [...where, 'keep', 'json'],
    examples: ['backup', 'backup --keep 14'],
    readOnly: false,
  },
  restore: {
    summary: '--file BACKUP: put a backup back (the license of this install is kept)',
    usage: '--file BACKUP [--yes] [options]',
    about: 'Replaces the database and media with a backup\'s (asks first). This install keeps its own license, so a backup\nfrom another server restores cleanly.',
    flags: [...where, 'file', 'yes'],
    examples: ['restore --file /opt/atendo/backups/20260101T030000Z-backup.tar.gz'],
    readOnly: false,
  },
  status: {
    summary: 'what runs, its health and the license state (--json)',
    usage: '[--json] [options]',
    about: 'Shows each service, whether the appliance answers /ready, and the license state. Exit 0 only when all is up.\nReads only: writes nothing.',
    flags: [...where, 'json'],
    examples: ['status', 'status --json'],
    readOnly: true,
  },
  logs: {
    summary: 'recent logs, readable (--service NAME, --lines N, --json for JSON Lines)',
    usage: '[--service NAME] [--lines N] [--json] [options]',
    about: 'The latest lines of each service\'s log, secrets masked. JSON records are shown one readable line each (time,\nlevel, message, fields); --json gives JSON Lines as the services wrote them, each with a "service" field.\nReads only: writes nothing.',
    flags: [...where, 'service', 'lines', 'json'],
    examples: ['logs --service worker --lines 50', 'logs --service web --json | jq \'select(.level >= 50)\''],
    readOnly: true,
  },
  doctor: {
    summary: 'preflight + health + license + disk in one report (--json)',
    usage: '[--json] [options]',
    about: 'The install\'s preflight checks again, plus the running services, /ready, the license and the latest backup,\nwith what to do for each problem. Exit 1 when anything failed. Reads only: writes nothing.',
    flags: [...where, 'license-service-url', 'domain', 'port', 'json'],
    examples: ['doctor', 'doctor --json'],
    readOnly: true,
  },
  'support-bundle': {
    summary: 'versions, redacted config, recent logs and doctor output in one archive (--output F)',
    usage: '[--output FILE] [options]',
    about: 'One archive to send to support: versions, the settings with every secret redacted, recent logs and doctor\'s report.',
    flags: [...where, 'output'],
    examples: ['support-bundle --output /tmp/atendo-support.tar.gz'],
    readOnly: false,
  },
  'rotate-secrets': {
    summary: 'new database and Redis passwords and session key, without losing data',
    usage: '[options]',
    about: 'New PostgreSQL and Redis passwords and session key (everyone logs in again); the encryption key stays, so\nsealed tokens keep working.',
    flags: [...where],
    examples: ['rotate-secrets'],
    readOnly: false,
  },
  start: {
    summary: 'start the stack',
    usage: '[options]',
    about: 'Starts PostgreSQL, Redis, the server and the worker (and Caddy with docker), and waits for /ready.',
    flags: [...where],
    examples: ['start'],
    readOnly: false,
  },
  stop: {
    summary: 'stop the stack',
    usage: '[options]',
    about: 'Stops everything the install runs (local: the supervisor first, so nothing is restarted). Data stays.',
    flags: [...where],
    examples: ['stop'],
    readOnly: false,
  },
  uninstall: {
    summary: 'stop and remove the stack; data and backups stay unless --purge (asks twice)',
    usage: '[--purge] [--yes] [options]',
    about: 'Stops and removes the stack. The database, media, .env and backups stay, unless --purge.',
    flags: [...where, 'purge', 'yes'],
    examples: ['uninstall', 'uninstall --purge'],
    readOnly: false,
  },
  help: {
    summary: 'this text; `help COMMAND` (or COMMAND --help) for one command',
    usage: '[COMMAND]',
    about: 'The commands, or one command\'s flags, defaults and examples.',
    flags: [],
    examples: ['help status', 'status --help'],
    readOnly: true,
  },
};

function flagLine(name: Flag): [string, string] {
  const f = FLAGS[name];
  return [`--${name}${f.value ? ` ${f.value}` : ''}`, `${f.help}${f.default ? ` (default: ${f.default})` : ''}`];
}

function columns(rows: [string, string][], indent = '  '): string {
  const width = Math.max(...rows.map(([a]) => a.length)) + 2;
  return rows.map(([a, b]) => `${indent}${a.padEnd(width)}${b}`).join('\n');
}

/** The overview: every command in a line. `command` is how to run the installer where it runs. */
export function globalHelp(command: string): string {
  return `${command} <command> [options]

Commands
${columns(COMMANDS.map((c) => [c, COMMAND_SPECS[c].summary]))}

Every command takes --dir DIR (default /opt/atendo) and --runtime docker|local.
\`${command} <command> --help\` shows a command's flags, defaults and examples.
`;
}

/** One command's help: usage, what it does, its flags with their defaults, examples. */
export function commandHelp(name: CommandName, command: string): string {
  const spec = COMMAND_SPECS[name];
  return `${command} ${name} ${spec.usage}

${spec.about}
${spec.flags.length ? `\nOptions\n${columns(spec.flags.map(flagLine))}\n` : ''}
Example${spec.examples.length > 1 ? 's' : ''}
${spec.examples.map((e) => `  ${command} ${e}`).join('\n')}
`;
}

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
        image: { type: 'string' }, 'project-name': { type: 'string' }, 'http-port': { type: 'string' }, 'https-port': { type: 'string' },
        version: { type: 'string' }, file: { type: 'string' }, output: { type: 'string' }, keep: { type: 'string' },
        lines: { type: 'string' }, service: { type: 'string' }, yes: { type: 'boolean', short: 'y' },
        'dry-run': { type: 'boolean' }, json: { type: 'boolean' }, purge: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw usageError((err as Error).message);
  }
  const { values: v, positionals } = parsed;
  const named = (positionals[0] ?? 'help') as CommandName;
  if (!COMMANDS.includes(named)) throw usageError(`unknown command "${named}"`);
  // `X --help`, `help X`: X's own help.
  const helpFor = named === 'help' ? positionals[1] as CommandName | undefined : v.help ? named : undefined;
  if (helpFor !== undefined && !COMMANDS.includes(helpFor)) throw usageError(`unknown command "${helpFor}"`);
  const command: CommandName = v.help || named === 'help' ? 'help' : named;
  if (positionals.length > (named === 'help' ? 2 : 1)) throw usageError(`unexpected argument "${positionals.at(-1)}"`);
  if (command !== 'help') {
    const accepted: readonly string[] = COMMAND_SPECS[command].flags;
    const refused = Object.keys(v).find((k) => !accepted.includes(k));
    if (refused) throw usageError(`${command} does not take --${refused}`, `see \`${installerCommand()} ${command} --help\` for its options`);
  }
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
  if (v.image !== undefined && !/^([a-z0-9.-]+(:\d+)?\/)?[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/.test(v.image)) {
    throw usageError(`--image "${v.image}" is not an image repository without a tag (for example ghcr.io/atendo/appliance)`);
  }
  // Compose's own rule for project names.
  if (v['project-name'] !== undefined && !/^[a-z0-9][a-z0-9_-]{0,62}$/.test(v['project-name'])) {
    throw usageError('--project-name must be lowercase letters, digits, dashes and underscores, starting with a letter or digit');
  }
  if (v['graph-url'] !== undefined && !/^https?:\/\/[^\s]+$/.test(v['graph-url'])) throw usageError('--graph-url must be an http(s) URL');
  return {
    command,
    helpFor: helpFor === 'help' ? undefined : helpFor,
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
    image: v.image,
    projectName: v['project-name'],
    httpPort: int('http-port', v['http-port'], 1, 65535),
    httpsPort: int('https-port', v['https-port'], 1, 65535),
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
