import fs from 'node:fs';
import type { Config } from '../config.js';
import type { MessageRow } from '../repositories/messages.js';
import { graphCall } from './graphClient.js';
import { callbackDataOf } from './sendCallbackData.js';
import { whatsappInteractive, type InteractiveRendering } from './interactiveMessage.js';
import { withHeaderMediaId } from '../templates/templateParams.js';

/** Message types the WhatsApp Cloud API sends as an uploaded media object. */
export const WHATSAPP_MEDIA_TYPES = ['image', 'audio', 'video', 'document', 'sticker'] as const;
export type WhatsAppMediaType = (typeof WHATSAPP_MEDIA_TYPES)[number];

/**
 * Uploads a stored file to Meta (POST /{phone-number-id}/media, multipart) and returns the media id a
 * message then refers to. The file is streamed from disk, not read into memory first.
 */
export async function uploadWhatsAppMedia(
  config: Config,
  accessToken: string,
  phoneNumberId: string,
  file: { absPath: string; mime: string; filename: string | null },
): Promise<string> {
  const blob = await fs.openAsBlob(file.absPath, { type: file.mime });
  const form = new FormData();
  form.set('messaging_product', 'whatsapp');
  form.set('type', file.mime);
  form.set('file', blob, file.filename ?? 'file');
  const res = await graphCall<{ id: string }>(config, accessToken, { method: 'POST', path: `/${phoneNumberId}/media`, form, timeoutMs: 120_000 });
  return String(res.id);
}

/**
 * The body of POST /{phone-number-id}/messages for a stored outbound message, in Meta's documented shape,
 * carrying our message id as biz_opaque_callback_data (messaging/sendCallbackData.ts).
 */
export function whatsappMessageBody(to: string, m: Pick<MessageRow, 'id' | 'type' | 'body' | 'payload' | 'media_provider_id' | 'media_filename'>): Record<string, unknown> {
  const base = { messaging_product: 'whatsapp', recipient_type: 'individual', to, biz_opaque_callback_data: callbackDataOf(m.id) };
  if (m.type === 'text') return { ...base, type: 'text', text: { body: m.body ?? '', preview_url: false } };
  if (m.type === 'template') {
    // A media header uploaded by the send worker (templates/templateParams.ts): its Meta media id goes in.
    const template = (m.payload as { template: unknown }).template;
    return { ...base, type: 'template', template: m.media_provider_id ? withHeaderMediaId(template, m.media_provider_id) : template };
  }
  if (m.type === 'interactive') {
    return { ...base, type: 'interactive', interactive: whatsappInteractive(m.body ?? '', (m.payload as { interactive: InteractiveRendering }).interactive) };
  }
  const media: Record<string, unknown> = { id: m.media_provider_id };
  // Meta refuses captions on audio and stickers.
  if (m.body && (m.type === 'image' || m.type === 'video' || m.type === 'document')) media.caption = m.body;
  if (m.type === 'document' && m.media_filename) media.filename = m.media_filename;
  return { ...base, type: m.type, [m.type]: media };
}

/** Sends; answers Meta's message id (wamid). */
export async function sendWhatsAppMessage(config: Config, accessToken: string, phoneNumberId: string, body: Record<string, unknown>): Promise<string> {
  const res = await graphCall<{ messages?: Array<{ id: string }> }>(config, accessToken, { method: 'POST', path: `/${phoneNumberId}/messages`, json: body });
  const id = res.messages?.[0]?.id;
  if (!id) throw new Error('Meta accepted the message without a message id');
  return id;
}

const MB = 1024 * 1024;

/**
 * WhatsApp's media rules: which file types each message type takes, and how large they may be
 * (https://developers.facebook.com/docs/whatsapp/cloud-api/reference/media#supported-media-types).
 */
const MEDIA_RULES: Record<WhatsAppMediaType, { mimes: string[]; maxBytes: number }> = {
  image: { mimes: ['image/jpeg', 'image/png'], maxBytes: 5 * MB },
  sticker: { mimes: ['image/webp'], maxBytes: 500 * 1024 },
  audio: { mimes: ['audio/aac', 'audio/mp4', 'audio/mpeg', 'audio/amr', 'audio/ogg'], maxBytes: 16 * MB },
  video: { mimes: ['video/mp4', 'video/3gpp'], maxBytes: 16 * MB },
  document: {
    mimes: [
      'application/pdf', 'text/plain',
      'application/msword', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'application/vnd.ms-excel', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'application/vnd.ms-powerpoint', 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    ],
    maxBytes: 100 * MB,
  },
};

/** `audio/ogg; codecs=opus` → `audio/ogg`. */
export function bareMime(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/** The message type a file of this MIME type is sent as, or null when WhatsApp takes no such file. */
export function mediaTypeOfMime(mime: string): WhatsAppMediaType | null {
  for (const [type, rule] of Object.entries(MEDIA_RULES)) if (rule.mimes.includes(mime)) return type as WhatsAppMediaType;
  return null;
}

export function mediaMaxBytes(type: WhatsAppMediaType): number {
  return MEDIA_RULES[type].maxBytes;
}

/** May a file of this MIME type be sent as this message type? */
export function mimeFitsType(mime: string, type: WhatsAppMediaType): boolean {
  return MEDIA_RULES[type].mimes.includes(mime);
}
