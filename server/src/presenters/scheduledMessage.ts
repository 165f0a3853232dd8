import type { ScheduledMessageView } from '../repositories/scheduledMessages.js';
import { iso } from './iso.js';

export function presentScheduledMessage(s: ScheduledMessageView) {
  return {
    id: s.id,
    status: s.status,
    conversationId: s.conversation_id,
    connection: { id: s.connection_id, name: s.connection_name, channel: s.channel },
    contact: { id: s.contact_id, name: s.contact_name ?? s.contact_profile_name, externalId: s.contact_external_id },
    content: s.content,
    fallbackTemplate: s.fallback_template,
    /** The next time it goes out (pending), or the time of its last occurrence. */
    sendAt: iso(s.send_at),
    recurrence: s.recurrence,
    repeatUntil: iso(s.repeat_until),
    maxLatenessSeconds: s.max_lateness_seconds,
    cancelIfCustomerWrites: s.cancel_if_customer_writes,
    /** Occurrences sent, and passed over (too late after downtime). */
    sentCount: s.occurrences,
    skippedCount: s.skipped,
    lastSentAt: iso(s.last_sent_at),
    lastMessageId: s.last_message_id,
    /** Why the last occurrence did not go out (outside_service_window, max_lateness_exceeded, …). */
    error: s.error_code ? { code: s.error_code, detail: s.error_detail } : null,
    cancelReason: s.cancel_reason,
    cancelledAt: iso(s.cancelled_at),
    createdBy: s.created_by ? { id: s.created_by, name: s.created_by_name } : null,
    createdAt: iso(s.created_at),
    updatedAt: iso(s.updated_at),
  };
}
