import Router from '@koa/router';
import type { Context } from 'koa';
import type { Deps } from '../../deps.js';
import { changeOwnPassword, login, logout, type NewSession } from '../../commands/sessions.js';
import { parse } from '#kit/http/validate.js';
import { requireSession, SESSION_COOKIE } from '../../middlewares/session.js';
import { presentUser } from '../../presenters/user.js';
import { findUser } from '../../repositories/users.js';
import { ChangePassword, Login } from './schema.js';

function setSessionCookie(ctx: Context, deps: Deps, session: NewSession | null): void {
  const secure = deps.config.PUBLIC_URL.startsWith('https:') ? '; Secure' : '';
  const value = session
    ? `${SESSION_COOKIE}=${session.token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${Math.floor((session.expiresAt.getTime() - deps.now().getTime()) / 1000)}${secure}`
    : `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${secure}`;
  ctx.append('Set-Cookie', value);
}

export function authRoutes(deps: Deps, router: Router): void {
  router.post('/auth/login', async (ctx) => {
    const input = parse(Login, ctx.state.body);
    const { session, user } = await login(deps, { ...input, ip: ctx.state.ip, userAgent: ctx.get('user-agent') });
    setSessionCookie(ctx, deps, session);
    ctx.set('Cache-Control', 'no-store');
    // The token travels only in the HttpOnly cookie, out of reach of page scripts.
    ctx.body = { user: presentUser((await findUser(deps.db, user.id))!), expiresAt: session.expiresAt.toISOString() };
  });

  router.post('/auth/logout', requireSession(deps), async (ctx) => {
    await logout(deps, ctx.state.sessionId!);
    setSessionCookie(ctx, deps, null);
    ctx.status = 204;
  });

  router.get('/auth/me', requireSession(deps), async (ctx) => {
    ctx.body = { user: presentUser((await findUser(deps.db, ctx.state.user!.id))!) };
  });

  router.post('/auth/password', requireSession(deps), async (ctx) => {
    const input = parse(ChangePassword, ctx.state.body);
    const session = await changeOwnPassword(deps, { userId: ctx.state.user!.id, ...input, ip: ctx.state.ip, userAgent: ctx.get('user-agent') });
    setSessionCookie(ctx, deps, session);
    ctx.body = { expiresAt: session.expiresAt.toISOString() };
  });
}
