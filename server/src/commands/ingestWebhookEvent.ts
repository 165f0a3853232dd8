import type { Knex } from 'knex';
import type { Deps } from '../deps.js';
import { cleanJson } from '#kit/text.js';
import { digitsOnly, whatsAppMatchKey } from '../lib/phone.js';
import type { InboundEvent, InboundMessage, InboundStatus } from '../messaging/inboundEvent.js';
import { INBOUND_LIMITS, screenEvents, type SetAsideItem } from '../messaging/inboundLimits.js';
import { parseInstagram } from '../messaging/parseInstagram.js';
import { parseWhatsApp } from '../messaging/parseWhatsApp.js';
import { openConnection } from '../messaging/connectionDirectory.js';
import { messageUpdateEvent, newMessageEvent } from '../realtime/conversationEvents.js';
import { publishRealtime, type RealtimeEvent } from '../realtime/publish.js';
import type { ConnectionRow } from '../repositories/connections.js';
import { insertSetAside } from '../repositories/inboundSetAside.js';
import { upsertContacts, type ContactRow, type ContactSighting } from '../repositories/contacts.js';
import { findOrOpenConversations, noteMessages, type ConversationRow, type ConversationView } from '../repositories/conversations.js';
import {
  applyDeliveryStatus, insertMessages, keepPendingStatus, lockProviderMessageId, storedProviderIds, takePendingStatuses, type MessageRow,
} from '../repositories/messages.js';
import {
  lockDueEvents, lockUnprocessedEvent, markEventProcessed, markEventsProcessed, noteEventFailure, type WebhookEventRow,
} from '../repositories/webhookEvents.js';
import { enqueueMediaDownload } from './downloadMedia.js';
import { failpoint } from '../lib/failpoint.js';
import { reconcileStatus } from './reconcileSend.js';
import { enqueue } from '../queues/enqueue.js';
import type { DomainEvent } from '../events/domainEvents.js';
import { recordEvents } from '../repositories/domainEvents.js';
import { applyAccountUpdates, parseAccountUpdates, type AccountUpdate } from '../templates/accountUpdates.js';

/** After this many failed attempts an event is set aside (processed, last_error `gave_up: …`) so it stops costing retries. */
export const MAX_INGEST_ATTEMPTS = 10;
const MAX_RETRY_DELAY_MS = 10 * 60_000;

/** What a processed event changed, pushed to the dashboards once it is committed. */
interface Effects {
  created: MessageRow[];
  updated: Map<string, MessageRow>;
  /** Each touched conversation as it stands after the batch, built from rows already in hand. */
  conversations: Map<string, ConversationView>;
  media: string[];
  counts: { messages: number; duplicates: number; statuses: number; pending: number; skipped: number; setAside: number; retimed: number };
}

/** Events one transaction takes at most: the per-transaction costs (BEGIN, locks, COMMIT, a job) are shared. */
export const INGEST_BATCH = 50;

/**
 * Turns stored webhook bodies into contacts, conversations, messages and delivery states. The due events
 * (oldest first, up to INGEST_BATCH) are processed in ONE transaction: either all of them are stored and
 * marked processed, or none (a crash leaves them for the next try). Safe to run twice and concurrently:
 * events are claimed with skip locked, and messages are unique by the provider's id. If the batch fails,
 * its events are processed one by one, so one bad event cannot hold the others back.
 * Returns how many events a successful batch took (0 after a failed one).
 */
export async function ingestDueEvents(deps: Deps): Promise<number> {
  let claimed: string[] = [];
  let effects: Effects | null;
  try {
    effects = await deps.db.transaction(async (trx) => {
      const events = await lockDueEvents(trx, INGEST_BATCH);
      claimed = events.map((e) => String(e.id));
      if (!events.length) return null;
      const fx = emptyEffects();
      const processed: string[] = [];
      const parsed: Parsed[] = [];
      for (const event of events) {
        const p = await parseEvent(deps, event, fx);
        if (typeof p === 'string') await markEventProcessed(trx, String(event.id), p);
        else {
          parsed.push(p);
          processed.push(String(event.id));
        }
      }
      await storeParsed(trx, parsed, fx);
      failpoint('ingest.before_commit', deps);
      await markEventsProcessed(trx, processed);
      deps.log.info({ events: events.length, ...fx.counts }, 'webhook events ingested');
      return fx;
    });
  } catch (err) {
    if (claimed.length > 1) deps.log.warn({ events: claimed.length, err: (err as Error).message }, 'webhook batch failed; processing its events one by one');
    for (const id of claimed) await ingestWebhookEvent(deps, id).catch(() => {});
    // 0 stops a drain: if the database is failing, the next wake-up or sweep tries again, no tight loop.
    return 0;
  }
  if (effects) await publishEffects(deps, effects);
  return claimed.length;
}

/**
 * One event on its own, with failure accounting: attempts, a growing wait before the next try, and set
 * aside (`gave_up: …`) after MAX_INGEST_ATTEMPTS.
 */
export async function ingestWebhookEvent(deps: Deps, eventId: string): Promise<'processed' | 'skipped' | 'gave_up'> {
  let effects: Effects | null;
  try {
    effects = await deps.db.transaction(async (trx) => {
      const event = await lockUnprocessedEvent(trx, eventId);
      if (!event) return null; // done already, or another worker has it right now
      const fx = emptyEffects();
      const p = await parseEvent(deps, event, fx);
      if (typeof p !== 'string') await storeParsed(trx, [p], fx);
      failpoint('ingest.before_commit', deps);
      await markEventProcessed(trx, eventId, typeof p === 'string' ? p : null);
      return fx;
    });
  } catch (err) {
    if (isDataError(err)) {
      // Something in this body PostgreSQL refuses: store it item by item, setting aside only what fails.
      effects = await ingestItemByItem(deps, eventId);
      if (!effects) return 'skipped';
      await publishEffects(deps, effects);
      return 'processed';
    }
    const message = err instanceof Error ? err.message : String(err);
    const attempts = await noteEventFailure(deps.db, eventId, message, MAX_RETRY_DELAY_MS).catch(() => 0);
    if (attempts >= MAX_INGEST_ATTEMPTS) {
      await markEventProcessed(deps.db, eventId, `gave_up: ${message}`.slice(0, 1000));
      deps.log.error({ eventId, attempts, err: message }, 'webhook event given up after repeated failures');
      return 'gave_up';
    }
    deps.log.warn({ eventId, attempts, err: message }, 'webhook event failed; will retry');
    throw err;
  }
  if (!effects) return 'skipped';
  await publishEffects(deps, effects);
  return 'processed';
}

/**
 * The last resort for a body that failed as a whole with a data error: each of its messages and
 * statuses in a savepoint of its own. What still fails with a data error is set aside, alone, with the
 * error as its reason; everything else in the body is stored. A failure that is not about the data (the
 * database went away) fails the whole event, which is retried as usual.
 */
async function ingestItemByItem(deps: Deps, eventId: string): Promise<Effects | null> {
  return deps.db.transaction(async (trx) => {
    const event = await lockUnprocessedEvent(trx, eventId);
    if (!event) return null;
    const fx = emptyEffects();
    const p = await parseEvent(deps, event, fx);
    if (typeof p === 'string') {
      await markEventProcessed(trx, eventId, p);
      return fx;
    }
    const failed: SetAsideItem[] = [];
    if (p.updates.length) await trx.transaction((sp) => applyAccountUpdates(sp, p.connection, p.updates));
    for (const e of p.events) {
      const own = emptyEffects();
      try {
        await trx.transaction((sp) => storeParsed(sp, [{ ...p, events: [e], setAside: [], updates: [] }], own));
        mergeEffects(fx, own);
      } catch (err) {
        if (!isDataError(err)) throw err;
        failed.push({ kind: e.kind, providerId: e.providerMessageId.slice(0, INBOUND_LIMITS.providerIdChars), reason: (err as Error).message, item: null });
      }
    }
    for (const item of [...p.setAside, ...failed]) {
      // The item itself may be what PostgreSQL refuses: then the reason is kept without it.
      await trx.transaction((sp) => insertSetAside(sp, p.connection.id, eventId, [item]))
        .catch(() => insertSetAside(trx, p.connection.id, eventId, [{ ...item, item: null }]));
    }
    fx.counts.setAside += p.setAside.length + failed.length;
    deps.log.warn({ eventId, setAside: fx.counts.setAside, stored: fx.counts.messages + fx.counts.statuses }, 'webhook event stored item by item');
    await markEventProcessed(trx, eventId, null);
    return fx;
  });
}

function mergeEffects(into: Effects, from: Effects): void {
  into.created.push(...from.created);
  for (const [k, v] of from.updated) into.updated.set(k, v);
  for (const [k, v] of from.conversations) into.conversations.set(k, v);
  into.media.push(...from.media);
  for (const k of Object.keys(from.counts) as Array<keyof Effects['counts']>) into.counts[k] += from.counts[k];
}

/**
 * An error that trying again cannot fix: PostgreSQL refusing a value (SQLSTATE class 22 data exception,
 * 54 program limit such as an index row too large) or our own code choking on it. Connection failures,
 * deadlocks and shutdowns are not: those are retried.
 */
export function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code.startsWith('22') || code.startsWith('54');
  return err instanceof RangeError || err instanceof TypeError || err instanceof SyntaxError;
}

interface Parsed {
  eventId: string;
  connection: ConnectionRow;
  events: InboundEvent[];
  /** Items that cannot be stored faithfully (inboundLimits.ts), kept aside with their reason. */
  setAside: SetAsideItem[];
  /** Template status/quality and number quality webhooks (templates/accountUpdates.ts). */
  updates: AccountUpdate[];
}

/** What one stored event says, or the reason it is set aside instead. */
async function parseEvent(deps: Deps, event: WebhookEventRow, fx: Effects): Promise<Parsed | string> {
  const connection = (await openConnection(deps, event.connection_id))?.row;
  let body: unknown;
  try {
    // Every string and key cleaned for PostgreSQL (NUL, unpaired surrogates), absurd nesting cut.
    const cleaned = cleanJson(JSON.parse(event.raw.toString('utf8')) as unknown, { maxDepth: INBOUND_LIMITS.depth });
    if (cleaned.cut) deps.log.warn({ eventId: event.id }, `webhook body nested deeper than ${INBOUND_LIMITS.depth} levels: the deeper part is dropped`);
    body = cleaned.value;
  } catch {
    body = undefined;
  }
  if (!connection || body === undefined) {
    // Deterministic: retrying cannot help. (The webhook route only stores parseable bodies.)
    const reason = !connection ? 'gave_up: connection_missing' : 'gave_up: malformed_json';
    deps.log.error({ eventId: event.id, reason }, 'webhook event set aside');
    return reason;
  }
  // Times are judged against when the body reached us, not when a (perhaps late) worker reads it.
  const receivedAt = event.received_at;
  const parsed = connection.channel === 'whatsapp'
    ? parseWhatsApp(body, connection.external_id, receivedAt)
    : parseInstagram(body, connection.external_id, receivedAt);
  const screened = screenEvents(parsed.events, receivedAt);
  fx.counts.skipped += parsed.skipped;
  fx.counts.retimed += screened.retimed;
  const updates = connection.channel === 'whatsapp' ? parseAccountUpdates(body, connection, receivedAt) : [];
  return { eventId: String(event.id), connection, events: screened.events, setAside: screened.setAside, updates };
}

/**
 * Stores the messages of a batch per connection with a handful of statements (not a handful per message),
 * then the statuses, in arrival order — after the messages, so a status and its message in one batch meet.
 */
async function storeParsed(trx: Knex.Transaction, parsed: Parsed[], fx: Effects): Promise<void> {
  const byConnection = new Map<string, { connection: ConnectionRow; messages: InboundMessage[] }>();
  for (const p of parsed) {
    const group = byConnection.get(p.connection.id) ?? { connection: p.connection, messages: [] };
    byConnection.set(p.connection.id, group);
    for (const e of p.events) if (e.kind === 'message') group.messages.push(e);
  }
  for (const { connection, messages } of byConnection.values()) await storeMessages(trx, connection, messages, fx);
  for (const p of parsed) {
    for (const e of p.events) if (e.kind === 'status') await storeStatus(trx, p.connection, e, fx);
  }
  for (const p of parsed) if (p.updates.length) await applyAccountUpdates(trx, p.connection, p.updates);
  for (const p of parsed) {
    await insertSetAside(trx, p.connection.id, p.eventId, p.setAside);
    fx.counts.setAside += p.setAside.length;
  }
}

function emptyEffects(): Effects {
  return {
    created: [], updated: new Map(), conversations: new Map(), media: [],
    counts: { messages: 0, duplicates: 0, statuses: 0, pending: 0, skipped: 0, setAside: 0, retimed: 0 },
  };
}

async function storeMessages(trx: Knex.Transaction, connection: ConnectionRow, all: InboundMessage[], fx: Effects): Promise<void> {
  // A redelivery stores nothing, and must not open a conversation either (the old one may be resolved).
  const stored = await storedProviderIds(trx, connection.id, all.map((m) => m.providerMessageId));
  const fresh = new Map<string, InboundMessage>();
  for (const m of all) if (!stored.has(m.providerMessageId) && !fresh.has(m.providerMessageId)) fresh.set(m.providerMessageId, m);
  fx.counts.duplicates += all.length - fresh.size;
  if (!fresh.size) return;
  const messages = [...fresh.values()];

  const whatsapp = connection.channel === 'whatsapp';
  const keyOf = (m: InboundMessage) => (whatsapp ? whatsAppMatchKey(m.customerId) : m.customerId);
  // One sighting per person: the latest message decides the id form; any message may bring the name.
  const sightings = new Map<string, ContactSighting>();
  for (const m of messages) {
    const key = keyOf(m);
    const seen = sightings.get(key);
    const candidate: ContactSighting = {
      externalId: whatsapp ? digitsOnly(m.customerId) : m.customerId, matchKey: key,
      profileName: m.profileName ?? seen?.profileName ?? null, fromCustomer: m.direction === 'in', at: m.at,
    };
    const later = !seen || (candidate.fromCustomer && (!seen.fromCustomer || candidate.at >= seen.at));
    sightings.set(key, later ? candidate : { ...seen, profileName: m.profileName ?? seen.profileName ?? null });
  }
  const contacts = await upsertContacts(trx, connection.id, [...sightings.values()]);
  const conversations = await findOrOpenConversations(trx, {
    connectionId: connection.id,
    teamId: connection.team_id,
    contacts: [...contacts.values()].map((c) => ({ contactId: c.id, at: messages.find((m) => keyOf(m) === c.match_key)!.at })),
  });
  const conversationOf = (m: InboundMessage) => conversations.get(contacts.get(keyOf(m))!.id)!.conversation;

  const rows = await insertMessages(trx, messages.map((m) => {
    const inbound = m.direction === 'in';
    return {
      conversation_id: conversationOf(m).id,
      connection_id: connection.id,
      direction: m.direction,
      // An outbound message arriving by webhook was written by a person in the WhatsApp Business app or Instagram.
      origin: inbound ? 'customer' as const : 'business_app' as const,
      provider_message_id: m.providerMessageId,
      type: m.type,
      body: m.body,
      payload: m.payload,
      status: inbound ? 'received' as const : 'sent' as const,
      at: m.at,
      sent_at: inbound ? null : m.at,
      ...(m.media
        ? {
            media_provider_id: m.media.providerId, media_mime: m.media.mime, media_sha256: m.media.sha256,
            media_filename: m.media.filename, media_status: 'pending' as const,
          }
        : {}),
    };
  }));
  fx.counts.duplicates += messages.length - rows.length; // a concurrent worker stored those first
  await recordEvents(trx, rows.map((row): DomainEvent => {
    const base = { conversationId: row.conversation_id, messageId: row.id, connectionId: connection.id, at: row.at.toISOString() };
    return row.direction === 'in'
      ? { type: 'message.received', ...base, contactId: conversationOf(fresh.get(row.provider_message_id!)!).contact_id }
      : { type: 'message.sent', ...base, origin: row.origin, senderUserId: null };
  }));

  const notes = new Map<string, { id: string; at: Date; preview: string | null; inbound: number; inboundAt: Date | null }>();
  for (const row of rows) {
    const m = fresh.get(row.provider_message_id!)!;
    let final = row;
    if (row.direction === 'out') {
      // A status (an Instagram read, say) may have come before its message.
      for (const s of await takePendingStatuses(trx, connection.id, m.providerMessageId)) {
        const applied = await applyDeliveryStatus(trx, connection.id, m.providerMessageId, { status: s.status, at: new Date(s.at), error: s.error });
        if (applied?.changed) final = applied.message;
      }
    }
    // Echoes are the business's words: no unread count, no move of the customer-service window.
    const inbound = row.direction === 'in';
    const note = notes.get(row.conversation_id) ?? { id: row.conversation_id, at: m.at, preview: previewOf(m), inbound: 0, inboundAt: null };
    if (m.at >= note.at) Object.assign(note, { at: m.at, preview: previewOf(m) });
    if (inbound) Object.assign(note, { inbound: note.inbound + 1, inboundAt: note.inboundAt && note.inboundAt > m.at ? note.inboundAt : m.at });
    notes.set(row.conversation_id, note);
    fx.created.push(final);
    if (m.media) fx.media.push(row.id);
    fx.counts.messages++;
  }
  const contactById = new Map([...contacts.values()].map((c) => [c.id, c]));
  for (const after of await noteMessages(trx, [...notes.values()])) {
    fx.conversations.set(after.id, viewOf(after, contactById.get(after.contact_id)!, connection));
  }
}

async function storeStatus(trx: Knex.Transaction, connection: ConnectionRow, s: InboundStatus, fx: Effects): Promise<void> {
  await lockProviderMessageId(trx, connection.id, s.providerMessageId);
  // A wamid we never stored whose callback data names a send of ours cut by a crash: it is that send's.
  const applied = await applyDeliveryStatus(trx, connection.id, s.providerMessageId, { status: s.status, at: s.at, error: s.error })
    ?? (s.ourMessageId ? await reconcileStatus(trx, connection.id, s) : null);
  if (!applied) {
    // Meta's status beat our own record of the send (or names a message we never stored).
    await keepPendingStatus(trx, { connectionId: connection.id, providerMessageId: s.providerMessageId, status: s.status, at: s.at, error: s.error });
    fx.counts.pending++;
    return;
  }
  if (applied.changed) fx.updated.set(applied.message.id, applied.message);
  fx.counts.statuses++;
}

const PREVIEW_CHARS = 140;

function previewOf(m: InboundMessage): string {
  const text = m.body?.trim();
  if (text) return text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS - 1)}…` : text;
  return `[${m.type}]`;
}

function viewOf(c: ConversationRow, contact: ContactRow, connection: ConnectionRow): ConversationView {
  return {
    ...c,
    contact_name: contact.name, contact_profile_name: contact.profile_name, contact_external_id: contact.external_id,
    contact_tags: contact.tags, channel: connection.channel, connection_name: connection.name,
  };
}

/**
 * After commit: live events to exactly the people who see each conversation, in one Redis publish, then
 * media downloads. A new message carries its conversation as it now stands (order, preview, unread), so
 * the dashboard needs one frame per message, not two.
 */
async function publishEffects(deps: Deps, fx: Effects): Promise<void> {
  const events: RealtimeEvent[] = [];
  for (const m of fx.created) {
    const view = fx.conversations.get(m.conversation_id);
    if (view) events.push(newMessageEvent(view, m));
  }
  const unknown = [...new Set([...fx.updated.values()].map((m) => m.conversation_id).filter((id) => !fx.conversations.has(id)))];
  const scopes = new Map<string, { team_id: string | null; assignee_id: string | null }>(
    unknown.length ? (await deps.db('conversations').whereIn('id', unknown).select('id', 'team_id', 'assignee_id')).map((r) => [r.id, r]) : [],
  );
  for (const m of fx.updated.values()) {
    const scope = fx.conversations.get(m.conversation_id) ?? scopes.get(m.conversation_id);
    if (scope) events.push(messageUpdateEvent(scope, m));
  }
  await publishRealtime(deps.redis, events);
  for (const id of fx.media) enqueueMediaDownload(deps, id);
}

/** Stored events within this window share one wake-up job. */
const WAKE_COALESCE_MS = 5;
const wakeTimers = new WeakMap<object, NodeJS.Timeout>();

/**
 * Wakes a worker for stored events. Not awaited by the webhook's answer: the event is already safe in
 * PostgreSQL, and if Redis is down or loses the job, the worker's sweeper processes the event anyway.
 * Events stored within a few milliseconds share one job, created after all of them are committed, so
 * at a thousand webhooks a second the queue carries a couple of hundred jobs, not a thousand; each job
 * drains every due event in batches.
 */
export function wakeIngest(deps: Deps): void {
  const queue = deps.queues?.ingest;
  if (!queue || wakeTimers.has(queue)) return;
  wakeTimers.set(queue, setTimeout(() => {
    wakeTimers.delete(queue);
    enqueue(deps, 'ingest', {})
      .catch((err: Error) => deps.log.warn({ err: err.message }, 'ingest wake-up not queued; the sweeper will pick the events up'));
  }, WAKE_COALESCE_MS));
}

/** Processes due events until none are left (a batch comes back short). */
export async function drainDueEvents(deps: Deps): Promise<void> {
  while ((await ingestDueEvents(deps)) === INGEST_BATCH);
}
