import knex, { type Knex } from 'knex';
import pg from 'pg';

// int8 columns (counters, sequence numbers) stay far below 2^53: read them as numbers.
pg.types.setTypeParser(20, (v) => Number(v));

export type Db = Knex;

export function createDb(url: string, poolMax = 20): Knex {
  return knex({ client: 'pg', connection: url, pool: { min: 0, max: poolMax } });
}

/**
 * Runs a named prepared statement on a pooled connection. For hot paths only: PostgreSQL plans a named
 * statement once per connection instead of on every call (knex sends unnamed ones), which cut the
 * heartbeat's database CPU by two thirds (scripts/bench/heartbeat.ts). Takes `$1`-style placeholders.
 */
export async function preparedQuery<Row>(db: Knex, name: string, text: string, values: unknown[]): Promise<Row[]> {
  const conn = await db.client.acquireConnection();
  try {
    const res = await conn.query({ name, text, values });
    return res.rows as Row[];
  } finally {
    await db.client.releaseConnection(conn);
  }
}
