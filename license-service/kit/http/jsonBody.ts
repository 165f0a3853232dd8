import type { Middleware } from 'koa';
import { bodyTooDeep, bodyTooLarge, malformedJson, unsupportedMediaType } from '../errors.js';
import { cleanJson } from '../text.js';

/** Deepest nesting an API body may have; deeper is refused (400 body_too_deep), not cut silently. */
export const MAX_BODY_DEPTH = 64;

/**
 * Reads a JSON body up to `limit` bytes, keeping the exact bytes (signatures are over them) in
 * ctx.state.rawBody and the parsed value in ctx.state.body. Oversize bodies are refused as soon as the
 * declared length or the bytes read pass the limit, without buffering the rest.
 *
 * The parsed value is cleaned by kit/text.ts (the one rule for outside text: NUL removed, unpaired
 * surrogates replaced, in every string and key) so no handler ever hands PostgreSQL text it refuses;
 * a body nested deeper than MAX_BODY_DEPTH is refused. rawBody stays the exact bytes.
 */
export function jsonBody(limit: number): Middleware {
  return async (ctx, next) => {
    if (ctx.method === 'GET' || ctx.method === 'HEAD' || ctx.method === 'DELETE') return next();
    const declared = Number(ctx.get('content-length') || 0);
    if (declared > limit) throw bodyTooLarge(limit);
    if (declared === 0 && !ctx.get('transfer-encoding')) {
      ctx.state.rawBody = Buffer.alloc(0);
      ctx.state.body = {};
      return next();
    }
    if (!ctx.is('application/json')) throw unsupportedMediaType();
    const raw = await readLimited(ctx.req, limit);
    ctx.state.rawBody = raw;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      throw malformedJson();
    }
    const cleaned = cleanJson(parsed, { maxDepth: MAX_BODY_DEPTH });
    if (cleaned.cut) throw bodyTooDeep(MAX_BODY_DEPTH);
    ctx.state.body = cleaned.value;
    return next();
  };
}

/** Reads a stream up to `limit` bytes; past it, rejects with body_too_large and discards the rest. */
export function readLimited(stream: NodeJS.ReadableStream, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        stream.resume(); // drain and discard the rest so the connection can answer
        reject(bodyTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => { cleanup(); resolve(Buffer.concat(chunks)); };
    const onError = (err: Error) => { cleanup(); reject(err); };
    const cleanup = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
  });
}
