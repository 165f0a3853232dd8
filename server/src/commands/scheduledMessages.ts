import type { Knex } from 'knex';
import type { Deps } from '../deps.js';
import { AppError, conflict, notFound } from '../errors.js';
import { mimeFitsType } from '../messaging/whatsappSend.js';
import { authorizeSee, canSeeConversation, type ConversationScope } from '../policies/conversations.js';
import { assertWritable } from '../policies/license.js';
import type { Actor } from '../policies/roles.js';
import { SERVICE_WINDOW_MS } from '../presenters/conversation.js';
import { insertAudit } from '../repositories/audit.js';
import { findConnection } from '../repositories/connections.js';
import { findContact } from '../repositories/contacts.js';
import { findConversation, findOrOpenConversation, type ConversationRow } from '../repositories/conversations.js';
import type { MessageRow } from '../repositories/messages.js';
import {
  cancelOnCustomerMessage, claimDueScheduled, findScheduledMessageView, insertScheduledMessage, lastInboundOfContact, lockScheduledMessage,
  updateScheduledMessage, type ScheduledContent, type ScheduledMessageRow, type ScheduledMessageView,
} from '../repositories/scheduledMessages.js';
import { findUpload } from '../repositories/uploads.js';
import type { CreateScheduleInput, UpdateScheduleInput } from '../routes/scheduledMessages/schema.js';
import type { TemplateInput } from '../routes/outbound/schema.js';
import type { TemplateValues } from '../templates/templateParams.js';
import { storedTemplateContent } from '../templates/templateSend.js';
import { dueOccurrence } from '../schedules/recurrence.js';
import { announceOutbound, outsideServiceWindow, queueOutboundInTransaction, templateNotSupported, mediaNotSupportedOnInstagram, mediaTypeMismatch } from './sendMessage.js';

/**
 * Scheduled messages (issue #13 §4): an attendant schedules a text, media or template in a conversation
 * (or to a contact), once or repeating, sees, edits and cancels it while it is pending. The worker
 * (schedules/scheduleTasks.ts) sends each occurrence exactly once: the due time is the row's send_at,
 * claimed with FOR UPDATE SKIP LOCKED, and the message is queued in the same transaction that moves
 * the row on, with the send-once key `schedule:<id>:<occurrence>`.
 */

/** A sendAt this far in the past is still taken (clock skew, a slow form): it goes out at the next tick. */
const PAST_TOLERANCE_MS = 60_000;

export const sendAtInPast = () => new AppError(422, 'send_at_in_past', 'sendAt: the time has passed; choose a time in the future');
export const repeatUntilBeforeSendAt = () => new AppError(422, 'repeat_until_before_send_at', 'repeatUntil: must not be before sendAt');
export const scheduleNotEditable = (status: string) =>
  conflict('schedule_not_editable', `this scheduled message is ${status}: only pending ones can be changed or cancelled`);

const scopeOf = (v: ScheduledMessageView): ConversationScope => ({ team_id: v.scope_team_id, assignee_id: v.scope_assignee_id });

/** The item, if the actor sees its conversation (404 otherwise: others' data is not confirmed to exist). */
export async function visibleSchedule(deps: Deps, actor: Actor, id: string, db: Knex = deps.db): Promise<ScheduledMessageView> {
  const v = await findScheduledMessageView(db, id);
  if (!v || !canSeeConversation(actor, scopeOf(v))) throw notFound('scheduled message');
  return v;
}

/** Checks a content against the channel and the actor's uploads, as the send would (templates: resolveTemplates). */
async function checkContent(db: Knex, actor: Actor, channel: string, content: ScheduledContent) {
  if (channel === 'instagram' && content.type === 'sticker') throw mediaNotSupportedOnInstagram();
  if (content.type !== 'text' && content.type !== 'template') {
    const upload = await findUpload(db, content.uploadId);
    if (!upload || upload.uploader_user_id !== actor.id) throw notFound('upload');
    if (!mimeFitsType(upload.mime, content.type)) throw mediaTypeMismatch(upload.mime, content.type);
  }
}

type ContentInput = NonNullable<UpdateScheduleInput['content']>;
type FallbackInput = UpdateScheduleInput['fallbackTemplate'];

/**
 * A synced template chosen with its parameters ({ templateId, params }) becomes Meta's shape now, checked
 * as a send would check it (this connection's, approved, every parameter: template_params_invalid), so a
 * mistake is refused when the item is saved rather than found failed at its time. `undefined` stays
 * undefined (not being changed).
 */
async function resolveTemplates<C extends ContentInput | undefined>(db: Knex, connection: { id: string; channel: string }, content: C, fallback: FallbackInput):
Promise<{ content: C extends undefined ? undefined : ScheduledContent; fallback: TemplateInput | null | undefined }> {
  if (connection.channel === 'instagram' && (content?.type === 'template' || fallback)) throw templateNotSupported();
  const stored = (templateId: string, params: TemplateValues | undefined) => storedTemplateContent(db, connection.id, templateId, params ?? {});
  let resolved: ScheduledContent | undefined = content as ScheduledContent | undefined;
  if (content?.type === 'template') resolved = content.template ? { type: 'template', template: content.template } : await stored(content.templateId!, content.params);
  const fb = fallback?.templateId ? (await stored(fallback.templateId, fallback.params)).template : fallback as TemplateInput | null | undefined;
  return { content: resolved as C extends undefined ? undefined : ScheduledContent, fallback: fb };
}

function checkTimes(now: Date, sendAt: Date, repeatUntil: Date | null | undefined) {
  if (sendAt.getTime() < now.getTime() - PAST_TOLERANCE_MS) throw sendAtInPast();
  if (repeatUntil && repeatUntil.getTime() < sendAt.getTime()) throw repeatUntilBeforeSendAt();
}

/** The contact's open conversation, else its latest one: where a contact's schedule is shown and sent. */
async function conversationOfContact(db: Knex, contactId: string): Promise<ConversationRow | undefined> {
  return db('conversations').where({ contact_id: contactId }).orderByRaw(`(status = 'open') desc, last_message_at desc`).first();
}

export async function createScheduledMessage(deps: Deps, actor: Actor, input: CreateScheduleInput, ip: string): Promise<ScheduledMessageView> {
  assertWritable(await deps.license.snapshot());
  const now = deps.now();
  let connectionId: string;
  let contactId: string;
  let conversationId: string | null = null;
  if (input.conversationId) {
    const conv = await findConversation(deps.db, input.conversationId);
    authorizeSee(actor, conv);
    ({ connection_id: connectionId, contact_id: contactId, id: conversationId } = conv as ConversationRow);
  } else {
    const contact = await findContact(deps.db, input.contactId!);
    const connection = contact && contact.connection_id === input.connectionId ? await findConnection(deps.db, input.connectionId) : undefined;
    if (!contact || !connection) throw notFound('contact');
    const conv = await conversationOfContact(deps.db, contact.id);
    // Never written to here: seen by whoever sees the connection's unassigned conversations.
    authorizeSee(actor, conv ?? { team_id: connection.team_id, assignee_id: null });
    connectionId = connection.id;
    contactId = contact.id;
    conversationId = conv?.id ?? null;
  }
  const connection = await findConnection(deps.db, connectionId);
  if (!connection) throw conflict('connection_removed', 'the connection of this conversation was removed: nothing can be sent through it');
  const { content, fallback: fallbackTemplate } = await resolveTemplates(deps.db, connection, input.content, input.fallbackTemplate);
  await checkContent(deps.db, actor, connection.channel, content);
  checkTimes(now, input.sendAt, input.recurrence === 'none' ? null : input.repeatUntil);

  const id = await deps.db.transaction(async (trx) => {
    const row = await insertScheduledMessage(trx, {
      connection_id: connectionId, contact_id: contactId, conversation_id: conversationId,
      content, fallback_template: fallbackTemplate ?? null,
      send_at: input.sendAt, recurrence: input.recurrence, repeat_until: input.recurrence === 'none' ? null : input.repeatUntil ?? null,
      max_lateness_seconds: input.maxLatenessSeconds, cancel_if_customer_writes: input.cancelIfCustomerWrites,
      created_by: actor.id, created_at: now, updated_at: now,
    });
    await insertAudit(trx, {
      actorUserId: actor.id, action: 'scheduled_message.create', subjectType: 'scheduled_message', subjectId: row.id, ip,
      detail: { conversationId, type: content.type, sendAt: input.sendAt.toISOString(), recurrence: input.recurrence },
    });
    return row.id;
  });
  return (await findScheduledMessageView(deps.db, id))!;
}

export async function changeScheduledMessage(deps: Deps, actor: Actor, id: string, input: UpdateScheduleInput, ip: string): Promise<ScheduledMessageView> {
  assertWritable(await deps.license.snapshot());
  await deps.db.transaction(async (trx) => {
    const view = await visibleSchedule(deps, actor, id, trx);
    // Under the row lock: a worker sending it now holds the lock, and after its commit it is no longer pending.
    const row = (await lockScheduledMessage(trx, id))!;
    if (row.status !== 'pending') throw scheduleNotEditable(row.status);
    const now = deps.now();
    const resolved = await resolveTemplates(trx, { id: row.connection_id, channel: view.channel }, input.content, input.fallbackTemplate);
    const content = resolved.content ?? row.content;
    const fallback = input.fallbackTemplate === undefined ? row.fallback_template : resolved.fallback ?? null;
    if (input.content) await checkContent(trx, actor, view.channel, content);
    const recurrence = input.recurrence ?? row.recurrence;
    const sendAt = input.sendAt ?? row.send_at;
    const repeatUntil = recurrence === 'none' ? null : input.repeatUntil === undefined ? row.repeat_until : input.repeatUntil;
    if (input.sendAt) checkTimes(now, sendAt, repeatUntil);
    else if (repeatUntil && repeatUntil.getTime() < sendAt.getTime()) throw repeatUntilBeforeSendAt();
    const patch: Record<string, unknown> = {
      content, fallback_template: fallback, recurrence, repeat_until: repeatUntil, send_at: sendAt, updated_at: now,
      max_lateness_seconds: input.maxLatenessSeconds ?? row.max_lateness_seconds,
      cancel_if_customer_writes: input.cancelIfCustomerWrites ?? row.cancel_if_customer_writes,
    };
    // A new time or rhythm re-anchors the series at the pending occurrence (its number keeps growing).
    if (input.sendAt || input.recurrence) Object.assign(patch, { anchor_at: sendAt, anchor_occurrence: row.occurrence });
    await updateScheduledMessage(trx, id, patch);
    await insertAudit(trx, {
      actorUserId: actor.id, action: 'scheduled_message.update', subjectType: 'scheduled_message', subjectId: id, ip,
      detail: { fields: Object.keys(input).filter((k) => (input as Record<string, unknown>)[k] !== undefined) },
    });
  });
  return (await findScheduledMessageView(deps.db, id))!;
}

export async function cancelScheduledMessage(deps: Deps, actor: Actor, id: string, ip: string): Promise<ScheduledMessageView> {
  assertWritable(await deps.license.snapshot());
  await deps.db.transaction(async (trx) => {
    await visibleSchedule(deps, actor, id, trx);
    const row = (await lockScheduledMessage(trx, id))!;
    if (row.status !== 'pending') throw scheduleNotEditable(row.status);
    const now = deps.now();
    await updateScheduledMessage(trx, id, { status: 'cancelled', cancel_reason: 'cancelled_by_user', cancelled_by: actor.id, cancelled_at: now, updated_at: now });
    await insertAudit(trx, { actorUserId: actor.id, action: 'scheduled_message.cancel', subjectType: 'scheduled_message', subjectId: id, ip });
  });
  return (await findScheduledMessageView(deps.db, id))!;
}

/** The customer wrote (event subscriber): their pending items that ask for it are cancelled. Idempotent. */
export async function cancelSchedulesOnCustomerMessage(deps: Deps, contactId: string, at: Date): Promise<number> {
  const cancelled = await cancelOnCustomerMessage(deps.db, contactId, at, deps.now());
  return cancelled.length;
}

// ─────────── The worker's side ───────────

type Outcome =
  | { status: 'sent'; message: MessageRow; created: boolean; conversationId: string }
  | { status: 'failed' | 'expired'; code: string; detail: string };

/** License states in which nothing may be sent now, but may later: the item waits (or expires by its lateness). */
const WAIT_CODES = new Set(['license_restricted', 'not_activated']);
const WAIT = Symbol('wait');

/**
 * Sends the item's due occurrence, if it is still pending and due and no other worker holds it; moves
 * it on (the next occurrence, or its final status) in the same transaction. Returns what happened, or
 * null when there was nothing to do. A crash before the commit leaves it pending and unsent.
 */
export async function runDueSchedule(deps: Deps, id: string): Promise<string | null> {
  const announce: MessageRow[] = [];
  const result = await deps.db.transaction(async (trx): Promise<string | null> => {
    const now = deps.now();
    const item = await claimDueScheduled(trx, id, now);
    if (!item) return null;
    const lastIn = await lastInboundOfContact(trx, item.contact_id);
    // The subscriber cancels these when the message is received; this covers a subscriber that lags behind.
    if (item.cancel_if_customer_writes && lastIn && lastIn.getTime() > item.created_at.getTime()) {
      await updateScheduledMessage(trx, id, { status: 'cancelled', cancel_reason: 'customer_wrote', cancelled_at: now, updated_at: now });
      return 'cancelled';
    }
    const due = dueOccurrence({
      anchor: item.anchor_at, recurrence: item.recurrence, from: item.occurrence - item.anchor_occurrence,
      repeatUntil: item.repeat_until, timeZone: deps.config.APP_TIMEZONE,
    }, now);
    const occurrence = item.anchor_occurrence + due.index;
    const lateMs = now.getTime() - due.at.getTime();
    let outcome: Outcome;
    if (lateMs > item.max_lateness_seconds * 1000) {
      outcome = {
        status: 'expired', code: 'max_lateness_exceeded',
        detail: `due at ${due.at.toISOString()}, reached ${Math.round(lateMs / 1000)} s late (the limit is ${item.max_lateness_seconds} s)`,
      };
    } else {
      const sent = await sendOccurrence(deps, trx, item, occurrence, now);
      // Rolled back whole (a conversation opened for it included): it stays pending.
      if (sent === 'wait') throw WAIT;
      outcome = sent;
    }
    if (outcome.status === 'sent' && outcome.created) announce.push(outcome.message);
    const patch: Record<string, unknown> = {
      updated_at: now,
      skipped: item.skipped + due.passedOver + (outcome.status === 'expired' ? 1 : 0),
      occurrence,
      error_code: outcome.status === 'sent' ? null : outcome.code,
      error_detail: outcome.status === 'sent' ? null : outcome.detail,
    };
    if (outcome.status === 'sent') {
      Object.assign(patch, { occurrences: item.occurrences + 1, last_message_id: outcome.message.id, last_sent_at: now, conversation_id: outcome.conversationId });
    }
    if (due.next) Object.assign(patch, { status: 'pending', send_at: due.next.at, occurrence: item.anchor_occurrence + due.next.index });
    else Object.assign(patch, { status: outcome.status, send_at: due.at });
    await updateScheduledMessage(trx, id, patch);
    return outcome.status;
  }).catch((err) => {
    if (err === WAIT) return 'waiting';
    throw err;
  });
  for (const m of announce) await announceOutbound(deps, m);
  return result;
}

/**
 * One occurrence: the 24-hour window decides at this moment — the content inside it (or a template
 * anytime), the fallback template outside it, or `outside_service_window` on the item. Never a silent loss.
 */
async function sendOccurrence(deps: Deps, trx: Knex.Transaction, item: ScheduledMessageRow, occurrence: number, now: Date): Promise<Outcome | 'wait'> {
  const open: ConversationRow | undefined = await trx('conversations').where({ contact_id: item.contact_id, status: 'open' }).first();
  let target = open ?? (item.conversation_id ? await findConversation(trx, item.conversation_id) : await conversationOfContact(trx, item.contact_id));
  const windowEnd = target?.last_inbound_at ? new Date(target.last_inbound_at.getTime() + SERVICE_WINDOW_MS) : null;
  const windowOpen = !!windowEnd && windowEnd.getTime() > now.getTime();
  let content: ScheduledContent;
  if (item.content.type === 'template' || windowOpen) content = item.content;
  else if (item.fallback_template) content = { type: 'template', template: item.fallback_template };
  else {
    const e = outsideServiceWindow(windowEnd);
    return { status: 'failed', code: e.code, detail: e.message };
  }
  if (!target) {
    // A contact who never had a conversation: a template opens one in the connection's team.
    const connection = await findConnection(trx, item.connection_id);
    if (!connection) return { status: 'failed', code: 'connection_removed', detail: 'the connection was removed: nothing can be sent through it' };
    target = (await findOrOpenConversation(trx, { connectionId: item.connection_id, contactId: item.contact_id, teamId: connection.team_id, at: now })).conversation;
  }
  try {
    // A savepoint: a refusal undoes only what this send wrote, and the item records it.
    const { message, created } = await trx.transaction((sp) => queueOutboundInTransaction(deps, sp, {
      ...content, conversationId: target.id, origin: 'agent', senderUserId: item.created_by, clientId: `schedule:${item.id}:${occurrence}`,
    }));
    return { status: 'sent', message, created, conversationId: target.id };
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    if (WAIT_CODES.has(err.code)) return 'wait';
    return { status: 'failed', code: err.code, detail: err.message };
  }
}
