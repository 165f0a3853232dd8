import { forbiddenAction, notFound } from '../errors.js';
import type { Role } from '../repositories/users.js';

/** Who is asking: the logged-in user as sessions load it. */
export interface Actor {
  id: string;
  role: Role;
  teamIds: string[];
}

type Rule = (actor: Actor, subject?: { teamIds?: string[]; id?: string }) => boolean;

const isAdmin: Rule = (a) => a.role === 'admin';
const sharesTeam: Rule = (a, s) => !!s?.teamIds?.some((t) => a.teamIds.includes(t));

/**
 * Every role rule of the appliance, by action. Routes and commands ask `authorize`; nothing else decides.
 * Admins may do everything; supervisors see and lead their teams; attendants work their own queue.
 */
const rules = {
  'users.manage': isAdmin,
  'users.list': (a) => a.role !== 'attendant',
  'users.read': (a, s) => isAdmin(a) || a.id === s?.id || (a.role === 'supervisor' && sharesTeam(a, s)),
  'teams.manage': isAdmin,
  'teams.read': (a, s) => isAdmin(a) || sharesTeam(a, s),
  // Names of teams and colleagues (never emails): everyone picks transfer targets and reads assignees.
  'directory.read': () => true,
  'license.read': () => true,
  'license.manage': isAdmin,
  'connections.manage': isAdmin,
  'connections.health': (a) => a.role !== 'attendant',
  'quickReplies.manage': (a) => a.role !== 'attendant',
  'flows.manage': isAdmin,
  'flows.read': (a) => a.role !== 'attendant',
  'businessHours.manage': isAdmin,
  'businessHours.read': (a) => a.role !== 'attendant',
  'campaigns.manage': isAdmin,
  'campaigns.read': (a) => a.role !== 'attendant',
  // Everyone picks templates (composer, new conversation); only admins re-read them from Meta.
  'templates.read': () => true,
  'templates.sync': isAdmin,
  // A conversation is started in a team's queue: admins anywhere, others only in their own teams.
  'conversations.start': (a, s) => isAdmin(a) || sharesTeam(a, s),
  // Audiences (issue #13 §2): imports and consent are the admin's; the opt-out ledger is also the supervisors'.
  'contacts.import': isAdmin,
  'consents.manage': isAdmin,
  'optOuts.manage': (a) => a.role !== 'attendant',
  'audiences.read': (a) => a.role !== 'attendant',
} satisfies Record<string, Rule>;

export type Action = keyof typeof rules;

export function can(actor: Actor, action: Action, subject?: { teamIds?: string[]; id?: string }): boolean {
  return rules[action](actor, subject);
}

/** Throws 403 `forbidden` naming the action. */
export function authorize(actor: Actor, action: Action, subject?: { teamIds?: string[]; id?: string }): void {
  if (!can(actor, action, subject)) throw forbiddenAction(action);
}

/** Like authorize, but for reading one thing: answers 404, so others' data is not even confirmed to exist. */
export function authorizeRead(actor: Actor, action: Action, what: string, subject: { teamIds?: string[]; id?: string }): void {
  if (!can(actor, action, subject)) throw notFound(what);
}

/** Which teams' data the actor may see: null means all. */
export function visibleTeamIds(actor: Actor): string[] | null {
  return actor.role === 'admin' ? null : actor.teamIds;
}
