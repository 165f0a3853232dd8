import type { Deps } from '../deps.js';
import { every, type Periodic } from '../queues/every.js';
import { deleteDeliveredEvents, eventsAfter, lockCursor, moveCursor } from '../repositories/domainEvents.js';
import type { Subscriber } from './domainEvents.js';

/** How often the worker looks for new events; a look with nothing new is one index probe. */
const DELIVER_EVERY_MS = 100;
const BATCH = 200;
const RETENTION_EVERY_MS = 10 * 60_000;
const RETENTION_DAYS = 7;

/**
 * Delivers recorded events to each subscriber, in commit order, at least once. One worker at a time per
 * subscriber (its cursor row is locked for the delivery; others skip it), so several workers share the
 * subscribers without delivering twice in normal running; after a crash the unconfirmed batch comes again.
 */
export async function deliverEvents(deps: Deps, subscriber: Subscriber): Promise<number> {
  let delivered = 0;
  for (;;) {
    const n = await deps.db.transaction(async (trx) => {
      const cursor = await lockCursor(trx, subscriber.name);
      if (!cursor) return 0;
      const { events, last } = await eventsAfter(trx, cursor, subscriber.types, BATCH);
      if (!last) return 0;
      if (events.length) await subscriber.handle(events);
      await moveCursor(trx, subscriber.name, last);
      return Math.max(events.length, 1);
    });
    delivered += n;
    if (n === 0) return delivered;
  }
}

/** The worker's periodic delivery of events to every subscriber, and the retention of delivered ones. */
export function eventTasks(deps: Deps, subscribers: Subscriber[]): Periodic[] {
  const deliver = every(deps, 'events.deliver', DELIVER_EVERY_MS, async () => {
    for (const s of subscribers) {
      try {
        await deliverEvents(deps, s);
      } catch (err) {
        // Not confirmed: the same events come again at the next look.
        deps.log.error({ subscriber: s.name, err: (err as Error).message }, 'event subscriber failed; its events will be delivered again');
      }
    }
  }, { immediately: true });
  const retention = every(deps, 'events.retention', RETENTION_EVERY_MS, async () => {
    const before = new Date(deps.now().getTime() - RETENTION_DAYS * 86_400_000);
    const n = await deleteDeliveredEvents(deps.db, subscribers.map((s) => s.name), before, 10_000);
    if (n) deps.log.info({ events: n }, 'old domain events removed');
  }, { lock: true, immediately: true });
  return [deliver, retention];
}
