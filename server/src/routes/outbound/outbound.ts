import type Router from '@koa/router';
import type { Deps } from '../../deps.js';

/** Routes for sending messages and uploads (placeholder until they land). */
export function outboundRoutes(_deps: Deps, _router: Router): void {}
