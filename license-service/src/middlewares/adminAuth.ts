import crypto from 'node:crypto';
import type { Middleware } from 'koa';
import type { Deps } from '../deps.js';
import { tooManyAttempts, unauthorized } from '../errors.js';
import { insertAudit } from '../repositories/audit.js';

/**
 * Admin routes need `Authorization: Bearer <token>`. Tokens are configured as SHA-256 hashes; the
 * presented token is hashed and compared with every configured hash in constant time. Failures are
 * counted per IP (and audited), so guessing is throttled.
 */
export function adminAuth(deps: Pick<Deps, 'config' | 'attempts' | 'db' | 'log'>): Middleware {
  const hashes = deps.config.ADMIN_TOKENS.map((t) => ({ name: t.name, hash: Buffer.from(t.hash, 'hex') }));
  return async (ctx, next) => {
    const ip = ctx.state.ip;
    const subject = { key: `admin-ip:${ip}`, limit: deps.config.GUESS_LIMIT_PER_IP };
    const wait = await deps.attempts.blockedFor([subject]);
    if (wait > 0) throw tooManyAttempts(wait);
    const m = /^Bearer ([\x21-\x7e]{16,200})$/.exec(ctx.get('authorization'));
    let match: string | null = null;
    if (m) {
      const presented = crypto.createHash('sha256').update(m[1]!).digest();
      for (const h of hashes) if (crypto.timingSafeEqual(presented, h.hash)) match = h.name;
    }
    if (!match) {
      await deps.attempts.recordFailure([subject.key]);
      await insertAudit(deps.db, {
        kind: 'security', action: 'security.admin_auth_failed', actor: 'anonymous', ip,
        detail: { path: ctx.path, method: ctx.method, tokenPresented: !!m },
      }).catch((err) => deps.log.error({ err }, 'could not audit admin auth failure'));
      throw unauthorized('a valid admin bearer token is required');
    }
    ctx.state.admin = { name: match };
    return next();
  };
}

declare module 'koa' {
  interface DefaultState {
    admin?: { name: string };
  }
}
