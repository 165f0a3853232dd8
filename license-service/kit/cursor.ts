import type { Knex } from 'knex';
import { validationFailed } from './errors.js';

/**
 * Keyset pagination over (timestamp column, id) descending: stable under inserts, and each page is one
 * index range scan. The cursor is opaque to clients.
 */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export function encodeCursor(at: Date, id: string | number): string {
  return Buffer.from(JSON.stringify([at.toISOString(), String(id)])).toString('base64url');
}

export function decodeCursor(cursor: string): { at: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    const date = new Date(at);
    if (typeof id !== 'string' || Number.isNaN(date.getTime())) throw new Error('bad');
    return { at: date, id };
  } catch {
    throw validationFailed('cursor: not a cursor this service issued');
  }
}

/** Applies cursor, order and limit (fetching one extra row to know whether there is a next page). */
export function pageQuery<T extends Knex.QueryBuilder>(q: T, atCol: string, idCol: string, cursor: string | undefined, limit: number): T {
  if (cursor) {
    const c = decodeCursor(cursor);
    q.whereRaw(`(${atCol}, ${idCol}) < (?, ?)`, [c.at, c.id]);
  }
  return q.orderBy([{ column: atCol, order: 'desc' }, { column: idCol, order: 'desc' }]).limit(limit + 1) as T;
}

export function toPage<R, T>(rows: R[], limit: number, cursorOf: (r: R) => string, present: (r: R) => T): Page<T> {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  return { items: items.map(present), nextCursor: more ? cursorOf(items[items.length - 1]!) : null };
}
