import type { Middleware } from 'koa';
import type { Deps } from '../deps.js';
import { sessionRequired } from '../errors.js';
import { hashToken } from '../commands/sessions.js';
import type { Actor } from '../policies/roles.js';
import { findLiveSession, touchSession, type SessionUser } from '../repositories/sessions.js';

export const SESSION_COOKIE = 'atendo_session';

declare module 'koa' {
  interface DefaultState {
    user?: Actor & { email: string; name: string };
    sessionId?: string;
  }
}

/** The session token of a request: the dashboard's cookie, or `Authorization: Bearer` for API clients. */
export function tokenOf(cookieHeader: string | undefined, authorization: string | undefined): string | null {
  const bearer = /^Bearer ([A-Za-z0-9_-]{20,100})$/.exec(authorization ?? '');
  if (bearer) return bearer[1]!;
  for (const part of (cookieHeader ?? '').split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === SESSION_COOKIE && v && /^[A-Za-z0-9_-]{20,100}$/.test(v)) return v;
  }
  return null;
}

export async function loadSession(deps: Deps, token: string | null): Promise<SessionUser | null> {
  if (!token) return null;
  const s = await findLiveSession(deps.db, hashToken(token, deps.config.SESSION_SECRET), deps.now());
  if (!s) return null;
  // last_seen is for the sessions list, not security: write it at most once a minute.
  if (deps.now().getTime() - s.last_seen_at.getTime() > 60_000) await touchSession(deps.db, s.session_id, deps.now());
  return s;
}

export function actorOf(s: SessionUser): Actor & { email: string; name: string } {
  return { id: s.user_id, role: s.role, teamIds: s.team_ids, email: s.email, name: s.name };
}

/** Routes after this need a live session; its user (role, teams) is ctx.state.user. */
export function requireSession(deps: Deps): Middleware {
  return async (ctx, next) => {
    const s = await loadSession(deps, tokenOf(ctx.get('cookie'), ctx.get('authorization')));
    if (!s) throw sessionRequired();
    ctx.state.user = actorOf(s);
    ctx.state.sessionId = s.session_id;
    return next();
  };
}
