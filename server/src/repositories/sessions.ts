import type { Knex } from 'knex';
import type { Role } from './users.js';

export interface SessionUser {
  session_id: string;
  expires_at: Date;
  last_seen_at: Date;
  user_id: string;
  email: string;
  name: string;
  role: Role;
  team_ids: string[];
}

export async function insertSession(
  db: Knex,
  s: { token_hash: string; user_id: string; ip: string; user_agent: string; expires_at: Date },
): Promise<string> {
  const [row] = await db('sessions').insert(s).returning('id');
  return row.id;
}

/** The live session for a token, with its user: not revoked, not expired, user not disabled. */
export async function findLiveSession(db: Knex, tokenHash: string, now: Date): Promise<SessionUser | undefined> {
  return db('sessions as s')
    .join('users as u', 'u.id', 's.user_id')
    .where('s.token_hash', tokenHash)
    .whereNull('s.revoked_at')
    .where('s.expires_at', '>', now)
    .whereNull('u.disabled_at')
    .first(
      's.id as session_id', 's.expires_at', 's.last_seen_at', 'u.id as user_id', 'u.email', 'u.name', 'u.role',
      db.raw(`coalesce((select array_agg(tm.team_id) from team_members tm where tm.user_id = u.id), '{}') as team_ids`),
    );
}

export async function touchSession(db: Knex, sessionId: string, at: Date): Promise<void> {
  await db('sessions').where({ id: sessionId }).update({ last_seen_at: at });
}

export async function revokeSession(db: Knex, sessionId: string, reason: string): Promise<void> {
  await db('sessions').where({ id: sessionId }).whereNull('revoked_at').update({ revoked_at: db.fn.now(), revoked_reason: reason });
}

/** Ends every live session of a user (logout everywhere, disable, password change); returns their ids. */
export async function revokeUserSessions(db: Knex, userId: string, reason: string): Promise<string[]> {
  const rows = await db('sessions').where({ user_id: userId }).whereNull('revoked_at')
    .update({ revoked_at: db.fn.now(), revoked_reason: reason }).returning('id');
  return rows.map((r: { id: string }) => r.id);
}
