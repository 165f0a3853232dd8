import type Router from '@koa/router';
import { PassThrough } from 'node:stream';
import { parse } from '#kit/http/validate.js';
import type { Deps } from '../../deps.js';
import { AppError, validationFailed } from '../../errors.js';
import { mediaTooLarge, removeMedia, storeMedia } from '../../messaging/mediaStore.js';
import { bareMime, mediaMaxBytes, mediaTypeOfMime } from '../../messaging/whatsappSend.js';
import { assertWritable } from '../../policies/license.js';
import { insertAudit } from '../../repositories/audit.js';
import { insertUpload } from '../../repositories/uploads.js';
import { UploadQuery } from './schema.js';

export const unsupportedUploadType = (mime: string) =>
  new AppError(415, 'unsupported_media_type',
    `WhatsApp does not take ${mime || 'files without a Content-Type'}: send JPEG or PNG images, WebP stickers, AAC/MP4/MPEG/AMR/OGG audio, MP4/3GPP video, or PDF, Office and text documents`,
    { mimeType: mime });

/** Names are shown to people and sent to Meta as document names: no paths, no control characters. */
function cleanFilename(name: string | undefined): string | null {
  const base = name?.split(/[\\/]/).pop()?.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return base ? base.slice(0, 255) : null;
}

export function uploadRoutes(deps: Deps, router: Router): void {
  /**
   * The body is the file itself, with its Content-Type. Checked against WhatsApp's media rules by type
   * and size before a byte is stored; answered with the id a send refers to.
   */
  router.post('/uploads', async (ctx) => {
    assertWritable(await deps.license.snapshot());
    const { filename } = parse(UploadQuery, ctx.query, 'query');
    const mime = bareMime(ctx.get('content-type'));
    const type = mediaTypeOfMime(mime);
    if (!type) {
      ctx.set('Connection', 'close');
      throw unsupportedUploadType(mime);
    }
    const limit = Math.min(mediaMaxBytes(type), deps.config.MEDIA_MAX_BYTES);
    if (Number(ctx.get('content-length') || 0) > limit) {
      ctx.set('Connection', 'close'); // the rest of the body is not read
      throw mediaTooLarge(limit);
    }
    // Through a pass-through: a refusal mid-stream stops storing without destroying the request, so the
    // client still gets its 413.
    const body = new PassThrough();
    ctx.req.pipe(body);
    let stored;
    try {
      stored = await storeMedia(deps.config.DATA_DIR, body, limit);
    } catch (err) {
      ctx.req.unpipe(body);
      ctx.req.resume();
      ctx.set('Connection', 'close');
      throw err;
    }
    if (stored.size === 0) {
      removeMedia(deps.config.DATA_DIR, stored.path);
      throw validationFailed('body: the file is empty');
    }
    const actor = ctx.state.user!;
    const row = await deps.db.transaction(async (trx) => {
      const upload = await insertUpload(trx, {
        uploader_user_id: actor.id, path: stored.path, mime, size: stored.size, sha256: stored.sha256, filename: cleanFilename(filename),
      });
      await insertAudit(trx, { actorUserId: actor.id, action: 'upload.create', subjectType: 'upload', subjectId: upload.id, ip: ctx.state.ip, detail: { mime, size: stored.size } });
      return upload;
    });
    ctx.status = 201;
    ctx.body = { id: row.id, type, mimeType: row.mime, size: Number(row.size), filename: row.filename };
  });
}
