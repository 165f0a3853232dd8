import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Middleware } from 'koa';
import type { Logger } from 'pino';

/** The repository (or image) root: web-dist/ and node_modules/ sit beside server/. */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const WEB_DIST = path.join(ROOT, 'web-dist');

/**
 * The few browser modules the dashboard imports by bare name (web-dist/index.html's import map points
 * here). Named one by one: the server never exposes node_modules as a folder.
 */
const VENDOR: Record<string, string> = {
  'preact.mjs': 'preact/dist/preact.mjs',
  'preact-hooks.mjs': 'preact/hooks/dist/hooks.mjs',
  'htm.mjs': 'htm/dist/htm.mjs',
  'htm-preact.mjs': 'htm/preact/index.mjs',
  'signals.mjs': '@preact/signals/dist/signals.mjs',
  'signals-core.mjs': '@preact/signals-core/dist/signals-core.mjs',
  'socket.io.mjs': 'socket.io/client-dist/socket.io.esm.min.js',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.woff2': 'font/woff2',
};

/** Paths the API and the other routers own: never answered with the dashboard. */
const NOT_DASHBOARD = /^\/(api|webhooks|public-media|socket\.io|health|ready|metrics)(\/|$)/;

/**
 * The Content-Security-Policy of every dashboard page: scripts only from here (plus the inline import
 * map, by its hash), no inline styles or event handlers, nothing framed. Message text is rendered as text
 * anyway; this is the second wall if that ever slips.
 */
function contentSecurityPolicy(indexHtml: string): string {
  const importMap = /<script type="importmap">([\s\S]*?)<\/script>/.exec(indexHtml)?.[1] ?? '';
  const hash = crypto.createHash('sha256').update(importMap).digest('base64');
  return [
    "default-src 'self'",
    `script-src 'self' 'sha256-${hash}'`,
    "style-src 'self'",
    "img-src 'self' blob: data:",
    "media-src 'self' blob:",
    "connect-src 'self' ws: wss:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

interface StaticFile { file: string; type: string }

function resolveFile(urlPath: string): StaticFile | null {
  if (urlPath.startsWith('/vendor/')) {
    const rel = VENDOR[urlPath.slice('/vendor/'.length)];
    return rel ? { file: path.join(ROOT, 'node_modules', rel), type: TYPES['.mjs']! } : null;
  }
  let decoded: string;
  try { decoded = decodeURIComponent(urlPath); } catch { return null; }
  const file = path.resolve(WEB_DIST, `.${decoded}`);
  // No way out of web-dist (`..`, encoded or not), and no dotfiles or the tsconfig/README beside the app.
  const rel = path.relative(WEB_DIST, file);
  if (rel.startsWith('..') || path.isAbsolute(rel) || /(^|\/)\.|^(tsconfig\.json|README\.md)$/.test(rel)) return null;
  const type = TYPES[path.extname(file)];
  return type ? { file, type } : null;
}

/**
 * Serves web-dist as it is, plus the vendored browser modules. Any other GET for a page (no file
 * extension, outside the API's paths) gets index.html, so /inbox/<id> can be reloaded or bookmarked.
 * Files are revalidated on every load (ETag): there is no build step to fingerprint names.
 */
export function dashboard(log: Logger): Middleware {
  const indexPath = path.join(WEB_DIST, 'index.html');
  let indexHtml: string;
  try {
    indexHtml = fs.readFileSync(indexPath, 'utf8');
  } catch (err) {
    // The API and webhooks must keep working in a release shipped without its dashboard.
    log.error({ err, path: indexPath }, 'the dashboard (web-dist) is missing: only the API is served');
    return (_ctx, next) => next();
  }
  const csp = contentSecurityPolicy(indexHtml);
  return async (ctx, next) => {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || NOT_DASHBOARD.test(ctx.path)) return next();
    const page = !path.extname(ctx.path);
    const found = page ? { file: indexPath, type: TYPES['.html']! } : resolveFile(ctx.path);
    if (!found) return next();
    let stat: fs.Stats;
    try {
      stat = await fs.promises.stat(found.file);
      if (!stat.isFile()) return next();
    } catch {
      return next();
    }
    const etag = `"${stat.size.toString(36)}-${stat.mtimeMs.toString(36)}"`;
    ctx.set('ETag', etag);
    ctx.set('Cache-Control', 'no-cache');
    ctx.set('X-Content-Type-Options', 'nosniff');
    if (found.type.startsWith('text/html')) {
      ctx.set('Content-Security-Policy', csp);
      ctx.set('Referrer-Policy', 'same-origin');
      ctx.set('X-Frame-Options', 'DENY');
    }
    if (ctx.get('if-none-match') === etag) {
      ctx.status = 304;
      return;
    }
    ctx.type = found.type;
    ctx.body = ctx.method === 'HEAD' ? '' : fs.createReadStream(found.file);
    ctx.length = stat.size;
  };
}
