import Router from '@koa/router';
import type { Deps } from '../../deps.js';
import { collectUsage } from '../../commands/usage.js';
import { heartbeatNow } from '../../license/heartbeatScheduler.js';
import { authorize } from '../../policies/roles.js';
import { presentLicense } from '../../presenters/license.js';

export function licenseRoutes(deps: Deps, router: Router): void {
  router.get('/license', async (ctx) => {
    authorize(ctx.state.user!, 'license.read');
    const snap = await deps.license.snapshot();
    ctx.body = presentLicense(snap, await collectUsage(deps, snap.now));
  });

  /** "Check now": after a renewal or rebind, the admin need not wait for the next heartbeat. */
  router.post('/license/refresh', async (ctx) => {
    authorize(ctx.state.user!, 'license.manage');
    await heartbeatNow(deps);
    deps.license.invalidate();
    const snap = await deps.license.snapshot();
    ctx.body = presentLicense(snap, await collectUsage(deps, snap.now));
  });
}
