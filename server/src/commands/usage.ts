import type { Usage } from '../../../license-service/protocol/applianceRequests.js';
import type { Deps } from '../deps.js';
import { monthPeriod } from '../lib/monthPeriod.js';
import { readCounter } from '../repositories/usageCounters.js';
import { countActiveUsers } from '../repositories/users.js';

/** What the appliance uses of its plan right now, as reported in heartbeats and /api/license. */
export async function collectUsage(deps: Deps, at: Date): Promise<Usage> {
  const period = monthPeriod(at, deps.config.APP_TIMEZONE);
  const [users, messagesThisMonth, campaignsThisMonth] = await Promise.all([
    countActiveUsers(deps.db),
    readCounter(deps.db, period, 'messages'),
    readCounter(deps.db, period, 'campaigns'),
  ]);
  // Connections arrive with messaging (issue 5); until then there are none to count.
  return { users, connections: 0, messagesThisMonth, campaignsThisMonth };
}
