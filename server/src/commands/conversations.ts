import type { Knex } from 'knex';
import type { Deps } from '../deps.js';
import { AppError, conflict, forbiddenAction, notFound, validationFailed } from '../errors.js';
import { authorizeAssign, authorizeSee, type ConversationScope } from '../policies/conversations.js';
import { assertWritable } from '../policies/license.js';
import type { Actor } from '../policies/roles.js';
import { pushConversation, pushNewMessage } from '../realtime/conversationEvents.js';
import { insertAudit } from '../repositories/audit.js';
import {
  findConversation, findConversationView, lockConversation, updateConversation, type ConversationRow, type ConversationView,
} from '../repositories/conversations.js';
import { insertMessage, type MessageRow } from '../repositories/messages.js';
import { countExistingTeams } from '../repositories/teams.js';
import { findUser } from '../repositories/users.js';
import type { DomainEvent } from '../events/domainEvents.js';
import { recordEvents } from '../repositories/domainEvents.js';

export const assigneeNotInTeam = (why: string) => new AppError(422, 'assignee_not_in_team', why);
export const conversationAlreadyOpen = () =>
  conflict('conversation_already_open', 'this contact already has an open conversation; continue that one');

const scopeOf = (c: ConversationRow): ConversationScope => ({ team_id: c.team_id, assignee_id: c.assignee_id });

/** A conversation the actor may see, or 404 (others' conversations are not confirmed to exist). */
export async function visibleConversation(deps: Deps, actor: Actor, id: string): Promise<ConversationView> {
  const view = await findConversationView(deps.db, id);
  authorizeSee(actor, view ?? undefined);
  return view!;
}

/**
 * Runs one change of a conversation under its row lock, audits it, and pushes it after commit: the new
 * audience gets `conversation:updated`, people who lost sight of it `conversation:removed`.
 */
async function change(
  deps: Deps,
  actor: Actor,
  id: string,
  ip: string,
  action: string,
  decide: (trx: Knex.Transaction, c: ConversationRow) => Promise<Partial<ConversationRow> | null>,
  happened: (after: ConversationRow) => DomainEvent,
): Promise<ConversationView> {
  assertWritable(await deps.license.snapshot());
  let before: ConversationRow | undefined;
  let changed = false;
  try {
    await deps.db.transaction(async (trx) => {
      before = await lockConversation(trx, id);
      authorizeSee(actor, before);
      const patch = await decide(trx, before);
      if (!patch) return;
      const after = await updateConversation(trx, id, patch);
      const detail = Object.fromEntries(Object.keys(patch).map((k) => [k, { before: before![k as keyof ConversationRow], after: after[k as keyof ConversationRow] }]));
      await insertAudit(trx, { actorUserId: actor.id, action, subjectType: 'conversation', subjectId: id, ip, detail });
      await recordEvents(trx, [happened(after)]);
      changed = true;
    });
  } catch (err) {
    // conversations_one_open: the contact opened a new conversation since this one was resolved.
    if ((err as { code?: string }).code === '23505') throw conversationAlreadyOpen();
    throw err;
  }
  if (changed) await pushConversation(deps, id, scopeOf(before!));
  return (await findConversationView(deps.db, id))!;
}

/** Who may receive a conversation of `teamId`: an active user of that team, or any active admin. */
async function assertAssignable(deps: Deps, userId: string, teamId: string | null): Promise<void> {
  const user = await findUser(deps.db, userId);
  if (!user || user.disabled_at) throw assigneeNotInTeam('that user does not exist or is disabled');
  if (user.role === 'admin') return;
  if (!teamId || !user.team_ids.includes(teamId)) throw assigneeNotInTeam('that user is not in the conversation\'s team');
}

/**
 * Assign (`teamId` undefined) or transfer. Attendants may only take an unassigned conversation of their
 * team for themselves, and pass on their own; everything else follows policies authorizeAssign.
 */
export async function reassignConversation(
  deps: Deps,
  actor: Actor,
  id: string,
  to: { teamId?: string | null; userId?: string | null },
  ip: string,
  kind: 'assign' | 'transfer',
): Promise<ConversationView> {
  if (to.teamId && (await countExistingTeams(deps.db, [to.teamId])) !== 1) throw validationFailed('teamId: unknown team');
  return change(deps, actor, id, ip, `conversation.${kind}`, async (_trx, c) => {
    authorizeAssign(actor, c);
    const teamId = to.teamId !== undefined ? to.teamId : c.team_id;
    const teamChanged = teamId !== c.team_id;
    // A transfer to another team without a user lands in that team's unassigned queue.
    const userId = to.userId !== undefined ? to.userId : teamChanged ? null : c.assignee_id;
    if (actor.role === 'attendant' && c.assignee_id !== actor.id && (userId !== actor.id || teamChanged)) {
      throw forbiddenAction('conversations.assign');
    }
    if (userId) await assertAssignable(deps, userId, teamId);
    if (!teamChanged && userId === c.assignee_id) return null;
    return { team_id: teamId, assignee_id: userId };
  }, (after) => ({
    type: kind === 'assign' ? 'conversation.assigned' : 'conversation.transferred',
    conversationId: id, teamId: after.team_id, assigneeId: after.assignee_id, byUserId: actor.id,
  }));
}

export async function resolveConversation(deps: Deps, actor: Actor, id: string, ip: string): Promise<ConversationView> {
  return change(deps, actor, id, ip, 'conversation.resolve', async (_trx, c) =>
    c.status === 'resolved' ? null : { status: 'resolved', resolved_at: deps.now() },
  () => ({ type: 'conversation.resolved', conversationId: id, byUserId: actor.id }));
}

/** 409 conversation_already_open when the contact has another open conversation (one open per contact). */
export async function reopenConversation(deps: Deps, actor: Actor, id: string, ip: string): Promise<ConversationView> {
  return change(deps, actor, id, ip, 'conversation.reopen', async (_trx, c) =>
    c.status === 'open' ? null : { status: 'open', resolved_at: null },
  () => ({ type: 'conversation.reopened', conversationId: id, byUserId: actor.id }));
}

/** Reading is not a change the license restricts, nor one worth an audit row. */
export async function markConversationRead(deps: Deps, actor: Actor, id: string): Promise<ConversationView> {
  const c = await findConversation(deps.db, id);
  authorizeSee(actor, c);
  if (c.unread_count !== 0) {
    await updateConversation(deps.db, id, { unread_count: 0 });
    await pushConversation(deps, id);
  }
  return (await findConversationView(deps.db, id))!;
}

/** An internal note: a message of the thread that is never sent, seen by whoever sees the conversation. */
export async function addNote(deps: Deps, actor: Actor, id: string, text: string, ip: string): Promise<MessageRow> {
  assertWritable(await deps.license.snapshot());
  const c = await findConversation(deps.db, id);
  authorizeSee(actor, c);
  const note = await deps.db.transaction(async (trx) => {
    const row = await insertMessage(trx, {
      conversation_id: id, connection_id: c.connection_id, direction: 'note', origin: 'agent', type: 'note', status: 'note',
      sender_user_id: actor.id, body: text, at: deps.now(),
    });
    if (!row) throw notFound('conversation');
    // The audit keeps the note's id and size, not its words.
    await insertAudit(trx, { actorUserId: actor.id, action: 'conversation.note', subjectType: 'conversation', subjectId: id, ip, detail: { messageId: row.id, length: text.length } });
    return row;
  });
  await pushNewMessage(deps, note);
  return note;
}
