import type Router from '@koa/router';
import type { Deps } from '../../deps.js';

/** Routes for uploading media to send (placeholder until they land). Mounted before the JSON body reader. */
export function uploadRoutes(_deps: Deps, _router: Router): void {}
