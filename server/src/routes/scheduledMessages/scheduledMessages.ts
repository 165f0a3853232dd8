import type Router from '@koa/router';
import { encodeCursor, toPage } from '#kit/cursor.js';
import { parse } from '#kit/http/validate.js';
import { cancelScheduledMessage, changeScheduledMessage, createScheduledMessage, visibleSchedule } from '../../commands/scheduledMessages.js';
import type { Deps } from '../../deps.js';
import { presentScheduledMessage } from '../../presenters/scheduledMessage.js';
import { listScheduledMessages } from '../../repositories/scheduledMessages.js';
import { CreateScheduleBody, IdParam, ListSchedulesQuery, UpdateScheduleBody } from './schema.js';

/** Scheduled messages: whoever sees a conversation schedules, sees, edits and cancels its items. */
export function scheduledMessagesRoutes(deps: Deps, router: Router): void {
  router.get('/scheduled-messages', async (ctx) => {
    const f = parse(ListSchedulesQuery, ctx.query, 'query');
    const rows = await listScheduledMessages(deps.db, ctx.state.user!, f);
    ctx.body = toPage(rows, f.limit, (r) => encodeCursor(r.send_at, r.id), presentScheduledMessage);
  });

  router.get('/scheduled-messages/:id', async (ctx) => {
    ctx.body = presentScheduledMessage(await visibleSchedule(deps, ctx.state.user!, parse(IdParam, ctx.params.id, 'id')));
  });

  router.post('/scheduled-messages', async (ctx) => {
    const input = parse(CreateScheduleBody, ctx.state.body);
    ctx.status = 201;
    ctx.body = presentScheduledMessage(await createScheduledMessage(deps, ctx.state.user!, input, ctx.state.ip));
  });

  router.patch('/scheduled-messages/:id', async (ctx) => {
    const id = parse(IdParam, ctx.params.id, 'id');
    const input = parse(UpdateScheduleBody, ctx.state.body);
    ctx.body = presentScheduledMessage(await changeScheduledMessage(deps, ctx.state.user!, id, input, ctx.state.ip));
  });

  router.post('/scheduled-messages/:id/cancel', async (ctx) => {
    ctx.body = presentScheduledMessage(await cancelScheduledMessage(deps, ctx.state.user!, parse(IdParam, ctx.params.id, 'id'), ctx.state.ip));
  });
}
