import type { MessageRow } from '../repositories/messages.js';
import { iso } from './iso.js';


/** A message as the dashboard sees it; media by our own URL, never Meta's or the file path. */
export function presentMessage(m: MessageRow) {
  return {
    id: m.id,
    conversationId: m.conversation_id,
    direction: m.direction,
    origin: m.origin,
    senderUserId: m.sender_user_id,
    clientId: m.client_id,
    type: m.type,
    body: m.body,
    payload: m.payload,
    status: m.status,
    error: m.error_code ? { code: m.error_code, title: m.error_title, detail: m.error_detail } : null,
    attempts: m.attempts,
    media: m.media_status
      ? {
          status: m.media_status,
          mimeType: m.media_mime,
          size: m.media_size === null ? null : Number(m.media_size),
          filename: m.media_filename,
          error: m.media_error,
          url: m.media_status === 'stored' ? `/api/messages/${m.id}/media` : null,
        }
      : null,
    at: iso(m.at),
    sentAt: iso(m.sent_at),
    deliveredAt: iso(m.delivered_at),
    readAt: iso(m.read_at),
    failedAt: iso(m.failed_at),
  };
}
