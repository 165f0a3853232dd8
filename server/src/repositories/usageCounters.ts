import type { Knex } from 'knex';

export type MonthlyMetric = 'messages' | 'campaigns';

export async function readCounter(db: Knex, period: string, metric: MonthlyMetric): Promise<number> {
  const row = await db('usage_counters').where({ period, metric }).first('count');
  return row ? Number(row.count) : 0;
}

/**
 * Adds `n` to a monthly counter only if the result stays within `limit`, in one statement, so concurrent
 * senders (web and workers) can never overshoot. Returns the new count, or null when it would exceed.
 */
export async function consumeWithin(db: Knex, period: string, metric: MonthlyMetric, n: number, limit: number): Promise<number | null> {
  if (n > limit) return null;
  const res = await db.raw(
    `insert into usage_counters (period, metric, count) values (?, ?, ?)
     on conflict (period, metric) do update set count = usage_counters.count + excluded.count
     where usage_counters.count + excluded.count <= ?
     returning count`,
    [period, metric, n, limit],
  );
  return res.rows.length ? Number(res.rows[0].count) : null;
}

/** Gives units back (a send that Meta refused for good); never below zero. */
export async function releaseQuota(db: Knex, period: string, metric: MonthlyMetric, n: number): Promise<void> {
  await db('usage_counters').where({ period, metric }).update({ count: db.raw('greatest(count - ?, 0)', [n]) });
}
