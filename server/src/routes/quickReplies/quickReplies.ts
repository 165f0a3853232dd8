import type Router from '@koa/router';
import type { Deps } from '../../deps.js';

/** Routes for quick replies (placeholder until they land). */
export function quickRepliesRoutes(_deps: Deps, _router: Router): void {}
