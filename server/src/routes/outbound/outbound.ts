import type Router from '@koa/router';
import { parse } from '#kit/http/validate.js';
import { sendMessage } from '../../commands/sendMessage.js';
import type { Deps } from '../../deps.js';
import { presentMessage } from '../../presenters/message.js';
import { IdParam, sendBodySchema } from './schema.js';

export function outboundRoutes(deps: Deps, router: Router): void {
  // 202: stored and queued; the worker sends it and pushes message:updated. 200: this clientId was sent before.
  router.post('/conversations/:id/messages', async (ctx) => {
    const id = parse(IdParam, ctx.params.id, 'id');
    const input = parse(sendBodySchema(ctx.state.body), ctx.state.body);
    const { message, created } = await sendMessage(deps, ctx.state.user!, id, input, ctx.state.ip);
    ctx.status = created ? 202 : 200;
    ctx.body = presentMessage(message);
  });
}
