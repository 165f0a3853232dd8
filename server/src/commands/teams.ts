import type { Deps } from '../deps.js';
import { conflict, notFound } from '../errors.js';
import { assertWritable } from '../policies/license.js';
import type { Actor } from '../policies/roles.js';
import { insertAudit } from '../repositories/audit.js';
import { findTeam, findTeamByName, insertTeam, renameTeam, type TeamRow } from '../repositories/teams.js';

export async function createTeam(deps: Deps, actor: Actor, name: string, ip: string): Promise<TeamRow> {
  assertWritable(await deps.license.snapshot());
  if (await findTeamByName(deps.db, name)) throw conflict('team_name_taken', `a team named ${name} exists`);
  return deps.db.transaction(async (trx) => {
    const team = await insertTeam(trx, name);
    await insertAudit(trx, { actorUserId: actor.id, action: 'team.create', subjectType: 'team', subjectId: team.id, ip, detail: { name } });
    return team;
  });
}

export async function changeTeamName(deps: Deps, actor: Actor, id: string, name: string, ip: string): Promise<TeamRow> {
  assertWritable(await deps.license.snapshot());
  const team = await findTeam(deps.db, id);
  if (!team) throw notFound('team');
  const clash = await findTeamByName(deps.db, name);
  if (clash && clash.id !== id) throw conflict('team_name_taken', `a team named ${name} exists`);
  await deps.db.transaction(async (trx) => {
    await renameTeam(trx, id, name);
    await insertAudit(trx, { actorUserId: actor.id, action: 'team.rename', subjectType: 'team', subjectId: id, ip, detail: { from: team.name, to: name } });
  });
  return { ...team, name };
}
