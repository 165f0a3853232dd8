import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { openConnection } from '../messaging/connectionDirectory.js';
import { getMediaUrl, UrlRefused, type MediaUrlPolicy } from '../lib/mediaUrlPolicy.js';
import { graphCall } from '../messaging/graphClient.js';
import { removeMedia, storeMedia, type StoredMedia } from '../messaging/mediaStore.js';
import { pushMessageUpdate } from '../realtime/conversationEvents.js';
import { findConversation } from '../repositories/conversations.js';
import { findMessage, finishMediaDownload, type MessageRow } from '../repositories/messages.js';
import { enqueue } from '../queues/enqueue.js';

/**
 * Inbound attachments are fetched right away: Meta's media URLs expire (minutes for the download URL,
 * weeks for the media id) and Instagram's CDN links do too. Each failure has a stable code, shown to
 * the dashboard as the message's media error:
 * - media_too_large: over MEDIA_MAX_BYTES (advertised or while streaming) — not retried
 * - media_content_type_mismatch: the download is not the advertised type — not retried
 * - media_sha256_mismatch: the bytes are not the ones Meta hashed — retried (a corrupted transfer)
 * - media_download_failed: Meta or the CDN could not be reached or answered an error — retried
 * - media_unavailable: nothing to fetch (no media id or URL, connection removed) — not retried
 * - media_url_refused: an attachment URL off Meta's CDN hosts, not https, or resolving to a loopback or
 *   private address (lib/mediaUrlPolicy.ts states the rule) — not fetched, not retried
 */
export class MediaFailure extends Error {
  constructor(readonly code: string, message: string, readonly permanent: boolean) {
    super(message);
  }
}

/**
 * Downloads one message's media into the store and records the outcome. Throws a retryable failure
 * unless `finalAttempt`; on the final attempt (or a permanent failure) marks the media failed instead.
 */
export async function downloadMedia(deps: Deps, messageId: string, o: { finalAttempt: boolean }): Promise<'stored' | 'failed' | 'skipped'> {
  const message = await findMessage(deps.db, messageId);
  if (!message || message.media_status !== 'pending') return 'skipped';
  const log = deps.log.child({ messageId, connectionId: message.connection_id });
  let stored: StoredMedia & { mime: string | null };
  try {
    stored = await fetchIntoStore(deps, message);
  } catch (err) {
    const failure = asFailure(err);
    if (!failure.permanent && !o.finalAttempt) {
      log.warn({ code: failure.code, err: failure.message }, 'media download failed; will retry');
      throw failure;
    }
    const row = await finishMediaDownload(deps.db, messageId, { media_status: 'failed', media_error: failure.code });
    log.warn({ code: failure.code, err: failure.message }, 'media download failed for good');
    if (row) await push(deps, row);
    return 'failed';
  }
  const row = await finishMediaDownload(deps.db, messageId, {
    media_status: 'stored', media_path: stored.path, media_size: stored.size, media_mime: stored.mime, media_error: null,
  });
  if (!row) {
    removeMedia(deps.config.DATA_DIR, stored.path); // another job finished first
    return 'skipped';
  }
  log.info({ size: stored.size }, 'media stored');
  await push(deps, row);
  return 'stored';
}

async function push(deps: Deps, row: MessageRow): Promise<void> {
  const conversation = await findConversation(deps.db, row.conversation_id);
  if (conversation) await pushMessageUpdate(deps, conversation, row);
}

function asFailure(err: unknown): MediaFailure {
  if (err instanceof MediaFailure) return err;
  if (err instanceof AppError && err.code === 'media_too_large') return new MediaFailure('media_too_large', err.message, true);
  return new MediaFailure('media_download_failed', err instanceof Error ? err.message : String(err), false);
}

const baseType = (t: string | null | undefined): string | null => t?.split(';')[0]!.trim().toLowerCase() || null;

async function fetchIntoStore(deps: Deps, m: MessageRow): Promise<StoredMedia & { mime: string | null }> {
  const max = deps.config.MEDIA_MAX_BYTES;
  const connection = await openConnection(deps, m.connection_id);
  if (!connection) throw new MediaFailure('media_unavailable', 'the connection was removed', true);

  if (connection.row.channel === 'whatsapp') {
    if (!m.media_provider_id) throw new MediaFailure('media_unavailable', 'no media id', true);
    const token = connection.secrets.accessToken;
    // The media id gives a short-lived URL and what Meta knows of the file.
    const info = await graphCall<{ url?: string; mime_type?: string; sha256?: string; file_size?: number | string }>(
      deps.config, token, { method: 'GET', path: `/${encodeURIComponent(m.media_provider_id)}` },
    ).catch((err: Error) => { throw new MediaFailure('media_download_failed', `media lookup: ${err.message}`, false); });
    if (Number(info.file_size) > max) throw new MediaFailure('media_too_large', `Meta says ${info.file_size} bytes; the limit is ${max}`, true);
    if (!info.url) throw new MediaFailure('media_download_failed', 'Meta gave no download URL', false);
    const advertised = info.mime_type ?? m.media_mime;
    const res = await get(info.url, { authorization: `Bearer ${token}` }, max);
    const got = baseType(res.headers.get('content-type'));
    if (got && baseType(advertised) && got !== baseType(advertised)) {
      await res.body?.cancel().catch(() => {});
      throw new MediaFailure('media_content_type_mismatch', `download is ${got}, Meta said ${baseType(advertised)}`, true);
    }
    const stored = await storeMedia(deps.config.DATA_DIR, Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), max);
    // Meta's media endpoint gives the hash in hex; the webhook's may be base64: each must name these bytes.
    const hex = stored.sha256;
    const b64 = Buffer.from(hex, 'hex').toString('base64');
    for (const expected of [info.sha256, m.media_sha256]) {
      if (expected && expected.toLowerCase() !== hex && expected !== b64) {
        removeMedia(deps.config.DATA_DIR, stored.path);
        throw new MediaFailure('media_sha256_mismatch', 'the downloaded bytes do not match the hash Meta gave', false);
      }
    }
    return { ...stored, mime: advertised ?? got };
  }

  // Instagram: the attachment URL is a public, expiring CDN link; no token goes to it. It comes from the
  // webhook body, so it is fetched only under the media URL policy (Meta's CDN hosts, public addresses).
  const url = typeof m.payload?.url === 'string' ? m.payload.url : null;
  if (!url) throw new MediaFailure('media_unavailable', 'no attachment URL', true);
  const res = await getMediaUrl(url, mediaUrlPolicy(deps.config), { timeoutMs: 120_000 }).catch((err: Error) => {
    if (err instanceof UrlRefused) throw new MediaFailure('media_url_refused', err.message, true);
    throw new MediaFailure('media_download_failed', `download: ${err.message}`, false);
  });
  if (res.status < 200 || res.status >= 300) {
    res.body.resume();
    throw new MediaFailure('media_download_failed', `download answered HTTP ${res.status}`, false);
  }
  if (Number(res.headers['content-length']) > max) {
    res.body.destroy();
    throw new MediaFailure('media_too_large', `download is ${res.headers['content-length']} bytes; the limit is ${max}`, true);
  }
  const stored = await storeMedia(deps.config.DATA_DIR, res.body, max);
  return { ...stored, mime: baseType(res.headers['content-type']) ?? m.media_mime };
}

function mediaUrlPolicy(config: Deps['config']): MediaUrlPolicy {
  return { hosts: config.MEDIA_URL_HOSTS, trustedOrigin: new URL(config.META_GRAPH_URL).origin };
}

/** GET that refuses errors and a declared size over `max` before reading the body. */
async function get(url: string, headers: Record<string, string>, max: number): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, { headers, redirect: 'follow', signal: AbortSignal.timeout(120_000) });
  } catch (err) {
    throw new MediaFailure('media_download_failed', `download: ${(err as Error).message}`, false);
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel().catch(() => {});
    throw new MediaFailure('media_download_failed', `download answered HTTP ${res.status}`, false);
  }
  if (Number(res.headers.get('content-length')) > max) {
    await res.body.cancel().catch(() => {});
    throw new MediaFailure('media_too_large', `download is ${res.headers.get('content-length')} bytes; the limit is ${max}`, true);
  }
  return res;
}

/** Queues the download of a message's media (attempts: queues/jobKinds.ts); the sweeper re-queues lost ones. */
export function enqueueMediaDownload(deps: Deps, messageId: string): void {
  enqueue(deps, 'media', { messageId })
    .catch((err: Error) => deps.log.warn({ messageId, err: err.message }, 'media job not queued; the sweeper will retry'));
}
