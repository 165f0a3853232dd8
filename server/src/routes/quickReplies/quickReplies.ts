import type Router from '@koa/router';
import { parse } from '#kit/http/validate.js';
import { changeQuickReply, createQuickReply, removeQuickReply } from '../../commands/quickReplies.js';
import type { Deps } from '../../deps.js';
import { notFound } from '../../errors.js';
import { authorize } from '../../policies/roles.js';
import { presentQuickReply } from '../../presenters/quickReply.js';
import { findQuickReply, listQuickReplies } from '../../repositories/quickReplies.js';
import { CreateQuickReplyBody, IdParam, ListQuickRepliesQuery, UpdateQuickReplyBody } from './schema.js';

/** A team's canned answers; everyone reads them (the composer's `/` picker), supervisors and admins manage them. */
export function quickRepliesRoutes(deps: Deps, router: Router): void {
  router.get('/quick-replies', async (ctx) => {
    const { q } = parse(ListQuickRepliesQuery, ctx.query, 'query');
    // Quick replies are a short, hand-made list: one page, capped.
    ctx.body = { items: (await listQuickReplies(deps.db, { prefix: q, limit: 500 })).map(presentQuickReply) };
  });

  router.get('/quick-replies/:id', async (ctx) => {
    const row = await findQuickReply(deps.db, parse(IdParam, ctx.params.id, 'id'));
    if (!row) throw notFound('quick reply');
    ctx.body = presentQuickReply(row);
  });

  router.post('/quick-replies', async (ctx) => {
    authorize(ctx.state.user!, 'quickReplies.manage');
    const input = parse(CreateQuickReplyBody, ctx.state.body);
    ctx.status = 201;
    ctx.body = presentQuickReply(await createQuickReply(deps, ctx.state.user!, input, ctx.state.ip));
  });

  router.patch('/quick-replies/:id', async (ctx) => {
    authorize(ctx.state.user!, 'quickReplies.manage');
    const id = parse(IdParam, ctx.params.id, 'id');
    const input = parse(UpdateQuickReplyBody, ctx.state.body);
    ctx.body = presentQuickReply(await changeQuickReply(deps, ctx.state.user!, id, input, ctx.state.ip));
  });

  router.delete('/quick-replies/:id', async (ctx) => {
    authorize(ctx.state.user!, 'quickReplies.manage');
    await removeQuickReply(deps, ctx.state.user!, parse(IdParam, ctx.params.id, 'id'), ctx.state.ip);
    ctx.status = 204;
  });
}
