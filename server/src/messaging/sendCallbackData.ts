/**
 * Meta has no idempotency key, so a send cut by a crash (Meta took it, we died before storing its wamid)
 * cannot be asked about. What it does have: every WhatsApp send may carry `biz_opaque_callback_data`, an
 * arbitrary string (at most 512 characters) that Meta echoes in each status webhook of that message. We
 * put our own message id there, so a status for a wamid we never stored still names the message it
 * belongs to (commands/reconcileSend.ts).
 */
const PREFIX = 'atendo:m:';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const callbackDataOf = (messageId: string): string => `${PREFIX}${messageId}`;

/** Our message id named by a status's callback data; null for none, or for another app's data on the same WABA. */
export function messageIdOfCallbackData(data: string | null): string | null {
  if (!data?.startsWith(PREFIX)) return null;
  const id = data.slice(PREFIX.length);
  return UUID.test(id) ? id.toLowerCase() : null;
}
