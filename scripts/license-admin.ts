/**
 * license-admin: the super admin's command line over the license service's admin API (/admin/v1).
 *
 *   npm run license-admin -- <command> [options]        (or: npx tsx scripts/license-admin.ts ...)
 *
 * Exit codes: 0 done, 1 the service refused or could not be reached, 2 the command line is wrong.
 * The admin token comes from LICENSE_ADMIN_TOKEN (or --token) and is never printed.
 */
import { Args, GLOBAL_OPTIONS, parseArgv, UsageError, type OptionName } from './license-admin/args.js';
import { COMMANDS, type Command } from './license-admin/commands.js';
import { AdminApi, ApiError, NetworkError } from './license-admin/http.js';
import { out } from './license-admin/format.js';

// `license-admin … | head`: once the reader has gone there is nobody left to tell anything, so stop
// quietly instead of crashing on the next write (Node ignores SIGPIPE and reports EPIPE instead).
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

const DEFAULT_URL = 'http://127.0.0.1:8080';
const TIMEOUT_MS = 15_000;

function helpText(): string {
  const lines = [
    "license-admin: manage Atendo's plans, clients and licenses through the license service's admin API.",
    '',
    'usage: license-admin <command> [options]',
    '',
    'Connection (every command but hash-token and keys generate):',
    `  --url URL      the license service (env LICENSE_SERVICE_URL; default ${DEFAULT_URL})`,
    '  --token TOKEN  an admin token (env LICENSE_ADMIN_TOKEN; prefer the env: flags end up in shell history)',
    "  --json         print the service's JSON answer instead of a table",
    '  -h, --help     this text; after a command, that command\'s usage',
    '',
    'Commands:',
  ];
  for (const c of COMMANDS) lines.push(`  ${c.synopsis}`, `      ${c.summary}`);
  lines.push(
    '',
    'Times are ISO 8601 with a zone (2027-01-31T12:00:00Z) or a date (2027-01-31, midnight UTC).',
    'Exit codes: 0 done; 1 the service refused (error: <code>: <message>) or could not be reached; 2 usage error.',
  );
  return lines.join('\n');
}

/** The command named by the first one or two positionals, and the positionals after it. */
function findCommand(positionals: string[]): { command: Command; rest: string[] } {
  const [first = '', second = ''] = positionals;
  const two = COMMANDS.find((c) => c.name === `${first} ${second}`);
  if (two) return { command: two, rest: positionals.slice(2) };
  const one = COMMANDS.find((c) => c.name === first);
  if (one) return { command: one, rest: positionals.slice(1) };
  const group = COMMANDS.filter((c) => c.name.startsWith(`${first} `)).map((c) => c.name.split(' ')[1]);
  if (group.length > 0) {
    throw new UsageError(second ? `unknown command '${first} ${second}' (${first}: ${group.join(', ')})` : `'${first}' needs a subcommand: ${group.join(', ')}`);
  }
  throw new UsageError(`unknown command '${first}'`);
}

function connect(values: { url?: string | boolean; token?: string | boolean }): AdminApi {
  const url = (typeof values.url === 'string' ? values.url : undefined) ?? process.env.LICENSE_SERVICE_URL ?? DEFAULT_URL;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch { /* reported below */ }
  if (!parsed || !/^https?:$/.test(parsed.protocol)) throw new UsageError(`--url / LICENSE_SERVICE_URL must be an http(s) URL, got '${url}'`);
  const token = (typeof values.token === 'string' ? values.token : undefined) ?? process.env.LICENSE_ADMIN_TOKEN;
  if (!token) throw new UsageError('no admin token: set LICENSE_ADMIN_TOKEN (or pass --token); `license-admin hash-token` makes one');
  return new AdminApi(url.replace(/\/+$/, ''), token, TIMEOUT_MS);
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgv(argv);
  if (positionals.length === 0 || positionals[0] === 'help') {
    out(helpText());
    return 0;
  }
  const { command, rest } = findCommand(positionals);
  const usage = `license-admin ${command.synopsis}`;
  if (values.help) {
    out(`usage: ${usage}\n\n${command.summary}`);
    return 0;
  }
  const allowed = new Set<OptionName>([...GLOBAL_OPTIONS, ...(command.options ?? [])]);
  for (const name of Object.keys(values) as OptionName[]) {
    if (!allowed.has(name)) throw new UsageError(`${command.name}: unknown option --${name}`, usage);
  }
  const expected = command.positionals ?? [];
  if (rest.length > expected.length) throw new UsageError(`${command.name}: unexpected argument '${rest[expected.length]}'`, usage);

  let api: AdminApi | undefined;
  await command.run({
    args: new Args(command.name, usage, rest, values),
    json: values.json === true,
    api: () => (api ??= connect(values)),
  });
  return 0;
}

function report(err: unknown): number {
  if (err instanceof UsageError) {
    process.stderr.write(`error: ${err.message}\n${err.usage ? `usage: ${err.usage}\n` : ''}run \`license-admin help\` for every command\n`);
    return 2;
  }
  if (err instanceof ApiError) {
    process.stderr.write(`error: ${err.code}: ${err.message}\n`);
    if (err.code === 'unauthorized') process.stderr.write('hint: check LICENSE_ADMIN_TOKEN / --token against the service\'s ADMIN_TOKENS\n');
    return 1;
  }
  if (err instanceof NetworkError) {
    process.stderr.write(`error: ${err.message}\nhint: is the service running? check --url / LICENSE_SERVICE_URL\n`);
    return 1;
  }
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { process.exitCode = report(err); },
);
