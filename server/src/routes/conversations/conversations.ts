import type Router from '@koa/router';
import type { Deps } from '../../deps.js';

/** Routes for inbox conversations (placeholder until they land). */
export function conversationsRoutes(_deps: Deps, _router: Router): void {}
