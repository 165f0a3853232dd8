import type { Knex } from 'knex';
import type { PlanFeatures } from '#protocol/lease.js';
import { featureDisabled, planLimit, planQuota } from '../errors.js';
import type { LicenseSnapshot } from '../license/licenseState.js';
import { monthPeriod } from '../lib/monthPeriod.js';
import { consumeWithin, readCounter, type MonthlyMetric } from '../repositories/usageCounters.js';
import { countActiveUsers } from '../repositories/users.js';
import { assertWritable, planOf } from './license.js';

/**
 * The plan in the current lease decides limits and features. Routes and workers both call these, so a
 * queued job cannot get past a limit the route enforced. A plan below current usage (a downgrade)
 * deletes nothing: it only refuses growth until usage fits.
 */
export function assertFeature(snap: LicenseSnapshot, feature: keyof PlanFeatures): void {
  assertWritable(snap);
  if (!planOf(snap).features[feature]) throw featureDisabled(feature);
}

/**
 * Before a user becomes active (created or re-enabled). Call it inside the transaction that activates
 * the user: it takes a transaction-scoped lock, so concurrent requests count one after another and
 * cannot all squeeze under the limit.
 */
export async function assertCanAddActiveUser(trx: Knex.Transaction, snap: LicenseSnapshot): Promise<void> {
  assertWritable(snap);
  await trx.raw(`select pg_advisory_xact_lock(hashtext('atendo:plan:users'))`);
  const db = trx;
  const limit = planOf(snap).limits.users;
  const used = await countActiveUsers(db);
  if (used + 1 > limit) throw planLimit('users', limit, used);
}

/** Before a connection is added; the count comes from the messaging module that owns connections. */
export function assertCanAddConnection(snap: LicenseSnapshot, used: number): void {
  assertWritable(snap);
  const limit = planOf(snap).limits.connections;
  if (used + 1 > limit) throw planLimit('connections', limit, used);
}

const quotaLimit = (snap: LicenseSnapshot, metric: MonthlyMetric) =>
  metric === 'messages' ? planOf(snap).limits.messagesPerMonth : planOf(snap).limits.campaignsPerMonth;

/**
 * Takes `n` from this month's quota, exactly: the check and the count are one statement, so concurrent
 * senders cannot overshoot. The month is the appliance's time zone's; a new month starts from zero.
 */
export async function consumeMonthlyQuota(
  db: Knex,
  snap: LicenseSnapshot,
  metric: MonthlyMetric,
  n: number,
  timeZone: string,
): Promise<number> {
  assertWritable(snap);
  if (metric === 'campaigns' && !planOf(snap).features.campaigns) throw featureDisabled('campaigns');
  const limit = quotaLimit(snap, metric);
  const period = monthPeriod(snap.now, timeZone);
  const count = await consumeWithin(db, period, metric, n, limit);
  if (count === null) throw planQuota(metric, limit, await readCounter(db, period, metric));
  return count;
}
