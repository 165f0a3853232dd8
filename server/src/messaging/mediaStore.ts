import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../errors.js';

/**
 * The appliance's media files, under DATA_DIR/media (a volume in production, not in database dumps).
 * Files are named by a random id, written to a temporary name and renamed when complete, so a crash
 * never leaves a half file under a real name. The database keeps the relative path.
 */
export interface StoredMedia {
  /** Relative to the media root; what messages.media_path holds. */
  path: string;
  size: number;
  sha256: string;
}

export const mediaTooLarge = (limit: number) =>
  new AppError(413, 'media_too_large', `the media file is larger than ${limit} bytes`, { limit });

export function mediaRoot(dataDir: string): string {
  return path.join(dataDir, 'media');
}

/** Streams bytes into the store, hashing as it goes; over `maxBytes` it stops and keeps nothing. */
export async function storeMedia(dataDir: string, source: NodeJS.ReadableStream | AsyncIterable<Uint8Array>, maxBytes: number): Promise<StoredMedia> {
  const id = crypto.randomUUID();
  const rel = path.join(id.slice(0, 2), id);
  const final = path.join(mediaRoot(dataDir), rel);
  const temp = `${final}.part`;
  fs.mkdirSync(path.dirname(final), { recursive: true, mode: 0o750 });
  const hash = crypto.createHash('sha256');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > maxBytes) return done(mediaTooLarge(maxBytes));
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(source, meter, fs.createWriteStream(temp, { mode: 0o640 }));
    fs.renameSync(temp, final);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw err;
  }
  return { path: rel, size, sha256: hash.digest('hex') };
}

/** The absolute path of a stored file; refuses anything that would leave the media root. */
export function mediaFile(dataDir: string, rel: string): string {
  const root = mediaRoot(dataDir);
  const abs = path.resolve(root, rel);
  if (!abs.startsWith(root + path.sep)) throw new AppError(400, 'bad_media_path', 'not a media path');
  return abs;
}

export function removeMedia(dataDir: string, rel: string): void {
  fs.rmSync(mediaFile(dataDir, rel), { force: true });
}
