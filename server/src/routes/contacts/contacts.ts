import type Router from '@koa/router';
import { encodeCursor, toPage } from '#kit/cursor.js';
import { parse } from '#kit/http/validate.js';
import { changeContact, visibleContact } from '../../commands/contacts.js';
import type { Deps } from '../../deps.js';
import { presentContact } from '../../presenters/contact.js';
import { presentConversation } from '../../presenters/conversation.js';
import { listContactConversations } from '../../repositories/inbox.js';
import { ContactConversationsQuery, IdParam, UpdateContactBody } from './schema.js';

export function contactsRoutes(deps: Deps, router: Router): void {
  router.get('/contacts/:id', async (ctx) => {
    ctx.body = presentContact(await visibleContact(deps, ctx.state.user!, parse(IdParam, ctx.params.id, 'id')));
  });

  /** The contact's history: its conversations the actor sees (404 when the contact itself is not seen). */
  router.get('/contacts/:id/conversations', async (ctx) => {
    const contact = await visibleContact(deps, ctx.state.user!, parse(IdParam, ctx.params.id, 'id'));
    const { cursor, limit } = parse(ContactConversationsQuery, ctx.query, 'query');
    const rows = await listContactConversations(deps.db, ctx.state.user!, contact.id, cursor, limit);
    ctx.body = toPage(rows, limit, (r) => encodeCursor(r.last_message_at, r.id), (r) => ({ ...presentConversation(r), messageCount: r.message_count }));
  });

  router.patch('/contacts/:id', async (ctx) => {
    const id = parse(IdParam, ctx.params.id, 'id');
    const input = parse(UpdateContactBody, ctx.state.body);
    ctx.body = presentContact(await changeContact(deps, ctx.state.user!, id, input, ctx.state.ip));
  });
}
