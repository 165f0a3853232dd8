import type { Deps } from '../deps.js';
import { optOutSubscriber } from '../audiences/optOutSubscriber.js';
import { botSubscriber } from '../bots/botSubscriber.js';
import { scheduleSubscriber } from '../schedules/scheduleSubscriber.js';
import { campaignSubscriber } from '../campaigns/campaignSubscriber.js';
import type { Subscriber } from './domainEvents.js';

/**
 * The worker's event subscribers. The bot runtime will be the first, then automations and the reporting
 * ledger; each is a file of its own, listed here.
 */
export function subscribers(deps: Deps): Subscriber[] {
  return [botSubscriber(deps), optOutSubscriber(deps), scheduleSubscriber(deps), campaignSubscriber(deps)];
}
