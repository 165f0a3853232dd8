import type { Deps } from '../deps.js';
import { every, type Periodic } from '../queues/every.js';
import { syncAllTemplates } from './syncTemplates.js';

/** Templates are re-read from Meta this often (webhooks bring status and quality changes in between). */
export const TEMPLATE_SYNC_EVERY_MS = 30 * 60_000;

/** The worker's periodic template sync: one worker per interval (lock), each connection on its own. */
export function templateTasks(deps: Deps): Periodic[] {
  return [every(deps, 'templates.sync', TEMPLATE_SYNC_EVERY_MS, async () => {
    const { results, failed } = await syncAllTemplates(deps);
    if (results.length || failed.length) deps.log.info({ synced: results.length, failed: failed.length }, 'templates synced');
  }, { lock: true })];
}
