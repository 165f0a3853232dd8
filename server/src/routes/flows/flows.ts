import type Router from '@koa/router';
import { encodeCursor, toPage } from '#kit/cursor.js';
import { parse } from '#kit/http/validate.js';
import {
  changeFlow, checkFlow, createFlow, exportFlow, flowView, importFlow, publishFlow, removeFlow, rollbackFlow, setFlowStatus,
} from '../../commands/flows.js';
import type { Deps } from '../../deps.js';
import { notFound } from '../../errors.js';
import { authorize } from '../../policies/roles.js';
import { presentBotSession, presentFlowSummary, presentFlowVersion } from '../../presenters/flow.js';
import { findFlow, LIVE_SESSION_STATUSES, listFlows, listFlowSessions, listVersions, sessionCounts } from '../../repositories/flows.js';
import { CreateFlowBody, FlowStatusBody, IdParam, ListSessionsQuery, RollbackBody, UpdateFlowBody } from './schema.js';

const SESSION_STATUSES: Record<string, readonly string[]> = {
  running: ['running'],
  waiting: LIVE_SESSION_STATUSES.filter((s) => s !== 'running'),
  live: LIVE_SESSION_STATUSES,
  handed_off: ['handed_off'],
  ended: ['ended'],
  failed: ['failed'],
};

/** An ASCII file name for the export (the UTF-8 one goes in filename*). */
const fileSlug = (name: string) =>
  name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'fluxo';

/** Chatbot flows: admins build and run them, supervisors read them, attendants do not see them. */
export function flowsRoutes(deps: Deps, router: Router): void {
  router.get('/flows', async (ctx) => {
    authorize(ctx.state.user!, 'flows.read');
    // Flows are few and hand-made: one page, capped.
    const rows = await listFlows(deps.db, 200);
    const counts = await sessionCounts(deps.db, rows.map((r) => r.id));
    ctx.body = { items: rows.map((r) => presentFlowSummary(r, counts.get(r.id))) };
  });

  router.post('/flows', async (ctx) => {
    authorize(ctx.state.user!, 'flows.manage');
    const input = parse(CreateFlowBody, ctx.state.body);
    ctx.status = 201;
    ctx.body = await createFlow(deps, ctx.state.user!, input, ctx.state.ip);
  });

  router.post('/flows/import', async (ctx) => {
    authorize(ctx.state.user!, 'flows.manage');
    ctx.status = 201;
    ctx.body = await importFlow(deps, ctx.state.user!, ctx.state.body, ctx.state.ip);
  });

  router.get('/flows/:id', async (ctx) => {
    authorize(ctx.state.user!, 'flows.read');
    ctx.body = await flowView(deps.db, parse(IdParam, ctx.params.id, 'id'));
  });

  router.patch('/flows/:id', async (ctx) => {
    authorize(ctx.state.user!, 'flows.manage');
    const id = parse(IdParam, ctx.params.id, 'id');
    const input = parse(UpdateFlowBody, ctx.state.body);
    ctx.body = await changeFlow(deps, ctx.state.user!, id, input, ctx.state.ip);
  });

  router.delete('/flows/:id', async (ctx) => {
    authorize(ctx.state.user!, 'flows.manage');
    await removeFlow(deps, ctx.state.user!, parse(IdParam, ctx.params.id, 'id'), ctx.state.ip);
    ctx.status = 204;
  });

  router.get('/flows/:id/validation', async (ctx) => {
    authorize(ctx.state.user!, 'flows.read');
    ctx.body = { issues: await checkFlow(deps, parse(IdParam, ctx.params.id, 'id')) };
  });

  router.post('/flows/:id/publish', async (ctx) => {
    authorize(ctx.state.user!, 'flows.manage');
    const { flow, version } = await publishFlow(deps, ctx.state.user!, parse(IdParam, ctx.params.id, 'id'), ctx.state.ip);
    ctx.body = { flow, version: presentFlowVersion(version, flow.publishedVersion?.id ?? null) };
  });

  router.get('/flows/:id/versions', async (ctx) => {
    authorize(ctx.state.user!, 'flows.read');
    const flow = await findFlow(deps.db, parse(IdParam, ctx.params.id, 'id'));
    if (!flow) throw notFound('flow');
    const rows = await listVersions(deps.db, flow.id, 500);
    ctx.body = { items: rows.map((v) => presentFlowVersion(v, flow.published_version_id)) };
  });

  router.post('/flows/:id/rollback', async (ctx) => {
    authorize(ctx.state.user!, 'flows.manage');
    const id = parse(IdParam, ctx.params.id, 'id');
    const { versionId } = parse(RollbackBody, ctx.state.body);
    ctx.body = await rollbackFlow(deps, ctx.state.user!, id, versionId, ctx.state.ip);
  });

  router.post('/flows/:id/status', async (ctx) => {
    authorize(ctx.state.user!, 'flows.manage');
    const id = parse(IdParam, ctx.params.id, 'id');
    const input = parse(FlowStatusBody, ctx.state.body);
    ctx.body = await setFlowStatus(deps, ctx.state.user!, id, input, ctx.state.ip);
  });

  router.get('/flows/:id/export', async (ctx) => {
    authorize(ctx.state.user!, 'flows.read');
    const doc = await exportFlow(deps.db, parse(IdParam, ctx.params.id, 'id'));
    const file = `${fileSlug(doc.name)}.atendo-flow.json`;
    ctx.set('Content-Disposition', `attachment; filename="${file}"; filename*=UTF-8''${encodeURIComponent(`${doc.name}.atendo-flow.json`)}`);
    ctx.body = doc;
  });

  router.get('/flows/:id/sessions', async (ctx) => {
    authorize(ctx.state.user!, 'flows.read');
    const id = parse(IdParam, ctx.params.id, 'id');
    const q = parse(ListSessionsQuery, ctx.query, 'query');
    // Sessions outlive a deleted flow, but its page is gone with it.
    if (!(await findFlow(deps.db, id))) throw notFound('flow');
    const rows = await listFlowSessions(deps.db, id, { statuses: q.status ? SESSION_STATUSES[q.status] : undefined, cursor: q.cursor, limit: q.limit });
    ctx.body = toPage(rows, q.limit, (r) => encodeCursor(r.started_at, r.id), presentBotSession);
  });
}
