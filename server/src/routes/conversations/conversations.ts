import type Router from '@koa/router';
import { encodeCursor, toPage } from '#kit/cursor.js';
import { parse } from '#kit/http/validate.js';
import {
  addNote, markConversationRead, reassignConversation, reopenConversation, resolveConversation, visibleConversation,
} from '../../commands/conversations.js';
import type { Deps } from '../../deps.js';
import { presentContact } from '../../presenters/contact.js';
import { presentConversation } from '../../presenters/conversation.js';
import { presentMessage } from '../../presenters/message.js';
import { findContact } from '../../repositories/contacts.js';
import { countInbox, listInbox, listThread } from '../../repositories/inbox.js';
import { AssignBody, CountsQuery, IdParam, ListConversationsQuery, ListMessagesQuery, NoteBody, TransferBody } from './schema.js';

export function conversationsRoutes(deps: Deps, router: Router): void {
  /** The inbox: a queue of what the actor sees, newest activity first, cursor-paged. */
  router.get('/conversations', async (ctx) => {
    const f = parse(ListConversationsQuery, ctx.query, 'query');
    const rows = await listInbox(deps.db, ctx.state.user!, f);
    ctx.body = toPage(rows, f.limit, (r) => encodeCursor(r.last_message_at, r.id), presentConversation);
  });

  /** The queues' badges. Registered before /conversations/:id, which would take "counts" for an id. */
  router.get('/conversations/counts', async (ctx) => {
    const { status } = parse(CountsQuery, ctx.query, 'query');
    ctx.body = await countInbox(deps.db, ctx.state.user!, status);
  });

  router.get('/conversations/:id', async (ctx) => {
    const view = await visibleConversation(deps, ctx.state.user!, parse(IdParam, ctx.params.id, 'id'));
    const contact = (await findContact(deps.db, view.contact_id))!;
    ctx.body = { ...presentConversation(view), contact: presentContact(contact) };
  });

  router.get('/conversations/:id/messages', async (ctx) => {
    const view = await visibleConversation(deps, ctx.state.user!, parse(IdParam, ctx.params.id, 'id'));
    const { cursor, limit } = parse(ListMessagesQuery, ctx.query, 'query');
    const rows = await listThread(deps.db, view.id, cursor, limit);
    ctx.body = toPage(rows, limit, (m) => encodeCursor(m.at, m.id), presentMessage);
  });

  router.post('/conversations/:id/read', async (ctx) => {
    ctx.body = presentConversation(await markConversationRead(deps, ctx.state.user!, parse(IdParam, ctx.params.id, 'id')));
  });

  router.post('/conversations/:id/assign', async (ctx) => {
    const id = parse(IdParam, ctx.params.id, 'id');
    const { userId } = parse(AssignBody, ctx.state.body);
    ctx.body = presentConversation(await reassignConversation(deps, ctx.state.user!, id, { userId }, ctx.state.ip, 'assign'));
  });

  router.post('/conversations/:id/transfer', async (ctx) => {
    const id = parse(IdParam, ctx.params.id, 'id');
    const to = parse(TransferBody, ctx.state.body);
    ctx.body = presentConversation(await reassignConversation(deps, ctx.state.user!, id, to, ctx.state.ip, 'transfer'));
  });

  router.post('/conversations/:id/resolve', async (ctx) => {
    ctx.body = presentConversation(await resolveConversation(deps, ctx.state.user!, parse(IdParam, ctx.params.id, 'id'), ctx.state.ip));
  });

  router.post('/conversations/:id/reopen', async (ctx) => {
    ctx.body = presentConversation(await reopenConversation(deps, ctx.state.user!, parse(IdParam, ctx.params.id, 'id'), ctx.state.ip));
  });

  router.post('/conversations/:id/notes', async (ctx) => {
    const id = parse(IdParam, ctx.params.id, 'id');
    const { text } = parse(NoteBody, ctx.state.body);
    ctx.status = 201;
    ctx.body = presentMessage(await addNote(deps, ctx.state.user!, id, text, ctx.state.ip));
  });
}
