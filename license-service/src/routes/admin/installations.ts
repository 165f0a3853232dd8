import Router from '@koa/router';
import type { Deps } from '../../deps.js';
import { encodeCursor, toPage } from '#kit/cursor.js';
import { parse } from '#kit/http/validate.js';
import { presentInstallation } from '../../presenters/installation.js';
import { listInstallations } from '../../repositories/installations.js';
import { InstallationList } from './schema.js';

export function installationsRoutes(deps: Deps, router: Router): void {
  router.get('/installations', async (ctx) => {
    const q = parse(InstallationList, ctx.query);
    const staleBefore = new Date(deps.now().getTime() - deps.config.STALE_AFTER_SECONDS * 1000);
    const rows = await listInstallations(deps.db, {
      licenseId: q.licenseId,
      status: q.stale === 'true' ? 'active' : q.status,
      staleBefore: q.stale === 'true' ? staleBefore : undefined,
      cursor: q.cursor,
      limit: q.limit,
    });
    ctx.body = toPage(rows, q.limit, (r) => encodeCursor(r.activated_at, r.id), (r) => presentInstallation(r, staleBefore));
  });
}
