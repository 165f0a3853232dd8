import type { UserWithTeams } from '../repositories/users.js';
import { iso } from './iso.js';

/** Never includes the password hash. */
export function presentUser(u: UserWithTeams) {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    teamIds: u.team_ids,
    disabled: u.disabled_at !== null,
    createdAt: iso(u.created_at),
  };
}
