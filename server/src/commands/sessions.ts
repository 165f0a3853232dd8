import crypto from 'node:crypto';
import type { Deps } from '../deps.js';
import { AppError, invalidCredentials, tooManyAttempts } from '../errors.js';
import { DUMMY_HASH_PROMISE, hashPassword, verifyPassword } from '../lib/password.js';
import { insertAudit } from '../repositories/audit.js';
import { insertSession, revokeSession, revokeUserSessions } from '../repositories/sessions.js';
import { findUser, findUserByEmail, updateUser, type UserRow } from '../repositories/users.js';

/** How a session token is stored: keyed by SESSION_SECRET when set, so rotating the secret ends every session. */
export const hashToken = (token: string, secret: string | undefined) =>
  (secret ? crypto.createHmac('sha256', secret) : crypto.createHash('sha256')).update(token).digest('hex');

export interface NewSession {
  token: string;
  sessionId: string;
  expiresAt: Date;
}

async function openSession(deps: Deps, userId: string, ip: string, userAgent: string): Promise<NewSession> {
  const token = crypto.randomBytes(32).toString('base64url');
  const expiresAt = new Date(deps.now().getTime() + deps.config.SESSION_TTL_HOURS * 3_600_000);
  const sessionId = await insertSession(deps.db, { token_hash: hashToken(token, deps.config.SESSION_SECRET), user_id: userId, ip, user_agent: userAgent.slice(0, 300), expires_at: expiresAt });
  return { token, sessionId, expiresAt };
}

/**
 * Email + password login. Failures are counted per IP and per account in Redis; over either limit the
 * answer is `too_many_attempts` with Retry-After, before the password is even checked. Unknown emails
 * cost the same scrypt time as wrong passwords.
 */
export async function login(
  deps: Deps,
  input: { email: string; password: string; ip: string; userAgent: string },
): Promise<{ session: NewSession; user: UserRow }> {
  const subjects = [
    { key: `login-ip:${input.ip}`, limit: deps.config.LOGIN_LIMIT_PER_IP },
    { key: `login-account:${input.email.toLowerCase()}`, limit: deps.config.LOGIN_LIMIT_PER_ACCOUNT },
  ];
  const wait = await deps.attempts.blockedFor(subjects);
  if (wait > 0) throw tooManyAttempts(wait);
  const user = await findUserByEmail(deps.db, input.email);
  const valid = await verifyPassword(input.password, user?.password_hash ?? (await DUMMY_HASH_PROMISE));
  if (!user || !valid) {
    await deps.attempts.recordFailure(subjects.map((s) => s.key));
    await insertAudit(deps.db, { actorUserId: user?.id ?? null, action: 'auth.login_failed', ip: input.ip, detail: { email: input.email.slice(0, 254) } });
    throw invalidCredentials();
  }
  if (user.disabled_at) throw new AppError(403, 'account_disabled', 'this account is disabled; ask your administrator');
  const session = await openSession(deps, user.id, input.ip, input.userAgent);
  await insertAudit(deps.db, { actorUserId: user.id, action: 'auth.login', ip: input.ip, subjectType: 'session', subjectId: session.sessionId });
  return { session, user };
}

export async function logout(deps: Deps, sessionId: string): Promise<void> {
  await revokeSession(deps.db, sessionId, 'logout');
  deps.sockets?.disconnectSession(sessionId);
}

/** Ends every session and live socket of a user, at once. */
export async function endUserSessions(deps: Deps, userId: string, reason: string): Promise<void> {
  await revokeUserSessions(deps.db, userId, reason);
  deps.sockets?.disconnectUser(userId);
}

/**
 * Changing one's own password ends every session of the user (a thief logged in elsewhere is out too)
 * and opens a fresh one for the client that asked, so the person is not logged out.
 */
export async function changeOwnPassword(
  deps: Deps,
  input: { userId: string; currentPassword: string; newPassword: string; ip: string; userAgent: string },
): Promise<NewSession> {
  // A stolen session must not become a way to guess the password: same throttle as login.
  const subject = { key: `password-change:${input.userId}`, limit: deps.config.LOGIN_LIMIT_PER_ACCOUNT };
  const wait = await deps.attempts.blockedFor([subject]);
  if (wait > 0) throw tooManyAttempts(wait);
  const user = await findUser(deps.db, input.userId);
  if (!user || !(await verifyPassword(input.currentPassword, user.password_hash))) {
    await deps.attempts.recordFailure([subject.key]);
    throw new AppError(400, 'wrong_password', 'the current password is not right');
  }
  const passwordHash = await hashPassword(input.newPassword);
  await deps.db.transaction(async (trx) => {
    await updateUser(trx, user.id, { password_hash: passwordHash });
    await revokeUserSessions(trx, user.id, 'password_changed');
    await insertAudit(trx, { actorUserId: user.id, action: 'auth.password_change', ip: input.ip, subjectType: 'user', subjectId: user.id });
  });
  deps.sockets?.disconnectUser(user.id);
  return openSession(deps, user.id, input.ip, input.userAgent);
}
