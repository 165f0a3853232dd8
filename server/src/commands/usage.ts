import type { Usage } from '#protocol/applianceRequests.js';
import type { Deps } from '../deps.js';
import { monthPeriod } from '../lib/monthPeriod.js';
import { readCounter } from '../repositories/usageCounters.js';
import { countActiveUsers } from '../repositories/users.js';
import { countConnections } from '../repositories/connections.js';

/** What the appliance uses of its plan right now, as reported in heartbeats and /api/license. */
export async function collectUsage(deps: Deps, at: Date): Promise<Usage> {
  const period = monthPeriod(at, deps.config.APP_TIMEZONE);
  const [users, connections, messagesThisMonth, campaignsThisMonth] = await Promise.all([
    countActiveUsers(deps.db),
    countConnections(deps.db),
    readCounter(deps.db, period, 'messages'),
    readCounter(deps.db, period, 'campaigns'),
  ]);
  return { users, connections, messagesThisMonth, campaignsThisMonth };
}
