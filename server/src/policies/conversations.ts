import type { Knex } from 'knex';
import type { Actor } from './roles.js';
import { forbiddenAction, notFound } from '../errors.js';

/** What the policy needs to know of a conversation. */
export interface ConversationScope {
  team_id: string | null;
  assignee_id: string | null;
}

/**
 * Who sees a conversation — the one rule behind the inbox queries, single reads and socket pushes:
 * - an admin sees all;
 * - a supervisor sees their teams' conversations and any assigned to them;
 * - an attendant sees those assigned to them and the unassigned ones of their teams.
 * A conversation with no team (its connection has none) is seen by admins and its assignee only.
 */
export function canSeeConversation(actor: Actor, c: ConversationScope): boolean {
  if (actor.role === 'admin') return true;
  if (c.assignee_id === actor.id) return true;
  const inTeam = !!c.team_id && actor.teamIds.includes(c.team_id);
  if (actor.role === 'supervisor') return inTeam;
  return inTeam && c.assignee_id === null;
}

/** The same rule as SQL, for listing: adds the visibility condition on table alias `c`. */
export function whereVisible(q: Knex.QueryBuilder, actor: Actor, alias = 'c'): Knex.QueryBuilder {
  if (actor.role === 'admin') return q;
  const teams = actor.teamIds;
  return q.where((w) => {
    w.where(`${alias}.assignee_id`, actor.id);
    if (!teams.length) return;
    if (actor.role === 'supervisor') w.orWhereIn(`${alias}.team_id`, teams);
    else w.orWhere((u) => u.whereNull(`${alias}.assignee_id`).whereIn(`${alias}.team_id`, teams));
  });
}

/** 404 for a conversation the actor may not see: others' data is not even confirmed to exist. */
export function authorizeSee(actor: Actor, c: ConversationScope | undefined): asserts c is ConversationScope {
  if (!c || !canSeeConversation(actor, c)) throw notFound('conversation');
}

/**
 * Who may give a conversation to someone (assign, transfer): admins any; supervisors those of their teams
 * (or their own); attendants may take an unassigned one of their team and pass on their own.
 */
export function authorizeAssign(actor: Actor, c: ConversationScope): void {
  if (actor.role === 'admin') return;
  const inTeam = !!c.team_id && actor.teamIds.includes(c.team_id);
  if (actor.role === 'supervisor' && (inTeam || c.assignee_id === actor.id)) return;
  if (actor.role === 'attendant' && (c.assignee_id === actor.id || (c.assignee_id === null && inTeam))) return;
  throw forbiddenAction('conversations.assign');
}

/**
 * Socket rooms of the people who see a conversation, built from the same rule as canSeeConversation.
 * Sockets join `role:admin`, `supervisors:<team>` or `attendants:<team>`, and `user:<id>` (websockets/io.ts).
 */
export function audienceOf(c: ConversationScope): string[] {
  const rooms = ['role:admin'];
  if (c.assignee_id) rooms.push(`user:${c.assignee_id}`);
  if (c.team_id) {
    rooms.push(`supervisors:${c.team_id}`);
    if (!c.assignee_id) rooms.push(`attendants:${c.team_id}`);
  }
  return rooms;
}

/** Socket rooms an actor joins; the counterpart of audienceOf. */
export function roomsOf(actor: Actor): string[] {
  const rooms = [`user:${actor.id}`];
  if (actor.role === 'admin') return [...rooms, 'role:admin'];
  for (const t of actor.teamIds) rooms.push(actor.role === 'supervisor' ? `supervisors:${t}` : `attendants:${t}`);
  return rooms;
}
