import type { DeliveryStatus } from '../repositories/messages.js';
import { arr, isObject, str, timeOf, type InboundEvent, type InboundMessage, type InboundStatus } from './inboundEvent.js';
import { messageIdOfCallbackData } from './sendCallbackData.js';

/**
 * WhatsApp Cloud API webhooks (object `whatsapp_business_account`): entry[].changes[] whose value
 * carries metadata.phone_number_id (which of the business's numbers) and messages + contacts (the
 * customer wrote), statuses (what happened to our messages), or, with field `smb_message_echoes`,
 * message_echoes (the business wrote from the WhatsApp Business app). Timestamps are unix seconds.
 */
export function isWhatsAppEnvelope(body: unknown): body is { object: string; entry: unknown[] } {
  return isObject(body) && body.object === 'whatsapp_business_account' && Array.isArray(body.entry);
}

/** The changes of a body addressed to this phone number id; other numbers' changes are not ours. */
function changesFor(body: { entry: unknown[] }, phoneNumberId: string): Array<{ field: string; value: Record<string, any> }> {
  const out: Array<{ field: string; value: Record<string, any> }> = [];
  for (const entry of body.entry) {
    if (!isObject(entry)) continue;
    for (const change of arr(entry.changes)) {
      if (!isObject(change) || !isObject(change.value)) continue;
      if (change.value.metadata?.phone_number_id !== phoneNumberId) continue;
      out.push({ field: str(change.field) ?? 'messages', value: change.value });
    }
  }
  return out;
}

export function whatsAppAddressedTo(body: { entry: unknown[] }, phoneNumberId: string): boolean {
  return changesFor(body, phoneNumberId).length > 0;
}

/** Every message, echo and status of the body meant for this number, in body order. */
export function parseWhatsApp(body: unknown, phoneNumberId: string, now: Date): { events: InboundEvent[]; skipped: number } {
  const events: InboundEvent[] = [];
  let skipped = 0;
  if (!isWhatsAppEnvelope(body)) return { events, skipped };
  for (const { field, value } of changesFor(body, phoneNumberId)) {
    if (field === 'messages') {
      const names = new Map<string, string>();
      for (const c of arr(value.contacts)) {
        if (isObject(c) && str(c.wa_id) && str(c.profile?.name)) names.set(c.wa_id, c.profile.name);
      }
      for (const m of arr(value.messages)) {
        const parsed = parseMessage(m, 'in', now);
        if (parsed) {
          parsed.profileName = names.get(parsed.customerId) ?? null;
          events.push(parsed);
        } else skipped++;
      }
      for (const s of arr(value.statuses)) {
        const parsed = parseStatus(s, now);
        if (parsed) events.push(parsed);
        else skipped++;
      }
    } else if (field === 'smb_message_echoes') {
      for (const m of arr(value.message_echoes)) {
        const parsed = parseMessage(m, 'out', now);
        if (parsed) events.push(parsed);
        else skipped++;
      }
    }
    // Other fields (account updates, history sync) carry no conversation messages; template status and
    // quality and number quality are read by templates/accountUpdates.ts.
  }
  return { events, skipped };
}

const MEDIA_TYPES = new Set(['image', 'audio', 'video', 'document', 'sticker']);

function parseMessage(m: unknown, direction: 'in' | 'out', now: Date): InboundMessage | null {
  if (!isObject(m)) return null;
  const id = str(m.id);
  const customerId = str(direction === 'in' ? m.from : m.to);
  if (!id || !customerId) return null;
  const base: InboundMessage = {
    kind: 'message', direction, customerId, profileName: null, providerMessageId: id,
    type: 'unsupported', body: null, payload: null, media: null, at: timeOf(m.timestamp, 'seconds', now),
  };
  const type = str(m.type) ?? '';
  const content = m[type];
  if (type === 'text' && isObject(content) && typeof content.body === 'string') {
    Object.assign(base, { type, body: content.body });
  } else if (MEDIA_TYPES.has(type) && isObject(content) && str(content.id)) {
    Object.assign(base, {
      type,
      body: str(content.caption) ?? str(content.filename),
      media: { providerId: content.id, mime: str(content.mime_type), sha256: str(content.sha256), filename: str(content.filename), url: null },
      payload: type === 'audio' && content.voice ? { voice: true } : type === 'sticker' && content.animated ? { animated: true } : null,
    });
  } else if (type === 'location' && isObject(content)) {
    Object.assign(base, { type, body: str(content.name) ?? str(content.address), payload: { ...content } });
  } else if (type === 'contacts' && Array.isArray(content)) {
    const names = content.map((c) => (isObject(c) ? str(c.name?.formatted_name) : null)).filter(Boolean);
    Object.assign(base, { type, body: names.join(', ') || null, payload: { contacts: content } });
  } else if (type === 'reaction' && isObject(content) && str(content.message_id)) {
    // An empty emoji is the customer taking the reaction back.
    Object.assign(base, { type, body: str(content.emoji), payload: { message_id: content.message_id, emoji: content.emoji ?? '' } });
  } else if (type === 'interactive' && isObject(content) && ['button_reply', 'list_reply'].includes(content.type) && isObject(content[content.type])) {
    const reply = content[content.type];
    Object.assign(base, { type, body: str(reply.title), payload: { type: content.type, id: reply.id ?? null, title: reply.title ?? null, ...(reply.description ? { description: reply.description } : {}) } });
  } else if (type === 'button' && isObject(content)) {
    // A template's quick-reply button.
    Object.assign(base, { type, body: str(content.text), payload: { text: content.text ?? null, payload: content.payload ?? null } });
  } else {
    // Unknown or not yet supported by Meta (polls, orders, system notices…): kept whole for the dashboard.
    const { context: _c, ...raw } = m;
    base.payload = { original_type: type || null, message: raw };
  }
  if (isObject(m.context)) base.payload = { ...base.payload, context: m.context };
  return base;
}

const STATUSES = new Set<DeliveryStatus>(['sent', 'delivered', 'read', 'failed']);

function parseStatus(s: unknown, now: Date): InboundStatus | null {
  if (!isObject(s) || !str(s.id) || !STATUSES.has(s.status)) return null;
  const e = isObject(arr(s.errors)[0]) ? (arr(s.errors)[0] as Record<string, any>) : null;
  return {
    kind: 'status',
    providerMessageId: s.id,
    status: s.status,
    at: timeOf(s.timestamp, 'seconds', now),
    error: e
      ? { code: String(e.code ?? 'unknown'), title: str(e.title) ?? str(e.message), detail: str(e.error_data?.details) ?? str(e.message) }
      : s.status === 'failed' ? { code: 'unknown', title: null, detail: null } : null,
    ourMessageId: messageIdOfCallbackData(str(s.biz_opaque_callback_data)),
  };
}
