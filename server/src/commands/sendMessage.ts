import type { Knex } from 'knex';
import type { Deps } from '../deps.js';
import { AppError, conflict, notFound } from '../errors.js';
import { renderInteractive } from '../messaging/interactiveMessage.js';
import { mimeFitsType, mediaMaxBytes, type WhatsAppMediaType } from '../messaging/whatsappSend.js';
import { authorizeSee } from '../policies/conversations.js';
import { assertWritable } from '../policies/license.js';
import type { Actor } from '../policies/roles.js';
import { assertFreeFormWindow, isHumanAgentSend } from '../policies/serviceWindow.js';
import { pushNewMessages } from '../realtime/conversationEvents.js';
import { insertAudits } from '../repositories/audit.js';
import crypto from 'node:crypto';
import { findConnection, type ConnectionRow } from '../repositories/connections.js';
import { findConversation, findConversationView, noteMessages, type ConversationView } from '../repositories/conversations.js';
import { findMessageByClientId, insertOutboundMessages, type MessageRow, type NewMessage } from '../repositories/messages.js';
import { findQuickReply } from '../repositories/quickReplies.js';
import { findUpload } from '../repositories/uploads.js';
import type { SendMessageInput, TemplateInput } from '../routes/outbound/schema.js';
import { enqueueMany } from '../queues/enqueue.js';
import { headerUploadId, templateHeaderType } from '../templates/templateParams.js';
import { storedTemplateContent } from '../templates/templateSend.js';

export type OutboundContent =
  | { type: 'text'; text: string }
  | { type: WhatsAppMediaType; uploadId: string; caption?: string }
  /** `text`: what the customer reads (templates/templateParams.ts renderTemplateText), kept as the message's body. */
  | { type: 'template'; template: TemplateInput; text?: string }
  /** Bots only: a text with choices, sent as reply buttons (1-3) or a list (4-10) on WhatsApp, quick replies on Instagram. */
  | { type: 'interactive'; text: string; options: { id: string; title: string; description?: string }[]; buttonLabel?: string; header?: string; footer?: string };

export type QueueOutboundInput = OutboundContent & {
  conversationId: string;
  origin: 'agent' | 'bot' | 'campaign';
  /** The attendant who sends (origin agent); null for bots and campaigns. */
  senderUserId?: string | null;
  /** Idempotency key: a second call with it returns the first message instead of sending again. */
  clientId?: string | null;
  ip?: string | null;
  /** When it was written (default now): a bot step's messages are a millisecond apart, so they keep their order. */
  at?: Date;
};

export { outsideServiceWindow } from '../policies/serviceWindow.js';
export const templateNotSupported = () =>
  new AppError(400, 'template_not_supported', 'Instagram conversations do not support message templates');
export const mediaNotSupportedOnInstagram = () =>
  new AppError(400, 'media_not_supported_on_instagram', 'Instagram does not take stickers: send an image, video, audio or document');
export const mediaTypeMismatch = (mime: string, type: string) =>
  new AppError(400, 'media_type_mismatch', `a ${mime} file cannot be sent as ${type}`, { mime, type });
const INSTAGRAM_TEXT_MAX_BYTES = 1000;

const LABELS: Record<string, string> = { image: 'Imagem', audio: 'Áudio', video: 'Vídeo', document: 'Documento', sticker: 'Figurinha' };

/**
 * The one way a message to a customer is queued — attendants (the route), bots and campaigns alike:
 * checks the license, the connection, the channel and the 24-hour window, stores the message as
 * `queued`, and hands it to the send worker, which enforces the plan quota and Meta's limits at the
 * moment of sending. A repeated clientId answers the message stored the first time (created: false).
 */
export async function queueOutboundMessage(deps: Deps, o: QueueOutboundInput): Promise<{ message: MessageRow; created: boolean }> {
  if (o.clientId) {
    const seen = await findMessageByClientId(deps.db, o.conversationId, o.clientId);
    if (seen) return { message: seen, created: false };
  }
  const prepared = await prepareOutbound(deps, deps.db, o);
  const message = await deps.db.transaction((trx) => storeOutbound(trx, prepared));
  if (!message) return { message: (await findMessageByClientId(deps.db, o.conversationId, o.clientId!))!, created: false };
  await announceOutbound(deps, message);
  return { message, created: true };
}

/**
 * The same inside a caller's transaction (the bot stores its messages with its session's step, so a
 * turn run twice sends nothing twice). After the commit the caller announces each created message.
 */
export async function queueOutboundInTransaction(deps: Deps, trx: Knex.Transaction, o: QueueOutboundInput): Promise<{ message: MessageRow; created: boolean }> {
  if (o.clientId) {
    const seen = await findMessageByClientId(trx, o.conversationId, o.clientId);
    if (seen) return { message: seen, created: false };
  }
  const message = await storeOutbound(trx, await prepareOutbound(deps, trx, o));
  if (!message) throw conflict('duplicate_client_id', 'this message was queued by someone else at the same moment');
  return { message, created: true };
}

/** After commit: dashboards hear of the message, then the send worker gets it. */
export async function announceOutbound(deps: Deps, message: MessageRow): Promise<void> {
  await announceOutboundMany(deps, [message]);
}

/** The same for a batch (a bot's timers firing together): one read of their conversations for the dashboards. */
export async function announceOutboundMany(deps: Deps, messages: MessageRow[]): Promise<void> {
  // Pushed before the jobs exist, so no dashboard hears of a send's outcome before the message itself.
  await pushNewMessages(deps, messages);
  // Stored as queued: the worker's sweeper finds a message whose job was not queued.
  for (const { messageId } of await enqueueMany(deps, 'send', messages.map((m) => ({ messageId: m.id })))) {
    deps.log.warn({ messageId }, 'send job not enqueued; the sweeper will pick the message up');
  }
}

export interface PreparedOutbound { row: NewMessage; preview: string; o: QueueOutboundInput }

/**
 * The checks and the row, before anything is written. A caller that read the conversation and its
 * connection in this transaction already (the bot, for a batch of turns) passes them in `known`.
 */
export async function prepareOutbound(
  deps: Deps, db: Knex, o: QueueOutboundInput, known?: { view: ConversationView; connection: ConnectionRow | null },
): Promise<PreparedOutbound> {
  const snap = await deps.license.snapshot();
  assertWritable(snap);
  const conv = known?.view ?? await findConversationView(db, o.conversationId);
  if (!conv) throw notFound('conversation');
  const connection = known ? known.connection : await findConnection(db, conv.connection_id);
  if (!connection) throw conflict('connection_removed', 'the connection of this conversation was removed: nothing can be sent through it');

  // The dashboard's composer offers no menus: choices are a bot's way of asking.
  if (o.type === 'interactive' && o.origin === 'agent') throw new AppError(400, 'validation_failed', 'type: interactive messages are sent by bots only');
  if (conv.channel === 'instagram') {
    if (o.type === 'template') throw templateNotSupported();
    if (o.type === 'sticker') throw mediaNotSupportedOnInstagram();
    if ((o.type === 'text' || o.type === 'interactive') && Buffer.byteLength(o.text) > INSTAGRAM_TEXT_MAX_BYTES) {
      throw new AppError(400, 'validation_failed', `text: Instagram takes at most ${INSTAGRAM_TEXT_MAX_BYTES} bytes`);
    }
  }
  // Meta takes free-form messages only within its window (24 hours; an Instagram attendant's reply 7 days).
  if (o.type !== 'template') assertFreeFormWindow(conv.channel, isHumanAgentSend(o), conv.last_inbound_at, snap.now);

  const row: NewMessage = {
    conversation_id: conv.id,
    connection_id: conv.connection_id,
    direction: 'out',
    origin: o.origin,
    sender_user_id: o.senderUserId ?? null,
    client_id: o.clientId ?? null,
    status: 'queued',
    at: o.at ?? deps.now(),
    type: o.type,
  };
  let preview: string;
  if (o.type === 'text') {
    row.body = o.text;
    preview = o.text;
  } else if (o.type === 'interactive') {
    row.body = o.text;
    row.payload = { interactive: renderInteractive(conv.channel === 'instagram' ? 'instagram' : 'whatsapp', o) };
    preview = o.text;
  } else if (o.type === 'template') {
    const language = typeof o.template.language === 'string' ? { code: o.template.language } : o.template.language;
    row.payload = { template: { name: o.template.name, language, ...(o.template.components ? { components: o.template.components } : {}) } };
    preview = `[Modelo: ${o.template.name}]`;
    if (o.text?.trim()) {
      row.body = o.text;
      preview = o.text;
    }
    // A media header from an upload: the send worker uploads the file to Meta and puts its media id in.
    const uploadId = headerUploadId(o.template);
    if (uploadId) Object.assign(row, await uploadedMedia(db, o, uploadId, templateHeaderType(o.template) ?? 'document'));
  } else {
    const { upload, media } = await uploadedMediaOf(db, o, o.uploadId, o.type);
    Object.assign(row, { body: o.caption?.trim() ? o.caption : null, ...media });
    preview = o.caption?.trim() ? o.caption : `[${LABELS[o.type]}${o.type === 'document' && upload.filename ? `: ${upload.filename}` : ''}]`;
  }
  return { row, preview, o };
}

/** An upload the sender may send as `type`, as the message row's media columns. */
async function uploadedMediaOf(db: Knex, o: QueueOutboundInput, uploadId: string, type: WhatsAppMediaType) {
  const upload = await findUpload(db, uploadId);
  // Someone else's upload is not confirmed to exist; bots and campaigns use the admins' files.
  if (!upload || (o.origin === 'agent' && upload.uploader_user_id !== (o.senderUserId ?? null))) throw notFound('upload');
  if (!mimeFitsType(upload.mime, type)) throw mediaTypeMismatch(upload.mime, type);
  if (Number(upload.size) > mediaMaxBytes(type)) {
    throw new AppError(413, 'media_too_large', `WhatsApp takes ${type} files up to ${mediaMaxBytes(type)} bytes`, { limit: mediaMaxBytes(type) });
  }
  return {
    upload,
    media: {
      media_path: upload.path, media_mime: upload.mime, media_size: upload.size, media_sha256: upload.sha256,
      media_filename: upload.filename, media_status: 'stored' as const,
    },
  };
}

async function uploadedMedia(db: Knex, o: QueueOutboundInput, uploadId: string, type: WhatsAppMediaType) {
  return (await uploadedMediaOf(db, o, uploadId, type)).media;
}

/** Inserts the message and notes it on the conversation; null when the same clientId won a race with us. */
async function storeOutbound(trx: Knex.Transaction, prepared: PreparedOutbound): Promise<MessageRow | null> {
  return (await storeOutboundMany(trx, [prepared]))[0] ?? null;
}

/**
 * Inserts prepared messages, notes them on their conversations and audits them, three statements for
 * any number; returns the ones created, in order (a clientId stored already is skipped, not an error).
 */
export async function storeOutboundMany(trx: Knex.Transaction, prepared: PreparedOutbound[]): Promise<MessageRow[]> {
  if (!prepared.length) return [];
  // Ids chosen here, so each inserted row is matched to what it was prepared from.
  const withIds = prepared.map((p) => ({ ...p, row: { ...p.row, id: crypto.randomUUID() } }));
  const inserted = new Map((await insertOutboundMessages(trx, withIds.map((p) => p.row))).map((m) => [m.id, m]));
  const created = withIds.filter((p) => inserted.has(p.row.id));
  // One note per conversation: its newest message (an UPDATE … FROM VALUES takes one row per conversation).
  const newest = new Map<string, { at: Date; preview: string }>();
  for (const { row, preview } of created) {
    const seen = newest.get(row.conversation_id);
    if (!seen || row.at.getTime() >= seen.at.getTime()) newest.set(row.conversation_id, { at: row.at, preview: preview.slice(0, 200) });
  }
  await noteMessages(trx, [...newest].map(([id, n]) => ({ id, at: n.at, preview: n.preview, inbound: 0, inboundAt: null })));
  await insertAudits(trx, created.map(({ row, o }) => ({
    actorUserId: o.senderUserId ?? null, action: 'message.send', subjectType: 'message', subjectId: row.id, ip: o.ip ?? null,
    detail: { conversationId: row.conversation_id, type: o.type, origin: o.origin, ...(o.type === 'template' ? { template: o.template.name } : {}) },
  })));
  return created.map((p) => inserted.get(p.row.id)!);
}

/** An attendant sends in a conversation they see (404 otherwise); quick replies are sent as their text. */
export async function sendMessage(deps: Deps, actor: Actor, conversationId: string, input: SendMessageInput, ip: string) {
  const conversation = await findConversation(deps.db, conversationId);
  authorizeSee(actor, conversation);
  let content: OutboundContent;
  if ('templateId' in input) {
    content = await storedTemplateContent(deps.db, conversation!.connection_id, input.templateId, input.params);
  } else if ('quickReplyId' in input) {
    const reply = await findQuickReply(deps.db, input.quickReplyId);
    if (!reply) throw notFound('quick reply');
    content = { type: 'text', text: reply.text };
  } else {
    const { clientId: _ignored, ...rest } = input;
    content = rest;
  }
  return queueOutboundMessage(deps, { ...content, conversationId, origin: 'agent', senderUserId: actor.id, clientId: input.clientId ?? null, ip });
}
