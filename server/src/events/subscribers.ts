import type { Deps } from '../deps.js';
import type { Subscriber } from './domainEvents.js';

/**
 * The worker's event subscribers. The bot runtime will be the first, then automations and the reporting
 * ledger; each is a file of its own, listed here.
 */
export function subscribers(_deps: Deps): Subscriber[] {
  return [];
}
