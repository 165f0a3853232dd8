/**
 * Request-body checks for the send endpoints, with Meta's wording ("(#100) The parameter to is required.").
 * Meta checks more than this; these are the mistakes an integration actually makes.
 */
import { invalidParameter } from './graphErrors.js';
import { validateInteractive, validateQuickReplies, type Shown } from './interactiveValidation.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

export const WA_SEND_TYPES = [
  'text', 'image', 'audio', 'video', 'document', 'sticker', 'template', 'interactive', 'reaction', 'location',
] as const;
const WA_MEDIA_TYPES = new Set(['image', 'audio', 'video', 'document', 'sticker']);
const WA_TEXT_MAX = 4096;
const IG_TEXT_MAX_BYTES = 1000;
/** Meta: "An arbitrary string, useful for tracking… Maximum 512 characters." Echoed in the message's status webhooks. */
export const WA_CALLBACK_DATA_MAX = 512;

export type WhatsAppRequest =
  | { kind: 'send'; to: string; type: string; shown?: Shown; callbackData?: string }
  | { kind: 'status'; messageId: string }; // mark as read / typing indicator

/** Throws a GraphError (400, code 100) when the body is not a valid WhatsApp messages request. */
export function validateWhatsAppBody(body: unknown): WhatsAppRequest {
  if (!isObject(body)) throw invalidParameter('The parameter messaging_product is required.');
  if (body.messaging_product !== 'whatsapp') {
    throw body.messaging_product === undefined
      ? invalidParameter('The parameter messaging_product is required.')
      : invalidParameter(`Param messaging_product must be one of {WHATSAPP} - got "${String(body.messaging_product)}".`);
  }
  // { status: 'read', message_id } marks an inbound message as read (optionally showing a typing indicator).
  if (body.status !== undefined) {
    if (body.status !== 'read') throw invalidParameter(`Param status must be one of {READ} - got "${String(body.status)}".`);
    if (!nonEmptyString(body.message_id)) throw invalidParameter('The parameter message_id is required.');
    return { kind: 'status', messageId: body.message_id };
  }
  if (!nonEmptyString(body.to)) throw invalidParameter('The parameter to is required.');
  const type = body.type ?? 'text'; // Meta's default
  if (typeof type !== 'string' || !(WA_SEND_TYPES as readonly string[]).includes(type)) {
    throw invalidParameter(`Param type must be one of {${WA_SEND_TYPES.join(', ').toUpperCase()}} - got "${String(type)}".`);
  }
  const content = body[type];
  if (!isObject(content)) throw invalidParameter(`The parameter ${type} is required.`);
  const callbackData = body.biz_opaque_callback_data;
  if (callbackData !== undefined) {
    if (typeof callbackData !== 'string') throw invalidParameter('Param biz_opaque_callback_data must be a string.');
    if (callbackData.length > WA_CALLBACK_DATA_MAX) {
      throw invalidParameter(`Param biz_opaque_callback_data must be at most ${WA_CALLBACK_DATA_MAX} characters long.`);
    }
  }
  let shown: Shown | null = null;

  if (type === 'text') {
    if (!nonEmptyString(content.body)) throw invalidParameter("The parameter text['body'] is required.");
    if (content.body.length > WA_TEXT_MAX) {
      throw invalidParameter(`Param text['body'] must be at most ${WA_TEXT_MAX} characters long.`);
    }
  } else if (WA_MEDIA_TYPES.has(type)) {
    if (!nonEmptyString(content.id) && !nonEmptyString(content.link)) {
      throw invalidParameter(`Param ${type} must contain either id or link.`);
    }
  } else if (type === 'template') {
    if (!nonEmptyString(content.name)) throw invalidParameter("The parameter template['name'] is required.");
    const language = content.language;
    if (!isObject(language) || !nonEmptyString(language.code)) {
      throw invalidParameter("The parameter template['language']['code'] is required.");
    }
  } else if (type === 'interactive') {
    shown = validateInteractive(content);
  } else if (type === 'reaction') {
    if (!nonEmptyString(content.message_id)) throw invalidParameter("The parameter reaction['message_id'] is required.");
    if (typeof content.emoji !== 'string') throw invalidParameter("The parameter reaction['emoji'] is required.");
  } else if (type === 'location') {
    if (typeof content.latitude !== 'number' && typeof content.latitude !== 'string') {
      throw invalidParameter("The parameter location['latitude'] is required.");
    }
    if (typeof content.longitude !== 'number' && typeof content.longitude !== 'string') {
      throw invalidParameter("The parameter location['longitude'] is required.");
    }
  }
  return { kind: 'send', to: body.to, type, ...(shown ? { shown } : {}), ...(typeof callbackData === 'string' ? { callbackData } : {}) };
}

export type InstagramRequest =
  /** `tag`: HUMAN_AGENT when sent with messaging_type MESSAGE_TAG (a person's reply up to 7 days after the user's message). */
  | { kind: 'send'; recipientId: string; shown?: Shown; tag: 'HUMAN_AGENT' | null }
  | { kind: 'action'; recipientId: string }; // sender_action: typing_on / typing_off / mark_seen

const IG_ATTACHMENT_TYPES = new Set(['image', 'video', 'audio', 'file']);

/** Throws a GraphError (400, code 100) when the body is not a valid Instagram send request. */
export function validateInstagramBody(body: unknown): InstagramRequest {
  if (!isObject(body) || !isObject(body.recipient) || !nonEmptyString(body.recipient.id)) {
    throw invalidParameter('The parameter recipient is required');
  }
  const recipientId = body.recipient.id;
  if (body.sender_action !== undefined) return { kind: 'action', recipientId };
  const message = body.message;
  if (!isObject(message)) throw invalidParameter('The parameter message is required');
  const tag = messageTag(body);
  if (message.text !== undefined) {
    if (!nonEmptyString(message.text)) throw invalidParameter('Param message[text] must be a non-empty UTF-8 encoded string');
    if (Buffer.byteLength(message.text) > IG_TEXT_MAX_BYTES) {
      throw invalidParameter(`Length of param message[text] must be less than or equal to ${IG_TEXT_MAX_BYTES}`);
    }
    const shown = validateQuickReplies(message);
    return shown ? { kind: 'send', recipientId, shown, tag } : { kind: 'send', recipientId, tag };
  }
  if (message.quick_replies !== undefined) throw invalidParameter('Quick replies need message[text]');
  const attachment = message.attachment;
  if (!isObject(attachment)) throw invalidParameter('Must send either message[text] or message[attachment]');
  if (typeof attachment.type !== 'string' || !IG_ATTACHMENT_TYPES.has(attachment.type)) {
    throw invalidParameter('Param message[attachment][type] must be one of {image, video, audio, file}');
  }
  const payload = attachment.payload;
  if (!isObject(payload) || (!nonEmptyString(payload.url) && !nonEmptyString(payload.attachment_id))) {
    throw invalidParameter('The parameter message[attachment][payload][url] is required');
  }
  return { kind: 'send', recipientId, tag };
}

const MESSAGING_TYPES = ['RESPONSE', 'UPDATE', 'MESSAGE_TAG'];
/** Instagram takes one message tag: HUMAN_AGENT. */
const IG_TAGS = ['HUMAN_AGENT'];

/** messaging_type (RESPONSE when absent) and its tag, checked as the Send API does. */
function messageTag(body: Json): 'HUMAN_AGENT' | null {
  const type = body.messaging_type ?? 'RESPONSE';
  if (typeof type !== 'string' || !MESSAGING_TYPES.includes(type)) {
    throw invalidParameter(`Param messaging_type must be one of {${MESSAGING_TYPES.join(', ')}} - got "${String(type)}".`);
  }
  if (type !== 'MESSAGE_TAG') {
    if (body.tag !== undefined) throw invalidParameter('Param tag is only allowed with messaging_type MESSAGE_TAG.');
    return null;
  }
  if (body.tag === undefined) throw invalidParameter('The parameter tag is required.');
  if (typeof body.tag !== 'string' || !IG_TAGS.includes(body.tag)) {
    throw invalidParameter(`Param tag must be one of {${IG_TAGS.join(', ')}} - got "${String(body.tag)}".`);
  }
  return 'HUMAN_AGENT';
}
