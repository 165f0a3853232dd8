import Router from '@koa/router';
import type { Deps } from '../../deps.js';
import { encodeCursor, toPage } from '#kit/cursor.js';
import { parse } from '#kit/http/validate.js';
import { presentAuditEvent } from '../../presenters/auditEvent.js';
import { listAudit } from '../../repositories/audit.js';
import { AuditList } from './schema.js';

export function auditRoutes(deps: Deps, router: Router): void {
  router.get('/audit', async (ctx) => {
    const q = parse(AuditList, ctx.query);
    const rows = await listAudit(deps.db, q);
    ctx.body = toPage(rows, q.limit, (r) => encodeCursor(r.at, r.id), presentAuditEvent);
  });
}
