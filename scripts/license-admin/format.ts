/** Plain-text output: aligned tables and key-value blocks, and compact renderings of dates and usage. */

export type Cell = string | number | boolean | null | undefined;

const text = (c: Cell): string => (c === null || c === undefined || c === '' ? '-' : String(c));

export function out(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** Columns padded to their widest cell; the last column is not padded. */
export function table(headers: string[], rows: Cell[][], empty = '(none)'): void {
  if (rows.length === 0) {
    out(empty);
    return;
  }
  const cells = [headers, ...rows.map((r) => r.map(text))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  for (const r of cells) {
    out(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd());
  }
}

/** `label:  value` lines with the values aligned. */
export function kv(pairs: [string, Cell][]): void {
  const width = Math.max(...pairs.map(([k]) => k.length)) + 1;
  for (const [k, v] of pairs) out(`${`${k}:`.padEnd(width)}  ${text(v)}`);
}

export function nextPage(page: { nextCursor?: string | null }): void {
  if (page.nextCursor) out(`\nmore: repeat with --cursor ${page.nextCursor}`);
}

/** `2026-05-01 12:00Z`: minutes are enough to read; --json has the exact value. */
export function time(iso: string | null | undefined): string {
  if (!iso) return '-';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 16).replace('T', ' ')}Z`;
}

export function date(iso: string | null | undefined): string {
  return iso ? iso.slice(0, 10) : '-';
}

/** `5m ago`, `3d ago`; `in 12d` for the future. */
export function relative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const ms = Date.parse(iso) - now;
  const s = Math.round(Math.abs(ms) / 1000);
  const span = s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m` : s < 86400 ? `${Math.floor(s / 3600)}h` : `${Math.floor(s / 86400)}d`;
  return ms >= 0 ? `in ${span}` : `${span} ago`;
}

/** Expiry with how far away it is, or that it has passed. */
export function expiry(iso: string): string {
  return Date.parse(iso) <= Date.now() ? `${time(iso)} (expired)` : `${time(iso)} (${relative(iso)})`;
}

/** 10000 → 10k, 2500000 → 2.5M. */
export function count(n: number): string {
  if (n >= 1_000_000) return `${+(n / 1_000_000).toFixed(1)}M`;
  if (n >= 10_000) return `${+(n / 1000).toFixed(1)}k`;
  return String(n);
}

export interface Plan {
  id: string;
  code: string;
  name: string;
  limits: { users: number; connections: number; messagesPerMonth: number; campaignsPerMonth: number };
  features: Record<string, boolean>;
  version: number;
  createdAt: string;
  updatedAt: string;
}

const FEATURE_ORDER = ['instagram', 'chatbot', 'campaigns', 'api'];
const featureRank = (f: string) => (FEATURE_ORDER.includes(f) ? FEATURE_ORDER.indexOf(f) : FEATURE_ORDER.length);

/** The features that are on, in the order of `--features` (the service may store them in any order). */
export const enabledFeatures = (p: Plan): string =>
  Object.keys(p.features).filter((f) => p.features[f]).sort((a, b) => featureRank(a) - featureRank(b)).join(',') || 'none';

export const planLimits = (p: Plan): string =>
  `users ${count(p.limits.users)}, connections ${count(p.limits.connections)}, ` +
  `messages/month ${count(p.limits.messagesPerMonth)}, campaigns/month ${count(p.limits.campaignsPerMonth)}`;

type Usage = Record<'users' | 'connections' | 'messagesThisMonth' | 'campaignsThisMonth', { used: number; limit: number }>;

/** `users 3/5 conn 1/2 msg 120/10k camp 1/4`, with `!` after anything over its limit. */
export function usage(u: Usage | null | undefined): string {
  if (!u) return '-';
  const part = (label: string, x: { used: number; limit: number }) =>
    `${label} ${count(x.used)}/${count(x.limit)}${x.used > x.limit ? '!' : ''}`;
  return [
    part('users', u.users),
    part('conn', u.connections),
    part('msg', u.messagesThisMonth),
    part('camp', u.campaignsThisMonth),
  ].join(' ');
}

/** `s` cut to `max` characters. */
export function cut(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** A value on one line: strings as they are, anything else as JSON; cut at `max` characters. */
export function brief(value: unknown, max = 60): string {
  if (value === null || value === undefined) return String(value);
  return cut(typeof value === 'string' ? value : JSON.stringify(value), max);
}
