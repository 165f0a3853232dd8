import type { Knex } from 'knex';
import type { InboundStatus } from '../messaging/inboundEvent.js';
import { nextDeliveryState } from '../messaging/deliveryState.js';
import { recordEvents } from '../repositories/domainEvents.js';
import {
  applyDeliveryStatus, lockOutboundMessage, takePendingStatuses, updateOutboundMessage, type MessageRow, type OutboundMessageRow,
} from '../repositories/messages.js';

/** The code deliverMessage.ts gives a campaign send whose lease ran out with nothing recorded. */
export const SEND_IN_DOUBT = 'send_in_doubt';

/**
 * A status webhook for a wamid we never stored, whose biz_opaque_callback_data names a message of ours
 * (messaging/sendCallbackData.ts): the worker died between Meta's accept and our record of it. If that
 * message is still sending (queued after an attempt) or was given up as `send_in_doubt`, and has no wamid,
 * the wamid is its: attached, the message moves to `sent` (Meta accepted it — `message.sent` is recorded,
 * once: the wamid is attached once) and then to the status, forward only. Statuses that waited for that
 * wamid are applied too. A message already sent under another wamid is not touched (null: kept pending).
 * Inside the ingest transaction, under the ingest's lock on the wamid.
 */
export async function reconcileStatus(
  trx: Knex.Transaction, connectionId: string, s: InboundStatus,
): Promise<{ message: MessageRow; changed: boolean } | null> {
  const row = await lockOutboundMessage(trx, s.ourMessageId!);
  if (!row || row.connection_id !== connectionId || row.direction !== 'out' || row.provider_message_id) return null;
  const inDoubt = row.status === 'failed' && row.error_code === SEND_IN_DOUBT;
  const sending = row.status === 'queued' && row.attempts > 0;
  if (!inDoubt && !sending) return null;

  // From "never sent" (a doubt is no failure of Meta's), to sent at the status's time, then the status.
  const unsent: OutboundMessageRow = {
    ...row, status: 'queued', sent_at: null, delivered_at: null, read_at: null, failed_at: null, error_code: null, error_title: null, error_detail: null,
  };
  const sent = { ...unsent, ...nextDeliveryState(unsent, { status: 'sent', at: s.at }) };
  const after = { ...sent, ...nextDeliveryState(sent, { status: s.status, at: s.at, error: s.error }) };
  await recordEvents(trx, [{
    type: 'message.sent', conversationId: row.conversation_id, messageId: row.id, connectionId, origin: row.origin, senderUserId: row.sender_user_id, at: s.at.toISOString(),
  }]);
  let message: MessageRow = await updateOutboundMessage(trx, row.id, {
    status: after.status, sent_at: after.sent_at, delivered_at: after.delivered_at, read_at: after.read_at, failed_at: after.failed_at,
    error_code: after.error_code, error_title: after.error_title, error_detail: after.error_detail,
    provider_message_id: s.providerMessageId, claimed_until: null, next_attempt_at: null,
  });
  for (const p of await takePendingStatuses(trx, connectionId, s.providerMessageId)) {
    const applied = await applyDeliveryStatus(trx, connectionId, s.providerMessageId, { status: p.status, at: new Date(p.at), error: p.error });
    if (applied?.changed) message = applied.message;
  }
  return { message, changed: true };
}
