import type { ConversationView } from '../repositories/conversations.js';
import { HUMAN_AGENT_WINDOW_MS, SERVICE_WINDOW_MS } from '../policies/serviceWindow.js';
import { iso, isoPlus } from './iso.js';

/** The customer-service window (policies/serviceWindow.ts), also read from here by the schedules. */
export { SERVICE_WINDOW_MS };

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
    /** Instagram: until then an attendant may still reply, sent tagged HUMAN_AGENT; null on WhatsApp. */
    humanAgentWindowEndsAt: c.channel === 'instagram' && c.last_inbound_at ? isoPlus(c.last_inbound_at, HUMAN_AGENT_WINDOW_MS) : null,
    unreadCount: c.unread_count,
    createdAt: iso(c.created_at),
    resolvedAt: iso(c.resolved_at),
    /** A bot flow is handling it now ("Robô" badge and queue). */
    botActive: c.bot_session_id !== null,
    /** A person took it over then: the bot stays quiet until it is resolved or handed back. */
    humanSince: iso(c.human_since),
  };
}
