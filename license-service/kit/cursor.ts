import type { Knex } from 'knex';
import { invalidCursor } from './errors.js';

/**
 * Keyset pagination over (timestamp column, id) descending: stable under inserts, and each page is one
 * index range scan. The cursor is opaque to clients.
 */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** The type of the id column a cursor pages over: what a decoded id must be before it reaches SQL. */
export type CursorIdKind = 'uuid' | 'bigint';

export function encodeCursor(at: Date, id: string | number): string {
  return Buffer.from(JSON.stringify([at.toISOString(), String(id)])).toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** bigserial ids: positive, at most int8's maximum. */
const BIGINT = /^[1-9]\d{0,18}$/;
const INT8_MAX = 9223372036854775807n;
/**
 * What Date#toISOString writes for years 1 to 9999, the only years a cursor may name. PostgreSQL would
 * take more (timestamptz runs from 4713 BC to 294276 AD; earlier is "timestamp out of range"), but no
 * row we page over is legitimately outside these years, and a forged far-away time only probes.
 */
const ISO = /^(?!0000)\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/**
 * Decodes a cursor this service issued. Anything else — not base64url JSON, another shape, an id that
 * is not of `idKind`, a time PostgreSQL would refuse — is `400 invalid_cursor`, never a query error.
 */
export function decodeCursor(cursor: string, idKind: CursorIdKind): { at: Date; id: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw invalidCursor();
  const [at, id] = parsed as unknown[];
  if (typeof at !== 'string' || typeof id !== 'string' || !ISO.test(at)) throw invalidCursor();
  const date = new Date(at);
  // Round trip: refuses what Date would roll over (Feb 30th, hour 24) as well as what it cannot read.
  if (Number.isNaN(date.getTime()) || date.toISOString() !== at) throw invalidCursor();
  const idOk = idKind === 'uuid' ? UUID.test(id) : BIGINT.test(id) && BigInt(id) <= INT8_MAX;
  if (!idOk) throw invalidCursor();
  return { at: date, id };
}

/**
 * Applies cursor, order and limit (fetching one extra row to know whether there is a next page).
 * `idKind` is the type of `idCol` (uuid unless said otherwise), checked when the cursor is decoded.
 */
export function pageQuery<T extends Knex.QueryBuilder>(
  q: T, atCol: string, idCol: string, cursor: string | undefined, limit: number, idKind: CursorIdKind = 'uuid',
): T {
  if (cursor) {
    const c = decodeCursor(cursor, idKind);
    q.whereRaw(`(${atCol}, ${idCol}) < (?, ?)`, [c.at, c.id]);
  }
  return q.orderBy([{ column: atCol, order: 'desc' }, { column: idCol, order: 'desc' }]).limit(limit + 1) as T;
}

export function toPage<R, T>(rows: R[], limit: number, cursorOf: (r: R) => string, present: (r: R) => T): Page<T> {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  return { items: items.map(present), nextCursor: more ? cursorOf(items[items.length - 1]!) : null };
}
