import type { Knex } from 'knex';
import { closedPeriodStart, isOpen, type BusinessCalendar } from '../calendar/businessHours.js';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { LIVE_STATUSES, answerFits, initialState, step, type BotInput, type EngineEnv, type SessionState, type StepResult } from '../bots/engine.js';
import { FlowSettings, type FlowDefinition } from '../bots/flowDefinition.js';
import { promptContent } from '../bots/prompt.js';
import { isExitKeyword, pickFlow } from '../bots/triggers.js';
import type { LicenseSnapshot } from '../license/licenseState.js';
import { pushConversation } from '../realtime/conversationEvents.js';
import {
  campaignFlowFor, findFlowRuntimes, findSession, mayMeetBot, findVersionDefinition, insertSession, isLive, lockLiveSession, lockSessions, noteInput, saveSessionStates,
  sessionWrite, startableFlows, stopSession, takeInput, type BotSessionRow, type SessionWrite, type StartableFlow,
} from '../repositories/botSessions.js';
import { calendarsFor } from '../repositories/businessCalendars.js';
import { findConnections, type ConnectionRow } from '../repositories/connections.js';
import { findContacts, updateContact, type ContactRow } from '../repositories/contacts.js';
import { findConversationViews, lockConversation, lockConversations, updateConversation, type ConversationRow, type ConversationView } from '../repositories/conversations.js';
import { recordEvents } from '../repositories/domainEvents.js';
import type { MessageRow } from '../repositories/messages.js';
import { enqueue } from '../queues/enqueue.js';
import { announceOutboundMany, prepareOutbound, queueOutboundInTransaction, storeOutboundMany, type OutboundContent, type PreparedOutbound } from './sendMessage.js';

/**
 * The bot runtime's use cases: a customer message, a timer or a webhook's answer moves a conversation's
 * bot session one step (bots/engine.ts decides; this applies). Everything of one step happens in one
 * transaction under the conversation's row lock — two webhooks together make one turn after the other,
 * and a step run twice (a redelivered event, a retried timer) finds its work done: the customer message
 * is taken once (bot_inputs), a timer fires only while its due time is the one stored, and every bot
 * message has the send-once key (session, step).
 *
 * The bot never talks over a person: while `human_since` is set, or someone is assigned, nothing starts
 * (commands/botHandoff.ts sets it on every takeover path).
 */

/** A customer who answers this fast after the bot, this many times in a row, is taken for a bot. */
const BOT_LIKE_GAP_MS = 3_000;
const BOT_LIKE_TURNS = 5;
const STALE_AFTER_MS = 24 * 3_600_000;

/**
 * What the turns of one transaction leave behind. Their messages and session states are written
 * together at its end (flushTurns: a few statements however many turns), the rest after the commit.
 */
export interface TurnBatch {
  outbound: PreparedOutbound[];
  sessions: SessionWrite[];
  /** After the commit: messages to announce, conversations to push, webhook calls to queue. */
  messages: MessageRow[];
  changed: Set<string>;
  webhooks: Array<{ sessionId: string; steps: number }>;
}

const newBatch = (): TurnBatch => ({ outbound: [], sessions: [], messages: [], changed: new Set(), webhooks: [] });

/** The end of a turn's transaction: the batch's messages and session states, stored. */
async function flushTurns(trx: Knex.Transaction, batch: TurnBatch): Promise<void> {
  batch.messages.push(...await storeOutboundMany(trx, batch.outbound));
  await saveSessionStates(trx, batch.sessions);
  batch.outbound = [];
  batch.sessions = [];
}

/** A customer message (from the event subscriber): starts a flow, answers one, or is absorbed or ignored. */
export async function botOnMessage(deps: Deps, message: { id: string; conversationId: string }): Promise<string> {
  // Most messages on most appliances meet no bot at all: no session running here, no flow that could
  // start, no out-of-office reply. They are noted in the ledger and cost no transaction and no lock.
  if (!(await mayMeetBot(deps.db, message.conversationId))) {
    await deps.db('bot_inputs').insert({ message_id: message.id, conversation_id: message.conversationId, outcome: 'ignored:no_flow' }).onConflict('message_id').ignore();
    return 'ignored:no_flow';
  }
  const batch = newBatch();
  const outcome = await deps.db.transaction(async (trx) => {
    if (!(await takeInput(trx, message.id, message.conversationId))) return 'duplicate';
    const conv = await lockConversation(trx, message.conversationId);
    const msg: MessageRow | undefined = await trx('messages').where({ id: message.id }).first();
    if (!conv || !msg || msg.direction !== 'in') return 'ignored:gone';
    const { outcome, sessionId } = await decide(deps, trx, conv, msg, batch);
    await flushTurns(trx, batch);
    await noteInput(trx, message.id, outcome, sessionId);
    return outcome;
  });
  await finish(deps, batch);
  return outcome;
}

async function decide(deps: Deps, trx: Knex.Transaction, conv: ConversationRow, msg: MessageRow, batch: TurnBatch): Promise<{ outcome: string; sessionId: string | null }> {
  const now = deps.now();
  if (conv.status !== 'open') return { outcome: 'ignored:resolved', sessionId: null };
  // Past the 24-hour window nothing could be sent anyway (a very late catch-up).
  if (now.getTime() - msg.at.getTime() > STALE_AFTER_MS) return { outcome: 'ignored:stale', sessionId: null };
  const snap = await deps.license.snapshot();
  const blocked = botBlocked(snap);
  const session = await lockLiveSession(trx, conv.id);
  const human = conv.human_since !== null || conv.assignee_id !== null || (await attendantWriting(trx, conv));

  if (session) {
    if (human || blocked) {
      await stopSession(trx, session.id, human ? 'handed_off' : 'ended', human ? 'human_took_over' : blocked!, now);
      await setConversation(trx, conv, { bot_session_id: null, ...(human ? { human_since: conv.human_since ?? now } : {}) }, batch);
      return { outcome: 'ignored:stopped', sessionId: session.id };
    }
    const flow = (await findFlowRuntimes(trx, [session.flow_id])).get(session.flow_id);
    const settings = FlowSettings.parse(flow?.settings ?? {});
    const input = inputOf(msg);
    if (isExitKeyword(input.text, flow?.exit_keywords ?? ['sair'])) {
      await stopSession(trx, session.id, 'ended', 'exit_keyword', now);
      // The customer asked to leave the bot: the people of the queue take it from here.
      await setConversation(trx, conv, { bot_session_id: null, human_since: now }, batch);
      return { outcome: 'exit', sessionId: session.id };
    }
    if (session.status !== 'waiting_answer') return { outcome: 'ignored:busy', sessionId: session.id };
    const ctx = (await contextsOf(deps, trx, [conv], now)).get(conv.id)!;
    const def = await definitionOf(trx, session.version_id);
    // Messages soon after the one that started the last turn are its burst: only a valid answer among them moves the flow.
    const inBurst = session.burst_at !== null && now.getTime() - session.burst_at.getTime() < settings.burstMs;
    if (inBurst && !answerFits(def, stateOf(session), input, ctx.env)) return { outcome: 'absorbed', sessionId: session.id };

    const fast = now.getTime() - session.updated_at.getTime() < BOT_LIKE_GAP_MS ? session.fast_replies + 1 : 0;
    if (fast >= BOT_LIKE_TURNS) {
      await stopSession(trx, session.id, 'ended', 'customer_is_bot', now);
      await setConversation(trx, conv, { bot_session_id: null, human_since: now }, batch);
      return { outcome: 'ended:customer_is_bot', sessionId: session.id };
    }
    const result = step(def, settings, stateOf(session), { kind: 'message', ...input }, ctx.env);
    await apply(deps, trx, ctx, session, result, batch, { burstAt: now, fastReplies: fast });
    return { outcome: 'turn', sessionId: session.id };
  }

  if (human) {
    await setConversation(trx, conv, { human_since: conv.human_since ?? now }, batch);
    return { outcome: 'ignored:human', sessionId: null };
  }
  const ctx = (await contextsOf(deps, trx, [conv], now)).get(conv.id)!;
  const input = inputOf(msg);
  const triggers = {
    connectionId: conv.connection_id, contactPhone: ctx.view.contact_external_id, firstMessage: await isFirstInbound(trx, msg),
    text: input.text, replyId: input.replyId, businessOpen: ctx.env.businessOpen,
  };
  const flows = blocked ? [] : await startableFlows(trx);
  // A reply to a campaign that names a flow starts that flow, whatever the other triggers say.
  const campaignFlowId = flows.length ? await campaignFlowFor(trx, conv.contact_id, msg.at) : null;
  const campaignFlow = campaignFlowId
    ? pickFlow(flows.filter((f) => f.id === campaignFlowId).map((f) => ({ ...f, trigger: { type: 'no_human' as const }, is_fallback: false })), triggers)
    : null;
  const flow = campaignFlow ?? (flows.length ? pickFlow(flows, triggers) : null);
  if (flow) {
    const sessionId = await startSession(deps, trx, ctx, flow, msg, batch);
    return { outcome: 'turn', sessionId };
  }
  if (await outOfOffice(deps, trx, ctx, batch)) return { outcome: 'out_of_office', sessionId: null };
  return { outcome: 'ignored:no_flow', sessionId: null };
}

async function startSession(deps: Deps, trx: Knex.Transaction, ctx: TurnContext, flow: StartableFlow, msg: MessageRow, batch: TurnBatch): Promise<string> {
  const now = ctx.env.now;
  const def = await definitionOf(trx, flow.version_id);
  const state = initialState(def);
  const session = await insertSession(trx, {
    conversation_id: ctx.conv.id, flow_id: flow.id, version_id: flow.version_id, node_id: state.nodeId, variables: {}, status: 'running',
    visits: {}, burst_at: now, started_at: now, updated_at: now,
  });
  const result = step(def, FlowSettings.parse(flow.settings ?? {}), state, { kind: 'start' }, ctx.env);
  await apply(deps, trx, ctx, session, result, batch, {});
  return session.id;
}

/** A timer came due (from the worker's timer task): fires once, while its due time is the one stored. */
export async function botOnTimer(deps: Deps, sessionId: string, dueAt: Date): Promise<boolean> {
  const found = await findSession(deps.db, sessionId);
  if (!found) return false;
  return (await botOnTimers(deps, [{ id: sessionId, conversation_id: found.conversation_id, due_at: dueAt }])) === 1;
}

/**
 * Due timers, many in one transaction (the worker's timer task hands them in batches): the conversations
 * and sessions are locked and read together, and the batch's messages and states written together, so a
 * thousand timers due at once cost a few statements per batch instead of about twenty per timer.
 * Returns how many fired.
 */
export async function botOnTimers(deps: Deps, due: Array<{ id: string; conversation_id: string; due_at: Date }>): Promise<number> {
  return resume(deps, due.map((t) => ({ sessionId: t.id, conversationId: t.conversation_id, still: (s) => s.due_at?.getTime() === t.due_at.getTime(), input: { kind: 'timer' } })));
}

/** The webhook node's call came back (queues/processors/botWebhook.ts); `steps` pins the step it belongs to. */
export async function botOnWebhookCalled(deps: Deps, sessionId: string, steps: number, ok: boolean, data?: unknown): Promise<boolean> {
  const found = await findSession(deps.db, sessionId);
  if (!found) return false;
  return (await resume(deps, [{ sessionId, conversationId: found.conversation_id, still: (s) => s.steps === steps && s.status === 'waiting_webhook', input: { kind: 'webhook_called', ok, data } }])) === 1;
}

/** An async webhook's callback: resumes the session (also when it beats the call's own answer). */
export async function botOnCallback(deps: Deps, session: BotSessionRow, data: unknown): Promise<boolean> {
  return (await resume(deps, [{ sessionId: session.id, conversationId: session.conversation_id, still: (s) => s.status === 'waiting_callback' || s.status === 'waiting_webhook', input: { kind: 'callback', data } }])) === 1;
}

/** Something other than a customer message moves a session: a timer, a webhook's answer, a callback. */
interface Wake {
  sessionId: string;
  conversationId: string;
  /** Whether the session, as locked, still waits for this (a timer fires only while its due time is the one stored). */
  still: (s: BotSessionRow) => boolean;
  input: BotInput;
}

/** Moves each woken session one step, all in one transaction; returns how many moved (or were stopped). */
async function resume(deps: Deps, wakes: Wake[]): Promise<number> {
  const batch = newBatch();
  const done = await deps.db.transaction(async (trx) => {
    // Conversations before sessions, each in id order: the order every bot turn locks them in.
    const convs = await lockConversations(trx, [...new Set(wakes.map((w) => w.conversationId))]);
    const sessions = await lockSessions(trx, wakes.map((w) => w.sessionId));
    const seen = new Set<string>();
    const ready = wakes.filter((w) => {
      const s = sessions.get(w.sessionId);
      if (!s || s.conversation_id !== w.conversationId || !convs.has(w.conversationId) || seen.has(w.conversationId) || !isLive(s.status) || !w.still(s)) return false;
      seen.add(w.conversationId);
      return true;
    });
    if (!ready.length) return 0;
    const now = deps.now();
    const blocked = botBlocked(await deps.license.snapshot());
    const readyConvs = ready.map((w) => convs.get(w.conversationId)!);
    const writing = await attendantsWriting(trx, readyConvs);
    const flows = await findFlowRuntimes(trx, ready.map((w) => sessions.get(w.sessionId)!.flow_id));
    const contexts = await contextsOf(deps, trx, readyConvs, now);
    for (const w of ready) {
      const conv = convs.get(w.conversationId)!;
      const session = sessions.get(w.sessionId)!;
      const human = conv.human_since !== null || conv.assignee_id !== null || writing.has(conv.id);
      if (human || conv.status !== 'open' || blocked) {
        await stopSession(trx, session.id, human ? 'handed_off' : 'ended', human ? 'human_took_over' : conv.status !== 'open' ? 'resolved' : blocked!, now);
        await setConversation(trx, conv, { bot_session_id: null, ...(human ? { human_since: conv.human_since ?? now } : {}) }, batch);
        continue;
      }
      const settings = FlowSettings.parse(flows.get(session.flow_id)?.settings ?? {});
      const ctx = contexts.get(conv.id)!;
      const def = await definitionOf(trx, session.version_id);
      let state = stateOf(session);
      // A callback that beats the call's answer: the call is taken as answered first.
      if (w.input.kind === 'callback' && session.status === 'waiting_webhook') {
        state = step(def, settings, state, { kind: 'webhook_called', ok: true }, ctx.env).state;
      }
      await apply(deps, trx, ctx, session, step(def, settings, state, w.input, ctx.env), batch, {});
    }
    await flushTurns(trx, batch);
    return ready.length;
  });
  await finish(deps, batch);
  return done;
}

interface TurnContext {
  conv: ConversationRow;
  view: ConversationView;
  contact: ContactRow;
  connection: ConnectionRow | null;
  calendar: BusinessCalendar | null;
  env: EngineEnv;
}

/** What a turn reads of each conversation (its view, contact, connection, calendar), read for all of them at once. */
async function contextsOf(deps: Deps, trx: Knex.Transaction, convs: ConversationRow[], now: Date): Promise<Map<string, TurnContext>> {
  const views = await findConversationViews(trx, convs.map((c) => c.id));
  const contacts = await findContacts(trx, convs.map((c) => c.contact_id));
  const connections = await findConnections(trx, convs.map((c) => c.connection_id));
  const calendarOf = await calendarsFor(trx, convs.map((c) => ({ connectionId: c.connection_id, teamId: c.team_id })));
  return new Map(convs.map((conv) => {
    const view = views.get(conv.id)!;
    const contact = contacts.get(conv.contact_id)!;
    const calendar = calendarOf({ connectionId: conv.connection_id, teamId: conv.team_id });
    return [conv.id, {
      conv, view, contact, connection: connections.get(conv.connection_id) ?? null, calendar,
      env: {
        now,
        timeZone: calendar?.timezone ?? deps.config.APP_TIMEZONE,
        channel: view.channel,
        contact: { name: contact.name ?? contact.profile_name, phone: contact.external_id, fields: contact.custom_fields ?? {}, tags: contact.tags ?? [] },
        businessOpen: calendar ? isOpen(calendar, now) : null,
      },
    }];
  }));
}

/** Applies a step: its messages, contact changes, handoff and resolve, then the session's new state. */
async function apply(
  deps: Deps, trx: Knex.Transaction, ctx: TurnContext, session: BotSessionRow, result: StepResult, batch: TurnBatch,
  extra: { burstAt?: Date; fastReplies?: number },
): Promise<void> {
  const now = ctx.env.now;
  let state = result.state;
  let steps = session.steps;
  const conversationPatch: Partial<ConversationRow> = {};
  let tags = [...ctx.contact.tags];
  let fields = { ...ctx.contact.custom_fields };
  let name: string | undefined;
  for (const effect of result.effects) {
    if (effect.kind === 'send') {
      const content: OutboundContent = effect.media
        ? { type: effect.media.type, uploadId: effect.media.uploadId, ...(effect.text ? { caption: effect.text } : {}) }
        : promptContent(ctx.env.channel, effect.text, effect.options, effect.buttonLabel);
      try {
        // Stored with the batch at the end of the transaction (flushTurns); the send-once key makes a replay store nothing.
        batch.outbound.push(await prepareOutbound(deps, trx, {
          ...content, conversationId: ctx.conv.id, origin: 'bot', clientId: `bot:${session.id}:${steps}`,
          // A millisecond apart, so the send worker keeps the step's messages in order.
          at: new Date(now.getTime() + (steps - session.steps)),
        }, { view: ctx.view, connection: ctx.connection }));
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        // The outbound path refused (window closed, license restricted…): the bot stops and says why.
        state = { ...state, status: 'failed', reason: err.code, dueInMs: null };
        break;
      }
      steps += 1;
    } else if (effect.kind === 'tags') {
      tags = [...tags.filter((t) => !effect.remove.includes(t)), ...effect.add.filter((t) => !tags.includes(t))];
    } else if (effect.kind === 'contact_field') {
      if (effect.name === 'nome' || effect.name === 'name') name = String(effect.value);
      else fields = { ...fields, [effect.name]: String(effect.value) };
    } else if (effect.kind === 'transfer') {
      Object.assign(conversationPatch, { team_id: effect.teamId ?? ctx.conv.team_id, assignee_id: effect.userId ?? null, human_since: now });
      await recordEvents(trx, [{ type: 'conversation.transferred', conversationId: ctx.conv.id, teamId: effect.teamId ?? ctx.conv.team_id, assigneeId: effect.userId ?? null, byUserId: null }]);
    } else if (effect.kind === 'resolve') {
      Object.assign(conversationPatch, { status: 'resolved', resolved_at: now });
      await recordEvents(trx, [{ type: 'conversation.resolved', conversationId: ctx.conv.id, byUserId: null }]);
    } else if (effect.kind === 'call_webhook') {
      batch.webhooks.push({ sessionId: session.id, steps });
    }
  }
  if (tags.join('\u0000') !== ctx.contact.tags.join('\u0000') || name !== undefined || JSON.stringify(fields) !== JSON.stringify(ctx.contact.custom_fields)) {
    await updateContact(trx, ctx.contact.id, { tags, custom_fields: fields, ...(name !== undefined ? { name } : {}) });
    batch.changed.add(ctx.conv.id);
  }
  const due = state.dueInMs !== null && isLive(state.status) ? new Date(now.getTime() + state.dueInMs) : null;
  // An async webhook's callback token is good only while the session waits for that callback: a step
  // that moves on (or enters another webhook node, which gets its own token) kills it.
  const callbackTokenHash = state.status === 'waiting_callback' ? undefined : null;
  batch.sessions.push(sessionWrite(session, state, { due, now, steps, callbackTokenHash, ...(extra.burstAt ? { burstAt: extra.burstAt } : {}), ...(extra.fastReplies !== undefined ? { fastReplies: extra.fastReplies } : {}) }));
  conversationPatch.bot_session_id = isLive(state.status) ? session.id : null;
  // Stopped for a reason a person must look at (an unhandled answer, a loop, a refused send): the queue takes it.
  if (state.status === 'failed' || state.status === 'handed_off') conversationPatch.human_since ??= now;
  await setConversation(trx, ctx.conv, conversationPatch, batch);
}

async function setConversation(trx: Knex.Transaction, conv: ConversationRow, patch: Partial<ConversationRow>, batch: TurnBatch): Promise<void> {
  const changed = Object.entries(patch).filter(([k, v]) => {
    const before = conv[k as keyof ConversationRow];
    return before instanceof Date && v instanceof Date ? before.getTime() !== v.getTime() : before !== v;
  });
  if (!changed.length) return;
  await updateConversation(trx, conv.id, Object.fromEntries(changed));
  batch.changed.add(conv.id);
}

/**
 * After the commit: dashboards hear of the messages and the conversation, the sends and the webhook call
 * are queued. A message's `message:new` carries the conversation as it stands (read after the commit), so
 * a turn that only sent messages needs no `conversation:updated` besides: one frame and one read fewer.
 */
async function finish(deps: Deps, batch: TurnBatch): Promise<void> {
  await announceOutboundMany(deps, batch.messages);
  for (const id of batch.changed) await pushConversation(deps, id).catch(() => {});
  for (const webhook of batch.webhooks) {
    // If the job is lost, the session's safety timer takes the webhook's error edge.
    await enqueue(deps, 'botWebhook', webhook).catch((err) => deps.log.warn({ err, ...webhook }, 'bot webhook job not queued; its timer will take the error edge'));
  }
}

/** The out-of-office reply: once per closed period per conversation, and only when no flow took the message. */
async function outOfOffice(deps: Deps, trx: Knex.Transaction, ctx: TurnContext, batch: TurnBatch): Promise<boolean> {
  const cal = ctx.calendar;
  if (!cal?.outOfOffice?.enabled || !cal.outOfOffice.text?.trim()) return false;
  const closedSince = closedPeriodStart(cal, ctx.env.now);
  if (!closedSince) return false;
  const period = closedSince.toISOString();
  if (ctx.conv.ooo_period === period) return false;
  try {
    const sent = await queueOutboundInTransaction(deps, trx, { type: 'text', text: cal.outOfOffice.text, conversationId: ctx.conv.id, origin: 'bot', clientId: `ooo:${period}` });
    if (sent.created) batch.messages.push(sent.message);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return false;
  }
  await setConversation(trx, ctx.conv, { ooo_period: period }, batch);
  return true;
}

/**
 * An attendant's message still on its way to Meta: a person is answering. The bot stops now, not when
 * Meta accepts it (its message.sent), so a slow or retried send does not let the bot talk over them.
 */
async function attendantWriting(trx: Knex.Transaction, conv: ConversationRow): Promise<boolean> {
  return (await attendantsWriting(trx, [conv])).has(conv.id);
}

/** The conversations, of these, with an attendant's message on its way. */
async function attendantsWriting(trx: Knex.Transaction, convs: ConversationRow[]): Promise<Set<string>> {
  if (!convs.length) return new Set();
  // connection_id + status lets the small messages_queued index answer, however long the threads.
  const rows: Array<{ conversation_id: string }> = await trx('messages')
    .whereIn('connection_id', [...new Set(convs.map((c) => c.connection_id))]).where({ status: 'queued', origin: 'agent' })
    .whereIn('conversation_id', convs.map((c) => c.id)).distinct('conversation_id');
  return new Set(rows.map((r) => r.conversation_id));
}

function inputOf(msg: MessageRow): { text: string | null; replyId: string | null } {
  const p = (msg.payload ?? {}) as Record<string, unknown>;
  const replyId = msg.type === 'interactive' ? (typeof p.id === 'string' ? p.id : null)
    : msg.type === 'button' ? (typeof p.payload === 'string' ? p.payload : null) : null;
  return { text: msg.body, replyId };
}

function stateOf(s: BotSessionRow): SessionState {
  return { nodeId: s.node_id, status: s.status, reason: s.reason, variables: s.variables ?? {}, retries: s.retries, reminders: s.reminders, visits: s.visits ?? {}, dueInMs: null };
}

async function isFirstInbound(trx: Knex.Transaction, msg: MessageRow): Promise<boolean> {
  const earlier = await trx('messages').where({ conversation_id: msg.conversation_id, direction: 'in' }).whereNot('id', msg.id)
    .where('at', '<=', msg.at).first('id');
  return !earlier;
}

/** Published versions never change: kept in memory once read. */
const definitions = new Map<string, FlowDefinition>();
async function definitionOf(db: Knex, versionId: string): Promise<FlowDefinition> {
  let def = definitions.get(versionId);
  if (!def) {
    def = await findVersionDefinition(db, versionId);
    if (!def) throw new Error(`flow version ${versionId} is missing`);
    if (definitions.size > 500) definitions.clear();
    definitions.set(versionId, def);
  }
  return def;
}

/** Bots run while the license is writable and the plan has the feature (a plan change ends sessions at their next step). */
function botBlocked(snap: LicenseSnapshot): string | null {
  if (snap.state === 'restricted') return 'license_restricted';
  return snap.lease?.plan.features.chatbot ? null : 'plan_feature_disabled';
}

export { LIVE_STATUSES };
