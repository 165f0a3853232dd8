import { arr, isObject, str, timeOf, type InboundEvent, type InboundMessage } from './inboundEvent.js';

/**
 * Instagram Messaging webhooks (object `instagram`): entry[].id is the business's account, and
 * entry[].messaging[] holds events: `message` (the customer's; with `is_echo` the business's own, also
 * those sent through the API), `read` (the customer saw our message `mid`), `reaction`, `postback`.
 * Timestamps are milliseconds.
 */
export function isInstagramEnvelope(body: unknown): body is { object: string; entry: unknown[] } {
  return isObject(body) && body.object === 'instagram' && Array.isArray(body.entry);
}

export function instagramAddressedTo(body: { entry: unknown[] }, accountId: string): boolean {
  return body.entry.some((e) => isObject(e) && String(e.id) === accountId);
}

const ATTACHMENT_TYPES: Record<string, string> = { image: 'image', video: 'video', audio: 'audio', file: 'document' };

export function parseInstagram(body: unknown, accountId: string, now: Date): { events: InboundEvent[]; skipped: number } {
  const events: InboundEvent[] = [];
  let skipped = 0;
  if (!isInstagramEnvelope(body)) return { events, skipped };
  for (const entry of body.entry) {
    if (!isObject(entry) || String(entry.id) !== accountId) continue;
    for (const ev of arr(entry.messaging)) {
      const parsed = isObject(ev) ? parseEvent(ev, accountId, now) : null;
      if (parsed === null) skipped++;
      else if (parsed !== 'ignore') events.push(parsed);
    }
  }
  return { events, skipped };
}

function parseEvent(ev: Record<string, any>, accountId: string, now: Date): InboundEvent | 'ignore' | null {
  const sender = str(ev.sender?.id);
  const recipient = str(ev.recipient?.id);
  const at = timeOf(ev.timestamp, 'ms', now);
  if (isObject(ev.read)) {
    const mid = str(ev.read.mid);
    return mid ? { kind: 'status', providerMessageId: mid, status: 'read', at, error: null } : 'ignore';
  }
  if (isObject(ev.message)) {
    const m = ev.message;
    const mid = str(m.mid);
    if (!mid) return null;
    if (m.is_deleted) return 'ignore'; // the customer unsent it; the stored copy stays for the record
    const echo = m.is_echo === true || sender === accountId;
    const customerId = echo ? recipient : sender;
    if (!customerId) return null;
    const msg: InboundMessage = {
      kind: 'message', direction: echo ? 'out' : 'in', customerId, profileName: null, providerMessageId: mid,
      type: 'text', body: str(m.text), payload: null, media: null, at,
    };
    const attachments = arr(m.attachments).filter(isObject);
    const first = attachments[0];
    if (first) {
      const url = str(first.payload?.url);
      const mediaType = ATTACHMENT_TYPES[first.type];
      if (mediaType && url) {
        msg.type = mediaType;
        msg.media = { providerId: null, mime: null, sha256: null, filename: null, url };
        msg.payload = { url, attachments };
      } else {
        // Shares, story mentions, reels: shown as they came.
        msg.type = 'unsupported';
        msg.payload = { original_type: first.type ?? null, attachments };
      }
    } else if (m.is_unsupported) {
      msg.type = 'unsupported';
      msg.payload = { original_type: null, message: m };
    } else if (msg.body === null) {
      return null;
    }
    if (isObject(m.reply_to)) msg.payload = { ...msg.payload, reply_to: m.reply_to };
    if (isObject(m.quick_reply)) msg.payload = { ...msg.payload, quick_reply: m.quick_reply };
    return msg;
  }
  if (isObject(ev.reaction) && sender && sender !== accountId) {
    const r = ev.reaction;
    const target = str(r.mid);
    if (!target) return null;
    const emoji = r.action === 'unreact' ? '' : (str(r.emoji) ?? str(r.reaction) ?? '');
    // Reactions have no id of their own: one per customer, target and moment keeps redeliveries single.
    return {
      kind: 'message', direction: 'in', customerId: sender, profileName: null,
      providerMessageId: `reaction:${target}:${sender}:${at.getTime()}`,
      type: 'reaction', body: emoji || null, payload: { message_id: target, emoji }, media: null, at,
    };
  }
  if (isObject(ev.postback) && sender && sender !== accountId) {
    const p = ev.postback;
    return {
      kind: 'message', direction: 'in', customerId: sender, profileName: null,
      providerMessageId: str(p.mid) ?? `postback:${sender}:${at.getTime()}`,
      type: 'button', body: str(p.title), payload: { text: p.title ?? null, payload: p.payload ?? null }, media: null, at,
    };
  }
  return 'ignore';
}
