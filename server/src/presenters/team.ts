import type { TeamRow } from '../repositories/teams.js';
import { iso } from './iso.js';

export function presentTeam(t: TeamRow) {
  return { id: t.id, name: t.name, memberCount: t.member_count ?? 0, createdAt: iso(t.created_at) };
}
