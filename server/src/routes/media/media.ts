import type Router from '@koa/router';
import type { Deps } from '../../deps.js';

/** Routes for serving stored media (placeholder until they land). */
export function mediaRoutes(_deps: Deps, _router: Router): void {}
