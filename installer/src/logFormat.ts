/**
 * How `logs` shows a log line. The services write pino JSON lines; a person reading them on a terminal
 * wants one readable line each: time (UTC), level, message, then the other fields as key=value, and an
 * error's stack below it. Lines that are not JSON (PostgreSQL, Redis, the installer's own log) pass as they are.
 */
const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const COLORS: Record<string, string> = { TRACE: '90', DEBUG: '90', INFO: '32', WARN: '33', ERROR: '31', FATAL: '35' };
const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'v']);

function record(line: string): Record<string, unknown> | null {
  if (!line.startsWith('{')) return null;
  try {
    const value = JSON.parse(line);
    return value && typeof value === 'object' && !Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}

function fieldValue(v: unknown): string {
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v);
}

export function prettyLine(line: string, color = false): string {
  const r = record(line);
  if (!r) return line;
  const levelName = typeof r.level === 'number' ? LEVELS[r.level] ?? `L${r.level}` : String(r.level ?? '').toUpperCase() || 'INFO';
  const time = typeof r.time === 'number' || typeof r.time === 'string' ? new Date(r.time) : null;
  const when = time && !Number.isNaN(time.getTime()) ? time.toISOString().replace('T', ' ').replace('Z', '') : '-';
  const level = color ? `\x1b[${COLORS[levelName] ?? '0'}m${levelName.padEnd(5)}\x1b[0m` : levelName.padEnd(5);
  let stack = '';
  const fields: string[] = [];
  for (const [k, v] of Object.entries(r)) {
    if (HIDDEN.has(k) || v === undefined) continue;
    if ((k === 'err' || k === 'error') && v && typeof v === 'object' && typeof (v as any).stack === 'string') {
      stack = `\n    ${String((v as any).stack).split('\n').join('\n    ')}`;
      continue;
    }
    fields.push(`${k}=${fieldValue(v)}`);
  }
  return `${when} ${level} ${String(r.msg ?? '')}${fields.length ? `  ${fields.join(' ')}` : ''}${stack}`;
}

/** A line of `logs --json`: the service's own JSON record with a `service` field, or the plain line as `msg`. */
export function jsonLine(line: string, service: string): string {
  const r = record(line);
  return JSON.stringify(r ? { service, ...r } : { service, msg: line });
}
