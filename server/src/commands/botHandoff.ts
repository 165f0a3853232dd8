import type { Deps } from '../deps.js';
import { notFound } from '../errors.js';
import { authorizeAssign, authorizeSee, type ConversationScope } from '../policies/conversations.js';
import { assertWritable } from '../policies/license.js';
import type { Actor } from '../policies/roles.js';
import { pushConversation } from '../realtime/conversationEvents.js';
import { insertAudit } from '../repositories/audit.js';
import { lockLiveSession, stopSession } from '../repositories/botSessions.js';
import { findConversationView, lockConversation, updateConversation, type ConversationView } from '../repositories/conversations.js';
import { recordEvents } from '../repositories/domainEvents.js';

/**
 * A person takes a conversation from the bot, or gives it back. Every takeover path comes here: an
 * attendant's message, an answer from the WhatsApp Business app on the same number, an assignment or a
 * transfer by a person (all through the event subscriber, bots/botSubscriber.ts), and "Assumir" in the
 * inbox. The bot stays quiet (`human_since`) until the conversation is resolved or handed back.
 */
export async function stopBot(deps: Deps, conversationId: string, reason: string, happenedAt?: Date): Promise<boolean> {
  const changed = await deps.db.transaction(async (trx) => {
    const conv = await lockConversation(trx, conversationId);
    if (!conv || conv.status !== 'open') return false;
    // A takeover heard late, after someone already handed the conversation back, does not undo the hand-back.
    if (happenedAt && conv.bot_handed_back_at && conv.bot_handed_back_at.getTime() >= happenedAt.getTime()) return false;
    const now = deps.now();
    const session = await lockLiveSession(trx, conversationId);
    if (session) await stopSession(trx, session.id, 'handed_off', reason, now);
    if (conv.human_since && !conv.bot_session_id && !session) return false;
    await updateConversation(trx, conversationId, { human_since: conv.human_since ?? now, bot_session_id: null });
    return true;
  });
  if (changed) await pushConversation(deps, conversationId).catch(() => {});
  return changed;
}

/** A resolved conversation is done: its session ends, and a reopened one starts with the bot allowed again. */
export async function endBotOnResolve(deps: Deps, conversationId: string): Promise<void> {
  await deps.db.transaction(async (trx) => {
    const conv = await lockConversation(trx, conversationId);
    if (!conv) return;
    const session = await lockLiveSession(trx, conversationId);
    if (session) await stopSession(trx, session.id, 'ended', 'resolved', deps.now());
    if (conv.human_since || conv.bot_session_id) await updateConversation(trx, conversationId, { human_since: null, bot_session_id: null });
  });
}

/** "Assumir": the bot stops and the conversation is the actor's, unless someone already has it. */
export async function takeOverFromBot(deps: Deps, actor: Actor, id: string, ip: string): Promise<ConversationView> {
  assertWritable(await deps.license.snapshot());
  let before: ConversationScope | undefined;
  await deps.db.transaction(async (trx) => {
    const conv = await lockConversation(trx, id);
    authorizeSee(actor, conv);
    before = { team_id: conv!.team_id, assignee_id: conv!.assignee_id };
    const now = deps.now();
    const session = await lockLiveSession(trx, id);
    if (session) await stopSession(trx, session.id, 'handed_off', 'taken_over', now);
    const assignee = conv!.assignee_id ?? actor.id;
    await updateConversation(trx, id, { human_since: conv!.human_since ?? now, bot_session_id: null, assignee_id: assignee });
    await insertAudit(trx, { actorUserId: actor.id, action: 'conversation.bot_take_over', subjectType: 'conversation', subjectId: id, ip, detail: { sessionId: session?.id ?? null } });
    if (assignee !== conv!.assignee_id) {
      await recordEvents(trx, [{ type: 'conversation.assigned', conversationId: id, teamId: conv!.team_id, assigneeId: assignee, byUserId: actor.id }]);
    }
  });
  await pushConversation(deps, id, before).catch(() => {});
  return (await findConversationView(deps.db, id))!;
}

/**
 * "Devolver ao robô": nobody owns it any more and the bot may answer the customer's next message (the
 * flows' triggers decide which flow). Whoever may reassign the conversation may hand it back.
 */
export async function handBackToBot(deps: Deps, actor: Actor, id: string, ip: string): Promise<ConversationView> {
  assertWritable(await deps.license.snapshot());
  let before: ConversationScope | undefined;
  await deps.db.transaction(async (trx) => {
    const conv = await lockConversation(trx, id);
    authorizeSee(actor, conv);
    before = { team_id: conv!.team_id, assignee_id: conv!.assignee_id };
    if (conv!.assignee_id && conv!.assignee_id !== actor.id) authorizeAssign(actor, conv!);
    if (conv!.status !== 'open') throw notFound('open conversation');
    await updateConversation(trx, id, { human_since: null, assignee_id: null });
    // The database's clock, as the events' recordedAt it is compared with (stopBot).
    await trx('conversations').where({ id }).update({ bot_handed_back_at: trx.raw('statement_timestamp()') });
    await insertAudit(trx, { actorUserId: actor.id, action: 'conversation.bot_hand_back', subjectType: 'conversation', subjectId: id, ip, detail: { assigneeBefore: conv!.assignee_id } });
    if (conv!.assignee_id) {
      await recordEvents(trx, [{ type: 'conversation.assigned', conversationId: id, teamId: conv!.team_id, assigneeId: null, byUserId: actor.id }]);
    }
  });
  await pushConversation(deps, id, before).catch(() => {});
  return (await findConversationView(deps.db, id))!;
}
