import type { ConversationView } from '../repositories/conversations.js';
import { iso, isoPlus } from './iso.js';

/** The customer-service window: free text may be sent until 24 hours after the customer's last message. */
export const SERVICE_WINDOW_MS = 24 * 3_600_000;

export function presentConversation(c: ConversationView) {
  return {
    id: c.id,
    status: c.status,
    connection: { id: c.connection_id, name: c.connection_name, channel: c.channel },
    contact: {
      id: c.contact_id,
      name: c.contact_name ?? c.contact_profile_name,
      externalId: c.contact_external_id,
      tags: c.contact_tags,
    },
    teamId: c.team_id,
    assigneeId: c.assignee_id,
    lastMessageAt: iso(c.last_message_at),
    lastMessagePreview: c.last_message_preview,
    serviceWindowEndsAt: c.last_inbound_at ? isoPlus(c.last_inbound_at, SERVICE_WINDOW_MS) : null,
    unreadCount: c.unread_count,
    createdAt: iso(c.created_at),
    resolvedAt: iso(c.resolved_at),
    /** A bot flow is handling it now ("Robô" badge and queue). */
    botActive: c.bot_session_id !== null,
    /** A person took it over then: the bot stays quiet until it is resolved or handed back. */
    humanSince: iso(c.human_since),
  };
}
