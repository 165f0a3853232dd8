import type { TeamRow } from '../repositories/teams.js';
import type { UserWithTeams } from '../repositories/users.js';

/** Who is who, for everyone logged in: names, roles and teams only (no emails, no account state). */
export function presentDirectory(teams: TeamRow[], users: UserWithTeams[]) {
  return {
    teams: teams.map((t) => ({ id: t.id, name: t.name })),
    users: users.map((u) => ({ id: u.id, name: u.name, role: u.role, teamIds: u.team_ids })),
  };
}
