import type Router from '@koa/router';
import { parse } from '#kit/http/validate.js';
import type { Deps } from '../../deps.js';
import { authorize } from '../../policies/roles.js';
import { presentConversation } from '../../presenters/conversation.js';
import { presentMessage } from '../../presenters/message.js';
import { presentTemplate } from '../../presenters/template.js';
import { listConnections } from '../../repositories/connections.js';
import { listTemplates } from '../../repositories/messageTemplates.js';
import { insertAudit } from '../../repositories/audit.js';
import { startConversation } from '../../templates/startConversation.js';
import { syncAllTemplates, syncTemplatesOf } from '../../templates/syncTemplates.js';
import { ListTemplatesQuery, StartConversationBody, SyncTemplatesBody } from './schema.js';

/** WhatsApp message templates (read from Meta) and starting a conversation with one. */
export function templatesRoutes(deps: Deps, router: Router): void {
  router.get('/templates', async (ctx) => {
    authorize(ctx.state.user!, 'templates.read');
    const f = parse(ListTemplatesQuery, ctx.query, 'query');
    // A WABA holds a few hundred templates at most (Meta's limit): one page, capped.
    ctx.body = { items: (await listTemplates(deps.db, f)).map(presentTemplate) };
  });

  /** The WhatsApp numbers a conversation can be started on (names only), with their team and quality. */
  router.get('/templates/connections', async (ctx) => {
    authorize(ctx.state.user!, 'templates.read');
    const rows = (await listConnections(deps.db)).filter((c) => c.channel === 'whatsapp');
    const quality = new Map((await deps.db('connections').whereIn('id', rows.map((r) => r.id)).select('id', 'quality_rating')).map((r) => [r.id, r.quality_rating as string | null]));
    ctx.body = { items: rows.map((c) => ({ id: c.id, name: c.name, displayPhoneNumber: c.display_phone_number, teamId: c.team_id, qualityRating: quality.get(c.id) ?? null })) };
  });

  /** Re-reads templates from Meta now: one connection (its result, or its error), or every WhatsApp connection. */
  router.post('/templates/sync', async (ctx) => {
    authorize(ctx.state.user!, 'templates.sync');
    const { connectionId } = parse(SyncTemplatesBody, ctx.state.body ?? {});
    const outcome = connectionId ? { results: [await syncTemplatesOf(deps, connectionId)], failed: [] } : await syncAllTemplates(deps);
    await insertAudit(deps.db, {
      actorUserId: ctx.state.user!.id, action: 'templates.sync', subjectType: 'connection', ...(connectionId ? { subjectId: connectionId } : {}), ip: ctx.state.ip,
      detail: { synced: outcome.results.length, failed: outcome.failed.length },
    });
    ctx.body = outcome;
  });

  /** 201 with the new conversation (200 when the contact's open conversation, which the actor sees, was used). */
  router.post('/conversations', async (ctx) => {
    const input = parse(StartConversationBody, ctx.state.body);
    const { conversation, message, opened } = await startConversation(deps, ctx.state.user!, input, ctx.state.ip);
    ctx.status = opened ? 201 : 200;
    ctx.body = { ...presentConversation(conversation), opened, message: presentMessage(message) };
  });
}
