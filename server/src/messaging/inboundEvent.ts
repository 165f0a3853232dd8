import type { DeliveryStatus } from '../repositories/messages.js';

/**
 * What a webhook body means for one connection, whatever the channel: messages (the customer's, or the
 * business's own sent from elsewhere: echoes) and delivery statuses of messages we sent.
 * parseWhatsApp.ts and parseInstagram.ts produce these; commands/ingestWebhookEvent.ts stores them.
 */
export interface InboundMessage {
  kind: 'message';
  /** in: the customer's; out: the business's own, sent from the WhatsApp Business app or Instagram (echo). */
  direction: 'in' | 'out';
  /** The customer: WhatsApp wa_id or Instagram-scoped user id (IGSID). */
  customerId: string;
  profileName: string | null;
  providerMessageId: string;
  type: string;
  body: string | null;
  payload: Record<string, unknown> | null;
  media: InboundMedia | null;
  at: Date;
}

export interface InboundMedia {
  /** WhatsApp media id (fetched through the Graph API); null on Instagram. */
  providerId: string | null;
  mime: string | null;
  /** As Meta gives it in the webhook (base64 or hex); checked after the download. */
  sha256: string | null;
  filename: string | null;
  /** Instagram: the attachment's CDN URL (kept in the payload too). */
  url: string | null;
}

export interface InboundStatus {
  kind: 'status';
  providerMessageId: string;
  status: DeliveryStatus;
  at: Date;
  error: { code: string; title: string | null; detail: string | null } | null;
  /** WhatsApp: the message of ours its biz_opaque_callback_data names (messaging/sendCallbackData.ts), if any. */
  ourMessageId?: string | null;
}

export type InboundEvent = InboundMessage | InboundStatus;

export const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** A provider timestamp (seconds or milliseconds) as a Date; a missing or absurd one is `fallback`. */
export function timeOf(value: unknown, unit: 'seconds' | 'ms', fallback: Date): Date {
  const n = typeof value === 'string' ? Number(value) : typeof value === 'number' ? value : NaN;
  if (!Number.isFinite(n) || n <= 0) return fallback;
  const d = new Date(unit === 'seconds' ? n * 1000 : n);
  return Number.isNaN(d.getTime()) ? fallback : d;
}
