import fs from 'node:fs';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { parse } from '#kit/http/validate.js';
import type { Deps } from '../../deps.js';
import { AppError } from '../../errors.js';
import { mediaFile } from '../../messaging/mediaStore.js';
import { authorizeSee } from '../../policies/conversations.js';
import { findConversation } from '../../repositories/conversations.js';
import { findMessage, type MessageRow } from '../../repositories/messages.js';
import { mediaLinkValid } from '../../lib/mediaLink.js';
import { MessageIdParam } from './schema.js';

const mediaNotAvailable = () => new AppError(404, 'media_not_available', 'this message has no stored media (yet)');

/** Types a browser may show in the page; anything else (HTML, SVG, PDFs…) is offered as a download. */
const INLINE = /^(image\/(jpeg|png|gif|webp)|audio\/[\w.+-]+|video\/[\w.+-]+)$/;
const SAFE_TYPE = /^[\w.+-]+\/[\w.+-]+$/;

/**
 * GET /api/messages/:id/media — a message's stored attachment, to whoever may see its conversation (the
 * same 404 for others as for a message that does not exist). Customer-sent bytes are served so that a
 * browser never runs them: nosniff, a sandboxing CSP, and `attachment` unless the type is plain media.
 */
export function mediaRoutes(deps: Deps, router: Router): void {
  router.get('/messages/:id/media', async (ctx) => {
    const message = await findMessage(deps.db, parse(MessageIdParam, ctx.params.id, 'id'));
    const conversation = message ? await findConversation(deps.db, message.conversation_id) : undefined;
    authorizeSee(ctx.state.user!, conversation);
    await sendStoredMedia(deps, ctx, message);
    ctx.set('Cache-Control', 'private, max-age=3600');
  });
}

/**
 * GET /public-media/:id?exp&sig — an OUTBOUND attachment for Meta to fetch (Instagram takes attachments
 * only by URL), with a signed, expiring link the send worker made (lib/mediaLink.ts). No session: the
 * signature is the permission. Customers' media is never served here.
 */
export function publicMediaRoutes(deps: Deps, router: Router): void {
  router.get('/public-media/:id', async (ctx) => {
    const id = parse(MessageIdParam, ctx.params.id, 'id');
    const key = deps.config.ENCRYPTION_KEY;
    if (!key || !mediaLinkValid(key, id, String(ctx.query.exp ?? ''), String(ctx.query.sig ?? ''), deps.now())) {
      throw new AppError(403, 'media_link_invalid', 'this media link is invalid or has expired');
    }
    const message = await findMessage(deps.db, id);
    if (!message || message.direction !== 'out') throw mediaNotAvailable();
    await sendStoredMedia(deps, ctx, message);
    ctx.set('Cache-Control', 'no-store');
  });
}

async function sendStoredMedia(deps: Deps, ctx: Context, message: MessageRow | undefined): Promise<void> {
  if (!message || message.media_status !== 'stored' || !message.media_path) throw mediaNotAvailable();
  const file = mediaFile(deps.config.DATA_DIR, message.media_path);
  let size: number;
  try {
    size = (await fs.promises.stat(file)).size;
  } catch {
    ctx.state.log.error({ messageId: message.id }, 'stored media file is missing');
    throw mediaNotAvailable();
  }
  const mime = (message.media_mime ?? '').split(';')[0]!.trim().toLowerCase();
  const type = SAFE_TYPE.test(mime) ? mime : 'application/octet-stream';
  const name = message.media_filename ?? `${message.type}-${message.id.slice(0, 8)}${extensionOf(type)}`;
  ctx.set('Content-Type', type);
  ctx.set('Content-Length', String(size));
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Content-Security-Policy', "default-src 'none'; sandbox");
  ctx.set('Content-Disposition', `${INLINE.test(type) ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeRFC5987(name)}`);
  ctx.body = fs.createReadStream(file);
}

function encodeRFC5987(s: string): string {
  return encodeURIComponent(s.replace(/[\r\n"]/g, '_')).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': '.jpg', 'image/png': '.png', 'image/webp': '.webp', 'image/gif': '.gif', 'audio/ogg': '.ogg',
  'audio/mpeg': '.mp3', 'audio/mp4': '.m4a', 'audio/aac': '.aac', 'video/mp4': '.mp4', 'video/3gpp': '.3gp',
  'application/pdf': '.pdf',
};
const extensionOf = (type: string) => EXTENSIONS[type] ?? '';
