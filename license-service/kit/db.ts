import knex, { type Knex } from 'knex';
import pg from 'pg';

// int8 columns (counters, sequence numbers) stay far below 2^53: read them as numbers.
pg.types.setTypeParser(20, (v) => Number(v));

export type Db = Knex;

export function createDb(url: string, poolMax = 20): Knex {
  return knex({ client: 'pg', connection: url, pool: { min: 0, max: poolMax } });
}
