import type Router from '@koa/router';
import type { Deps } from '../../deps.js';

/** Routes for webhooks (GET verification, POST ingest) (placeholder until they land). */
export function webhookRoutes(_deps: Deps, _router: Router): void {}
