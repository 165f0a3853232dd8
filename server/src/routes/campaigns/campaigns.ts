import type Router from '@koa/router';
import { parse } from '#kit/http/validate.js';
import { encodeCursor } from '#kit/cursor.js';
import {
  campaignView, cancelCampaign, changeCampaign, createCampaign, pauseCampaign, preflightCampaign, removeCampaign, resumeCampaign,
  retryFailedCampaign, startCampaign, testSendCampaign, unscheduleCampaign,
} from '../../commands/campaigns.js';
import type { Deps } from '../../deps.js';
import { AppError } from '../../errors.js';
import { authorize } from '../../policies/roles.js';
import { presentCampaign, presentRecipient } from '../../presenters/campaign.js';
import { campaignProgress, findCampaign, listCampaigns, listRecipients } from '../../repositories/campaigns.js';
import { findTemplate } from '../../repositories/messageTemplates.js';
import { CreateCampaignBody, IdParam, ListQuery, RecipientsQuery, StartBody, TestSendBody, UpdateCampaignBody } from './schema.js';

const invalidCursor = () => new AppError(400, 'invalid_cursor', 'this cursor was not issued here');
const recipientCursor = (id: string) => Buffer.from(`r:${id}`).toString('base64url');
const readRecipientCursor = (c: string) => {
  const m = /^r:([1-9]\d{0,18})$/.exec(Buffer.from(c, 'base64url').toString('utf8'));
  if (!m) throw invalidCursor();
  return m[1]!;
};

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : v instanceof Date ? v.toISOString() : String(v);
  // Formula injection: a cell a spreadsheet would run is quoted as text.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r;]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/** Campaigns: admins write, supervisors read, attendants do not see them. */
export function campaignsRoutes(deps: Deps, router: Router): void {
  const id = (ctx: { params: Record<string, string> }) => parse(IdParam, ctx.params.id, 'id');

  router.get('/campaigns', async (ctx) => {
    authorize(ctx.state.user!, 'campaigns.read');
    const q = parse(ListQuery, ctx.query);
    const rows = await listCampaigns(deps.db, { status: q.status, cursor: q.cursor, limit: q.limit });
    const page = rows.slice(0, q.limit);
    const items = [];
    for (const c of page) {
      const t = c.template_id ? await findTemplate(deps.db, c.template_id) : undefined;
      // Progress for campaigns that have recipients; a draft has none to count.
      items.push(presentCampaign(c, t ?? null, c.audience_frozen_at ? await campaignProgress(deps.db, c) : null));
    }
    const last = page[page.length - 1];
    ctx.body = { items, nextCursor: rows.length > q.limit && last ? encodeCursor(last.created_at, last.id) : null };
  });

  router.post('/campaigns', async (ctx) => {
    authorize(ctx.state.user!, 'campaigns.manage');
    ctx.status = 201;
    ctx.body = await createCampaign(deps, ctx.state.user!, parse(CreateCampaignBody, ctx.state.body), ctx.state.ip);
  });

  router.get('/campaigns/:id', async (ctx) => {
    authorize(ctx.state.user!, 'campaigns.read');
    ctx.body = await campaignView(deps, id(ctx));
  });

  router.patch('/campaigns/:id', async (ctx) => {
    authorize(ctx.state.user!, 'campaigns.manage');
    ctx.body = await changeCampaign(deps, ctx.state.user!, id(ctx), parse(UpdateCampaignBody, ctx.state.body), ctx.state.ip);
  });

  router.delete('/campaigns/:id', async (ctx) => {
    authorize(ctx.state.user!, 'campaigns.manage');
    await removeCampaign(deps, ctx.state.user!, id(ctx), ctx.state.ip);
    ctx.status = 204;
  });

  router.post('/campaigns/:id/start', async (ctx) => {
    authorize(ctx.state.user!, 'campaigns.manage');
    ctx.body = await startCampaign(deps, ctx.state.user!, id(ctx), parse(StartBody, ctx.state.body ?? {}), ctx.state.ip);
  });
  router.post('/campaigns/:id/unschedule', async (ctx) => {
    authorize(ctx.state.user!, 'campaigns.manage');
    ctx.body = await unscheduleCampaign(deps, ctx.state.user!, id(ctx), ctx.state.ip);
  });
  router.post('/campaigns/:id/pause', async (ctx) => {
    authorize(ctx.state.user!, 'campaigns.manage');
    ctx.body = await pauseCampaign(deps, ctx.state.user!, id(ctx), ctx.state.ip);
  });
  router.post('/campaigns/:id/resume', async (ctx) => {
    authorize(ctx.state.user!, 'campaigns.manage');
    ctx.body = await resumeCampaign(deps, ctx.state.user!, id(ctx), ctx.state.ip);
  });
  router.post('/campaigns/:id/cancel', async (ctx) => {
    authorize(ctx.state.user!, 'campaigns.manage');
    ctx.body = await cancelCampaign(deps, ctx.state.user!, id(ctx), ctx.state.ip);
  });
  router.post('/campaigns/:id/test-send', async (ctx) => {
    authorize(ctx.state.user!, 'campaigns.manage');
    ctx.status = 202;
    ctx.body = await testSendCampaign(deps, ctx.state.user!, id(ctx), parse(TestSendBody, ctx.state.body), ctx.state.ip);
  });
  router.post('/campaigns/:id/retry-failed', async (ctx) => {
    authorize(ctx.state.user!, 'campaigns.manage');
    ctx.status = 201;
    ctx.body = await retryFailedCampaign(deps, ctx.state.user!, id(ctx), ctx.state.ip);
  });
  router.get('/campaigns/:id/preflight', async (ctx) => {
    authorize(ctx.state.user!, 'campaigns.read');
    ctx.body = await preflightCampaign(deps, id(ctx));
  });
  router.post('/campaigns/:id/preflight', async (ctx) => {
    authorize(ctx.state.user!, 'campaigns.read');
    ctx.body = await preflightCampaign(deps, id(ctx));
  });

  router.get('/campaigns/:id/recipients', async (ctx) => {
    authorize(ctx.state.user!, 'campaigns.read');
    const cid = id(ctx);
    const q = parse(RecipientsQuery, ctx.query);
    if (!(await findCampaign(deps.db, cid))) throw new AppError(404, 'not_found', 'campaign not found');
    const rows = await listRecipients(deps.db, cid, { status: q.status, afterId: q.cursor ? readRecipientCursor(q.cursor) : undefined, limit: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    ctx.body = { items: page.map(presentRecipient), nextCursor: rows.length > q.limit ? recipientCursor(String(page[page.length - 1]!.id)) : null };
  });

  router.get('/campaigns/:id/export', async (ctx) => {
    authorize(ctx.state.user!, 'campaigns.read');
    const cid = id(ctx);
    const c = await findCampaign(deps.db, cid);
    if (!c) throw new AppError(404, 'not_found', 'campaign not found');
    const header = ['name', 'phone', 'status', 'reason', 'error_code', 'error_title', 'sent_at', 'delivered_at', 'read_at', 'failed_at', 'replied_at'];
    const lines = [header.join(',')];
    for (let after: string | undefined; ;) {
      const rows = await listRecipients(deps.db, cid, { afterId: after, limit: 5_000 });
      for (const r of rows) {
        lines.push([r.contact_name ?? r.contact_profile_name, r.contact_phone, r.status, r.reason, r.error_code, r.error_title, r.sent_at, r.delivered_at, r.read_at, r.failed_at, r.replied_at].map(csvCell).join(','));
      }
      if (rows.length < 5_000) break;
      after = String(rows[rows.length - 1]!.id);
    }
    const slug = c.name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'campanha';
    ctx.set('content-type', 'text/csv; charset=utf-8');
    ctx.set('content-disposition', `attachment; filename="${slug}.csv"`);
    ctx.body = `\ufeff${lines.join('\r\n')}\r\n`;
  });
}
