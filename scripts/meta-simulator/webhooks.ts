/**
 * Meta webhook payload builders and signing, shaped after Meta's documented examples:
 * - WhatsApp Cloud API `messages` webhook (object `whatsapp_business_account`, entry[].changes[].value with
 *   metadata, contacts, messages or statuses; timestamps are unix SECONDS as strings).
 * - WhatsApp Business app coexistence echoes (change field `smb_message_echoes`).
 * - Instagram Messaging (object `instagram`, entry[].messaging[] events; timestamps are MILLISECONDS as numbers).
 * Pure functions except `postWebhook`, which delivers a body the way Meta does (signed exact bytes).
 */
import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';

/** Meta's header value: 'sha256=' + hex HMAC-SHA256 of the exact request bytes with the app secret. */
export function signBody(raw: string | Buffer, appSecret: string): string {
  return `sha256=${crypto.createHmac('sha256', appSecret).update(raw).digest('hex')}`;
}

/** Webhooks carry media sha256 in base64 (the media URL endpoint answers hex): see mediaSha256Hex. */
export function mediaSha256Base64(bytes: Buffer): string {
  return crypto.createHash('sha256').update(bytes).digest('base64');
}

export function mediaSha256Hex(bytes: Buffer): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

const DEFAULT_WABA_ID = '102290129340398';

const nowSeconds = (): string => String(Math.floor(Date.now() / 1000));
const asSeconds = (t: number | undefined): string => (t === undefined ? nowSeconds() : String(Math.floor(t)));

/**
 * A wamid shaped like Meta's: base64 of a small binary record holding the customer number and a 20-char hex id.
 * Note they contain '+', '/' and '=': URL-encode them when they go into a path or query.
 */
export function newWamid(waId?: string): string {
  const phone = Buffer.from((waId ?? `55119${crypto.randomInt(10_000_000, 99_999_999)}`).replace(/\D/g, ''));
  const hexId = Buffer.from(crypto.randomBytes(10).toString('hex').toUpperCase());
  const record = Buffer.concat([
    Buffer.from([0x1c, 0x18, phone.length]), phone,
    Buffer.from([0x15, 0x02, 0x00, 0x12, 0x18, hexId.length]), hexId, Buffer.from([0x00]),
  ]);
  return `wamid.${record.toString('base64')}`;
}

/** Instagram mids are opaque url-safe base64 strings (often 100+ chars). */
export function newIgMid(): string {
  const digits = (n: number): string => Array.from({ length: n }, () => crypto.randomInt(0, 10)).join('');
  return Buffer.from(`ig_message_item:1:IGMessageID:178414${digits(11)}:${digits(38)}`).toString('base64url');
}

/** A numeric Graph object id (phone number ids, media ids, WABA ids are 15-16 digit strings). */
export function newGraphId(): string {
  return `${crypto.randomInt(1, 10)}${Array.from({ length: 15 }, () => crypto.randomInt(0, 10)).join('')}`;
}

// ───────────────────────────── WhatsApp ─────────────────────────────

export interface WaContact { waId: string; name?: string }

export function waEnvelope(entries: Array<{ wabaId?: string; changes: Array<{ field?: string; value: unknown }> }>): object {
  return {
    object: 'whatsapp_business_account',
    entry: entries.map((e) => ({
      id: e.wabaId ?? DEFAULT_WABA_ID,
      changes: e.changes.map((c) => ({ value: c.value, field: c.field ?? 'messages' })),
    })),
  };
}

export function waMessagesValue(o: {
  phoneNumberId: string; displayPhoneNumber?: string; contacts?: WaContact[]; messages?: object[]; statuses?: object[];
}): object {
  const value: Record<string, unknown> = {
    messaging_product: 'whatsapp',
    metadata: { display_phone_number: o.displayPhoneNumber ?? '15550783881', phone_number_id: o.phoneNumberId },
  };
  if (o.contacts) value.contacts = o.contacts.map((c) => ({ profile: { name: c.name ?? '' }, wa_id: c.waId }));
  if (o.messages) value.messages = o.messages;
  if (o.statuses) value.statuses = o.statuses;
  return value;
}

export type WaInboundType =
  | 'text' | 'image' | 'audio' | 'video' | 'document' | 'sticker' | 'location' | 'contacts'
  | 'reaction' | 'interactive' | 'button' | 'unsupported';

/** Meta's default error block on messages it cannot represent (type 'unsupported'). */
const UNSUPPORTED_ERRORS = [{
  code: 131051, title: 'Message type unknown', message: 'Message type unknown',
  error_data: { details: 'Message type is currently not supported.' },
}];

/**
 * One element of value.messages. The type-specific object goes under a key named like the type
 * (`text: {body}`, `image: {id, mime_type, sha256, caption?}`, `contacts: [...]`, ...).
 */
export function waMessage(o: {
  from: string; id?: string; timestamp?: number; type: WaInboundType; body?: object; context?: object; errors?: object[];
}): object {
  const msg: Record<string, unknown> = {
    from: o.from,
    id: o.id ?? newWamid(o.from),
    timestamp: asSeconds(o.timestamp),
    type: o.type,
  };
  if (o.context) msg.context = o.context;
  if (o.body !== undefined) msg[o.type] = o.body;
  if (o.errors) msg.errors = o.errors;
  else if (o.type === 'unsupported') msg.errors = UNSUPPORTED_ERRORS;
  return msg;
}

export function waText(from: string, text: string, o: { id?: string; timestamp?: number } = {}): object {
  return waMessage({ from, type: 'text', body: { body: text }, ...o });
}

/** The message a reply answers: `from` is the business's number, `id` the wamid of the message with the buttons. */
export interface WaReplyContext { id: string; from?: string }

const replyContext = (c: WaReplyContext | undefined): object | undefined =>
  c ? { from: c.from ?? '15550783881', id: c.id } : undefined;

/** The customer tapped a reply button: type 'interactive', interactive.button_reply {id, title}. */
export function waButtonReply(
  from: string, reply: { id: string; title: string }, context?: WaReplyContext, o: { id?: string; timestamp?: number } = {},
): object {
  const ctx = replyContext(context);
  return waMessage({
    from, type: 'interactive', body: { type: 'button_reply', button_reply: { id: reply.id, title: reply.title } }, ...(ctx ? { context: ctx } : {}), ...o,
  });
}

/** The customer chose a list row: type 'interactive', interactive.list_reply {id, title, description?}. */
export function waListReply(
  from: string, reply: { id: string; title: string; description?: string }, context?: WaReplyContext, o: { id?: string; timestamp?: number } = {},
): object {
  const ctx = replyContext(context);
  const row: Record<string, string> = { id: reply.id, title: reply.title };
  if (reply.description !== undefined) row.description = reply.description;
  return waMessage({ from, type: 'interactive', body: { type: 'list_reply', list_reply: row }, ...(ctx ? { context: ctx } : {}), ...o });
}

export function waStatus(o: {
  id: string; recipientId: string; status: 'sent' | 'delivered' | 'read' | 'failed'; timestamp?: number;
  errors?: Array<{ code: number; title: string; message?: string; error_data?: { details: string } }>;
  conversation?: object; pricing?: object;
  /** The send's biz_opaque_callback_data, which Meta echoes in every status of that message. */
  bizOpaqueCallbackData?: string;
}): object {
  const status: Record<string, unknown> = {
    id: o.id, status: o.status, timestamp: asSeconds(o.timestamp), recipient_id: o.recipientId,
  };
  if (o.bizOpaqueCallbackData !== undefined) status.biz_opaque_callback_data = o.bizOpaqueCallbackData;
  if (o.conversation) status.conversation = o.conversation;
  if (o.pricing) status.pricing = o.pricing;
  if (o.errors) {
    status.errors = o.errors.map((e) => ({
      code: e.code, title: e.title, message: e.message ?? e.title,
      ...(e.error_data ? { error_data: e.error_data } : {}),
      href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
    }));
  }
  return status;
}

/** A message the business sent from the WhatsApp Business app (coexistence); use with field 'smb_message_echoes'. */
export function waEchoValue(o: {
  phoneNumberId: string; displayPhoneNumber: string; to: string; text: string; id?: string; timestamp?: number;
}): object {
  return {
    messaging_product: 'whatsapp',
    metadata: { display_phone_number: o.displayPhoneNumber, phone_number_id: o.phoneNumberId },
    message_echoes: [{
      from: o.displayPhoneNumber, to: o.to, id: o.id ?? newWamid(o.to), timestamp: asSeconds(o.timestamp),
      type: 'text', text: { body: o.text },
    }],
  };
}

// ───────────────────────────── Instagram ─────────────────────────────

export function igEnvelope(entries: Array<{ accountId: string; time?: number; messaging: object[] }>): object {
  return {
    object: 'instagram',
    entry: entries.map((e) => ({ time: e.time ?? Date.now(), id: e.accountId, messaging: e.messaging })),
  };
}

export function igMessage(o: {
  accountId: string; senderId: string; mid?: string; text?: string;
  attachments?: Array<{ type: 'image' | 'video' | 'audio' | 'file'; url: string }>; timestamp?: number;
}): object {
  const message: Record<string, unknown> = { mid: o.mid ?? newIgMid() };
  if (o.text !== undefined) message.text = o.text;
  if (o.attachments) message.attachments = o.attachments.map((a) => ({ type: a.type, payload: { url: a.url } }));
  return { sender: { id: o.senderId }, recipient: { id: o.accountId }, timestamp: o.timestamp ?? Date.now(), message };
}

/**
 * The customer tapped a quick reply: a text message (the button's title) carrying quick_reply.payload,
 * as Instagram's quick-replies guide shows.
 */
export function igQuickReply(o: { accountId: string; senderId: string; title: string; payload: string; mid?: string; timestamp?: number }): object {
  return {
    sender: { id: o.senderId }, recipient: { id: o.accountId }, timestamp: o.timestamp ?? Date.now(),
    message: { mid: o.mid ?? newIgMid(), text: o.title, quick_reply: { payload: o.payload } },
  };
}

/** Instagram sends the business's own messages back (also those sent through the API) with is_echo. */
export function igEcho(o: { accountId: string; recipientId: string; mid?: string; text: string; timestamp?: number }): object {
  return {
    sender: { id: o.accountId }, recipient: { id: o.recipientId }, timestamp: o.timestamp ?? Date.now(),
    message: { mid: o.mid ?? newIgMid(), text: o.text, is_echo: true },
  };
}

/** messaging_seen: the customer read the business's message `mid`. */
export function igRead(o: { accountId: string; senderId: string; mid: string; timestamp?: number }): object {
  return { sender: { id: o.senderId }, recipient: { id: o.accountId }, timestamp: o.timestamp ?? Date.now(), read: { mid: o.mid } };
}

// ───────────────────────────── delivery ─────────────────────────────

const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 64 });

/**
 * POSTs a body to the appliance as Meta does. `signature`: a string replaces the computed header, null omits it.
 * `raw` sends exactly those bytes (the signature is still computed over them unless overridden).
 */
export async function postWebhook(
  url: string, body: unknown, appSecret: string, o: { signature?: string | null; raw?: string | Buffer } = {},
): Promise<{ status: number; text: string; ms: number }> {
  const bytes = o.raw !== undefined ? Buffer.from(o.raw) : Buffer.from(JSON.stringify(body));
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': bytes.length,
    'user-agent': 'facebookexternalua',
  };
  const signature = o.signature === undefined ? signBody(bytes, appSecret) : o.signature;
  if (signature !== null) headers['x-hub-signature-256'] = signature;

  const target = new URL(url);
  const lib = target.protocol === 'https:' ? https : http;
  const agent = target.protocol === 'https:' ? httpsAgent : httpAgent;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = lib.request(target, { method: 'POST', headers, agent, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({
        status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started,
      }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`webhook POST to ${url} timed out`)));
    req.on('error', reject);
    req.end(bytes);
  });
}
