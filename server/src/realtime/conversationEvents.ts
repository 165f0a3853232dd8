import type { Deps } from '../deps.js';
import { audienceOf, type ConversationScope } from '../policies/conversations.js';
import { presentConversation } from '../presenters/conversation.js';
import { presentMessage } from '../presenters/message.js';
import { findConversationView } from '../repositories/conversations.js';
import type { MessageRow } from '../repositories/messages.js';
import { publishRealtime } from './publish.js';

/**
 * The dashboard's live events, each sent to exactly the people who may see the conversation
 * (policies/conversations.ts). Call after the change is committed.
 *
 * - `message:new` / `message:updated` — { message }
 * - `conversation:updated` — { conversation }
 * - `conversation:removed` — { id }: someone lost sight of it (transferred away)
 */
export async function pushMessage(deps: Deps, scope: ConversationScope, message: MessageRow, event: 'message:new' | 'message:updated'): Promise<void> {
  await publishRealtime(deps.redis, { rooms: audienceOf(scope), event, data: { message: presentMessage(message) } });
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
