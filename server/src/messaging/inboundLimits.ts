import type { InboundEvent, InboundMessage } from './inboundEvent.js';

/**
 * What a signed webhook may put into the database, checked once between parsing and storing. A signature
 * proves the body came through Meta, not that every value in it is sane: a customer's text can carry
 * anything, and fuzzing found ids, names and timestamps that took whole bodies (and the inbox) down.
 * Values that can be bounded are bounded and kept; an item that cannot be stored faithfully is set
 * aside alone, with its reason, and its neighbours are stored.
 */
export const INBOUND_LIMITS = {
  /** Meta's wamids and Instagram mids are under 200 characters; the ids are btree-indexed (≤ 2,704 bytes a row). */
  providerIdChars: 256,
  /** wa_id (digits) and Instagram-scoped ids (digits) are short; they key contacts. */
  customerIdChars: 128,
  profileNameChars: 256,
  /** WhatsApp text is at most 4,096 characters, Instagram's 1,000: anything past this is not a person typing. */
  bodyChars: 65_536,
  /** Media file names, MIME types, hashes. */
  fieldChars: 1_024,
  /** Objects and arrays deeper than this in a body are cut; a real payload is under 12 levels. */
  depth: 32,
} as const;

/** A provider timestamp is believed only this close to when the body reached us. */
export const TIMESTAMP_WINDOW = {
  /** Meta redelivers for up to 7 days; statuses of old messages stay well inside a month. */
  pastMs: 30 * 86_400_000,
  /** Allows for clock skew between Meta and this machine, not for the future. */
  futureMs: 3_600_000,
} as const;

export interface SetAsideItem {
  kind: InboundEvent['kind'];
  /** The provider's id as given, cut to the limit so it can be shown. */
  providerId: string | null;
  reason: string;
  item: unknown;
}

export interface Screened {
  events: InboundEvent[];
  setAside: SetAsideItem[];
  /** Timestamps replaced by the receive time. */
  retimed: number;
}

const cut = (s: string | null, max: number): string | null => (s !== null && s.length > max ? s.slice(0, max) : s);

/** Bounds what can be bounded and sets aside what cannot; `receivedAt` is when the body was stored. */
export function screenEvents(events: InboundEvent[], receivedAt: Date): Screened {
  const out: Screened = { events: [], setAside: [], retimed: 0 };
  for (const e of events) {
    const reason = unstorable(e);
    if (reason) {
      out.setAside.push({ kind: e.kind, providerId: cut(e.providerMessageId, INBOUND_LIMITS.providerIdChars), reason, item: e });
      continue;
    }
    const replaced = implausibleTime(e.at, receivedAt);
    if (replaced) {
      out.retimed++;
      if (e.kind === 'message') {
        e.payload = { ...e.payload, timestamp_replaced: { provider: Number.isNaN(e.at.getTime()) ? null : e.at.getTime(), reason: replaced } };
      }
      e.at = receivedAt;
    } else if (e.kind === 'message' && withinItsSecond(e.at, receivedAt)) {
      // Meta stamps whole seconds: a message stored within its second takes the storing moment, so a quick
      // answer is not sorted before the bot message it answers (sent some milliseconds into that second).
      e.at = receivedAt;
    }
    if (e.kind === 'message') boundMessage(e);
    out.events.push(e);
  }
  return out;
}

function withinItsSecond(at: Date, receivedAt: Date): boolean {
  const late = receivedAt.getTime() - at.getTime();
  return at.getTime() % 1000 === 0 && late > 0 && late < 1000;
}

function unstorable(e: InboundEvent): string | null {
  if (e.providerMessageId.length > INBOUND_LIMITS.providerIdChars) return `provider_id_too_long: ${e.providerMessageId.length} characters (at most ${INBOUND_LIMITS.providerIdChars})`;
  if (e.kind === 'message' && e.customerId.length > INBOUND_LIMITS.customerIdChars) {
    return `customer_id_too_long: ${e.customerId.length} characters (at most ${INBOUND_LIMITS.customerIdChars})`;
  }
  return null;
}

/** Why a provider time is not believed ('far_future', 'far_past'), or null when it is. */
function implausibleTime(at: Date, receivedAt: Date): string | null {
  const t = at.getTime();
  if (Number.isNaN(t)) return 'invalid';
  if (t > receivedAt.getTime() + TIMESTAMP_WINDOW.futureMs) return 'far_future';
  if (t < receivedAt.getTime() - TIMESTAMP_WINDOW.pastMs) return 'far_past';
  return null;
}

function boundMessage(m: InboundMessage): void {
  m.profileName = cut(m.profileName, INBOUND_LIMITS.profileNameChars);
  if (m.body !== null && m.body.length > INBOUND_LIMITS.bodyChars) {
    m.payload = { ...m.payload, body_truncated: { chars: m.body.length } };
    m.body = m.body.slice(0, INBOUND_LIMITS.bodyChars);
  }
  if (m.media) {
    m.media.filename = cut(m.media.filename, INBOUND_LIMITS.fieldChars);
    // A MIME type or hash that long is not one: drop it rather than trust a cut one.
    if (m.media.mime && m.media.mime.length > 255) m.media.mime = null;
    if (m.media.sha256 && m.media.sha256.length > 128) m.media.sha256 = null;
    if (m.media.providerId && m.media.providerId.length > INBOUND_LIMITS.providerIdChars) m.media.providerId = null;
    if (m.media.url && m.media.url.length > 8_192) m.media.url = null;
  }
}
