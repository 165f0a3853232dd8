/**
 * Command-line parsing for license-admin: one table of every option (util.parseArgs), and typed
 * readers that turn bad input into a UsageError naming the flag (exit code 2).
 */
import { parseArgs } from 'node:util';

export class UsageError extends Error {
  constructor(message: string, readonly usage?: string) {
    super(message);
  }
}

/** Every option of every command. A name has one type everywhere; each command lists the ones it accepts. */
export const OPTIONS = {
  // global
  url: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  // commands
  name: { type: 'string' },
  dir: { type: 'string' },
  code: { type: 'string' },
  users: { type: 'string' },
  connections: { type: 'string' },
  'messages-per-month': { type: 'string' },
  'campaigns-per-month': { type: 'string' },
  features: { type: 'string' },
  enable: { type: 'string' },
  disable: { type: 'string' },
  email: { type: 'string' },
  'tax-id': { type: 'string' },
  cursor: { type: 'string' },
  limit: { type: 'string' },
  client: { type: 'string' },
  plan: { type: 'string' },
  status: { type: 'string' },
  days: { type: 'string' },
  expires: { type: 'string' },
  ip: { type: 'string' },
  'clear-ip': { type: 'boolean' },
  'new-machine': { type: 'boolean' },
  reason: { type: 'string' },
  stale: { type: 'boolean' },
  license: { type: 'string' },
  kind: { type: 'string' },
  action: { type: 'string' },
  actor: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
} as const;

export type OptionName = keyof typeof OPTIONS;
export const GLOBAL_OPTIONS: readonly OptionName[] = ['url', 'token', 'json', 'help'];

export interface Parsed {
  positionals: string[];
  values: Partial<Record<OptionName, string | boolean>>;
}

export function parseArgv(argv: string[]): Parsed {
  try {
    const { positionals, values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: true });
    return { positionals, values: values as Parsed['values'] };
  } catch (err) {
    // parseArgs' messages already name the option ("Unknown option '--foo'", "Option '--url <value>' argument missing").
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (s: string) => UUID.test(s);

export const FEATURES = ['instagram', 'chatbot', 'campaigns', 'api'] as const;
export type Feature = (typeof FEATURES)[number];

/** The options and positionals of one command, read with checks that name what is wrong. */
export class Args {
  constructor(
    readonly command: string,
    readonly usage: string,
    readonly positionals: string[],
    private readonly values: Parsed['values'],
  ) {}

  fail(message: string): never {
    throw new UsageError(`${this.command}: ${message}`, this.usage);
  }

  /** The n-th positional after the command words, e.g. the ID of `plans show ID`. */
  positional(index: number, label: string): string {
    const v = this.positionals[index];
    if (v === undefined || v === '') this.fail(`missing ${label}`);
    return v;
  }

  /** A positional id (`plans show ID`): the service's ids are UUIDs. */
  id(index: number, label: string): string {
    const v = this.positional(index, label);
    if (!isUuid(v)) this.fail(`${label} must be a UUID, got '${v}'`);
    return v;
  }

  /** An optional option holding a UUID, e.g. --client or --license. */
  uuid(name: OptionName): string | undefined {
    const v = this.str(name);
    if (v !== undefined && !isUuid(v)) this.fail(`--${name} must be a UUID, got '${v}'`);
    return v;
  }

  flag(name: OptionName): boolean {
    return this.values[name] === true;
  }

  has(name: OptionName): boolean {
    return this.values[name] !== undefined;
  }

  str(name: OptionName): string | undefined {
    const v = this.values[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') this.fail(`--${name} needs a value`);
    return v;
  }

  need(name: OptionName): string {
    const v = this.str(name);
    if (v === undefined || v.trim() === '') this.fail(`missing --${name}`);
    return v;
  }

  int(name: OptionName, min = 0, max = 1_000_000_000): number | undefined {
    const v = this.str(name);
    if (v === undefined) return undefined;
    const n = /^\d+$/.test(v.trim()) ? Number(v.trim()) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      this.fail(`--${name} must be a whole number from ${min} to ${max}, got '${v}'`);
    }
    return n;
  }

  needInt(name: OptionName, min = 0, max = 1_000_000_000): number {
    const n = this.int(name, min, max);
    if (n === undefined) this.fail(`missing --${name}`);
    return n;
  }

  /** An ISO 8601 timestamp with a zone (`2027-01-31T23:59:59Z`), or a date (`2027-01-31`, midnight UTC). */
  time(name: OptionName): string | undefined {
    const v = this.str(name)?.trim();
    if (v === undefined) return undefined;
    const full = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(v);
    const date = /^\d{4}-\d{2}-\d{2}$/.test(v);
    const iso = date ? `${v}T00:00:00Z` : v;
    if (!(full || date) || Number.isNaN(Date.parse(iso))) {
      this.fail(`--${name} must be an ISO date or timestamp with a zone (2027-01-31 or 2027-01-31T12:00:00Z), got '${v}'`);
    }
    return iso;
  }

  /** A comma-separated list of plan features. */
  features(name: OptionName): Feature[] | undefined {
    const v = this.str(name);
    if (v === undefined) return undefined;
    const items = v.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
    for (const f of items) {
      if (!(FEATURES as readonly string[]).includes(f)) this.fail(`--${name}: unknown feature '${f}' (features: ${FEATURES.join(', ')})`);
    }
    return items as Feature[];
  }

  /** Exactly one of two options, e.g. --days or --expires. */
  oneOf(a: OptionName, b: OptionName): void {
    if (this.has(a) === this.has(b)) this.fail(`give exactly one of --${a} or --${b}`);
  }
}
