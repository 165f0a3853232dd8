import type { Deps } from '../deps.js';
import { audienceOf, type ConversationScope } from '../policies/conversations.js';
import { presentConversation } from '../presenters/conversation.js';
import { presentMessage } from '../presenters/message.js';
import { findConversationView, findConversationViews, type ConversationView } from '../repositories/conversations.js';
import type { MessageRow } from '../repositories/messages.js';
import { publishRealtime, type RealtimeEvent } from './publish.js';

/**
 * The dashboard's live events, each sent to exactly the people who may see the conversation
 * (policies/conversations.ts). Call after the change is committed.
 *
 * - `message:new` — { message, conversation }: the conversation as it stands with it (order, preview,
 *   unread), so a new message is one frame per socket, not two
 * - `message:updated` — { message }
 * - `conversation:updated` — { conversation }
 * - `conversation:removed` — { id }: someone lost sight of it (transferred away)
 */
export function newMessageEvent(conversation: ConversationView, message: MessageRow): RealtimeEvent {
  return { rooms: audienceOf(conversation), event: 'message:new', data: { message: presentMessage(message), conversation: presentConversation(conversation) } };
}

export async function pushNewMessage(deps: Deps, message: MessageRow): Promise<void> {
  await pushNewMessages(deps, [message]);
}

/** Each message with its conversation as it stands now, read once for all of them. */
export async function pushNewMessages(deps: Deps, messages: MessageRow[]): Promise<void> {
  if (!messages.length) return;
  const views = await findConversationViews(deps.db, [...new Set(messages.map((m) => m.conversation_id))]);
  // One Redis message for all of them.
  await publishRealtime(deps.redis, messages.flatMap((m) => {
    const view = views.get(m.conversation_id);
    return view ? [newMessageEvent(view, m)] : [];
  }));
}

export function messageUpdateEvent(scope: ConversationScope, message: MessageRow): RealtimeEvent {
  return { rooms: audienceOf(scope), event: 'message:updated', data: { message: presentMessage(message) } };
}

export async function pushMessageUpdate(deps: Deps, scope: ConversationScope, message: MessageRow): Promise<void> {
  await publishRealtime(deps.redis, messageUpdateEvent(scope, message));
}

export async function pushConversation(deps: Deps, conversationId: string, before?: ConversationScope): Promise<void> {
  const view = await findConversationView(deps.db, conversationId);
  if (!view) return;
  const rooms = audienceOf(view);
  await publishRealtime(deps.redis, { rooms, event: 'conversation:updated', data: { conversation: presentConversation(view) } });
  if (before) {
    const lost = audienceOf(before).filter((r) => !rooms.includes(r));
    // Someone in a lost room who still sees it through another room (the new assignee) is left out.
    if (lost.length) await publishRealtime(deps.redis, { rooms: lost, except: rooms, event: 'conversation:removed', data: { id: conversationId } });
  }
}
