import type { Knex } from 'knex';

export interface TeamRow {
  id: string;
  name: string;
  created_at: Date;
  member_count?: number;
}

export async function insertTeam(db: Knex, name: string): Promise<TeamRow> {
  const [row] = await db('teams').insert({ name }).returning('*');
  return row;
}

export async function findTeam(db: Knex, id: string): Promise<TeamRow | undefined> {
  return db('teams').where({ id }).first();
}

export async function findTeamByName(db: Knex, name: string): Promise<TeamRow | undefined> {
  return db('teams').whereRaw('lower(name) = lower(?)', [name]).first();
}

export async function renameTeam(db: Knex, id: string, name: string): Promise<void> {
  await db('teams').where({ id }).update({ name });
}

export async function countExistingTeams(db: Knex, ids: string[]): Promise<number> {
  if (!ids.length) return 0;
  const [row] = await db('teams').whereIn('id', ids).count<{ count: string }[]>('* as count');
  return Number(row!.count);
}

/** Teams are a short list per appliance (tens), listed whole by name. */
export async function listTeams(db: Knex, onlyIds?: string[]): Promise<TeamRow[]> {
  const q = db('teams as t')
    .select('t.*', db.raw('(select count(*)::int from team_members m where m.team_id = t.id) as member_count'))
    .orderBy('t.name')
    .limit(1000);
  if (onlyIds) q.whereIn('t.id', onlyIds);
  return q;
}
