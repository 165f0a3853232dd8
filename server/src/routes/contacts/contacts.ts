import type Router from '@koa/router';
import type { Deps } from '../../deps.js';

/** Routes for contacts (placeholder until they land). */
export function contactsRoutes(_deps: Deps, _router: Router): void {}
