import { cancelSchedulesOnCustomerMessage } from '../commands/scheduledMessages.js';
import type { Deps } from '../deps.js';
import type { Subscriber } from '../events/domainEvents.js';

/**
 * "Cancel if the customer writes first": a customer message cancels the contact's pending items that
 * ask for it and were made before that message (reason customer_wrote). Idempotent — a redelivered
 * event finds them cancelled already. The worker checks the same before it sends, for a lagging event.
 */
export function scheduleSubscriber(deps: Deps): Subscriber {
  return {
    name: 'schedules',
    types: ['message.received'],
    handle: async (events) => {
      for (const e of events) {
        if (e.type !== 'message.received') continue;
        await cancelSchedulesOnCustomerMessage(deps, e.contactId, new Date(e.at));
      }
    },
  };
}
