import type { TeamRow } from '../repositories/teams.js';

export function presentTeam(t: TeamRow) {
  return { id: t.id, name: t.name, memberCount: t.member_count ?? 0, createdAt: t.created_at.toISOString() };
}
