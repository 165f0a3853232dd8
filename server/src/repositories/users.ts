import type { Knex } from 'knex';
import { pageQuery } from '#kit/cursor.js';

export type Role = 'admin' | 'supervisor' | 'attendant';

export interface UserRow {
  id: string;
  email: string;
  name: string;
  role: Role;
  password_hash: string;
  disabled_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface UserWithTeams extends UserRow {
  team_ids: string[];
}

const withTeams = (db: Knex) =>
  db('users as u').select('u.*', db.raw(`coalesce((select array_agg(tm.team_id) from team_members tm where tm.user_id = u.id), '{}') as team_ids`));

export async function insertUser(db: Knex, u: Pick<UserRow, 'email' | 'name' | 'role' | 'password_hash'>): Promise<UserRow> {
  const [row] = await db('users').insert(u).returning('*');
  return row;
}

export async function findUser(db: Knex, id: string): Promise<UserWithTeams | undefined> {
  return withTeams(db).where('u.id', id).first();
}

export async function findUserByEmail(db: Knex, email: string): Promise<UserRow | undefined> {
  return db('users').whereRaw('lower(email) = lower(?)', [email]).first();
}

export async function updateUser(db: Knex, id: string, patch: Partial<Pick<UserRow, 'name' | 'role' | 'password_hash' | 'disabled_at'>>): Promise<void> {
  await db('users').where({ id }).update({ ...patch, updated_at: db.fn.now() });
}

export async function countActiveUsers(db: Knex): Promise<number> {
  const [row] = await db('users').whereNull('disabled_at').count<{ count: string }[]>('* as count');
  return Number(row!.count);
}

export async function countAdmins(db: Knex): Promise<number> {
  const [row] = await db('users').whereNull('disabled_at').where({ role: 'admin' }).count<{ count: string }[]>('* as count');
  return Number(row!.count);
}

export async function setUserTeams(db: Knex, userId: string, teamIds: string[]): Promise<void> {
  await db('team_members').where({ user_id: userId }).delete();
  if (teamIds.length) await db('team_members').insert(teamIds.map((team_id) => ({ team_id, user_id: userId })));
}

export async function listUsers(db: Knex, opts: { teamIds?: string[]; cursor?: string; limit: number }): Promise<UserWithTeams[]> {
  const q = withTeams(db);
  if (opts.teamIds) q.whereExists(db('team_members as m').whereRaw('m.user_id = u.id').whereIn('m.team_id', opts.teamIds));
  return pageQuery(q, 'u.created_at', 'u.id', opts.cursor, opts.limit);
}

/** Every active user with their teams, by name: the directory (tens of users; the plan caps them). */
export async function listActiveUsers(db: Knex): Promise<UserWithTeams[]> {
  return withTeams(db).whereNull('u.disabled_at').orderBy([{ column: 'u.name' }, { column: 'u.id' }]).limit(1000);
}
