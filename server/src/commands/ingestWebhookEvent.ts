import type { Knex } from 'knex';
import type { Deps } from '../deps.js';
import { digitsOnly, whatsAppMatchKey } from '../lib/phone.js';
import type { InboundMessage, InboundStatus } from '../messaging/inboundEvent.js';
import { parseInstagram } from '../messaging/parseInstagram.js';
import { parseWhatsApp } from '../messaging/parseWhatsApp.js';
import { pushConversation, pushMessage } from '../realtime/conversationEvents.js';
import { findConnection, type ConnectionRow } from '../repositories/connections.js';
import { upsertContact } from '../repositories/contacts.js';
import { findOrOpenConversation, noteMessage } from '../repositories/conversations.js';
import {
  applyDeliveryStatus, findMessageByProviderId, insertMessage, keepPendingStatus, takePendingStatuses, type MessageRow,
} from '../repositories/messages.js';
import { lockUnprocessedEvent, markEventProcessed, noteEventFailure } from '../repositories/webhookEvents.js';
import { enqueueMediaDownload } from './downloadMedia.js';

/** After this many failed attempts an event is set aside (processed, last_error `gave_up: …`) so it stops costing retries. */
export const MAX_INGEST_ATTEMPTS = 10;
const MAX_RETRY_DELAY_MS = 10 * 60_000;

/** What a processed event changed, pushed to the dashboards once it is committed. */
interface Effects {
  created: MessageRow[];
  updated: Map<string, MessageRow>;
  conversations: Set<string>;
  media: string[];
  counts: { messages: number; duplicates: number; statuses: number; pending: number; skipped: number };
}

/**
 * Turns one stored webhook body into contacts, conversations, messages and delivery states, in one
 * transaction: either all of the batch is stored and the event marked processed, or none of it (a crash
 * or error leaves the event for the next try). Safe to run twice and concurrently: the event row is
 * locked with skip locked, and messages are unique by the provider's id.
 */
export async function ingestWebhookEvent(deps: Deps, eventId: string): Promise<'processed' | 'skipped' | 'gave_up'> {
  let effects: Effects | null;
  try {
    effects = await deps.db.transaction(async (trx) => {
      const event = await lockUnprocessedEvent(trx, eventId);
      if (!event) return null; // done already, or another worker has it right now
      const connection = await findConnection(trx, event.connection_id);
      let body: unknown;
      try {
        body = JSON.parse(event.raw.toString('utf8'));
      } catch {
        body = undefined;
      }
      if (!connection || body === undefined) {
        // Deterministic: retrying cannot help. (The webhook route only stores parseable bodies.)
        const reason = !connection ? 'gave_up: connection_missing' : 'gave_up: malformed_json';
        await markEventProcessed(trx, eventId, reason);
        deps.log.error({ eventId, reason }, 'webhook event set aside');
        return emptyEffects();
      }
      const now = deps.now();
      const parsed = connection.channel === 'whatsapp'
        ? parseWhatsApp(body, connection.external_id, now)
        : parseInstagram(body, connection.external_id, now);
      const fx = emptyEffects();
      fx.counts.skipped = parsed.skipped;
      for (const e of parsed.events) {
        if (e.kind === 'message') await storeMessage(trx, connection, e, fx);
        else await storeStatus(trx, connection, e, fx);
      }
      failpoint('ingest.before_commit', deps);
      await markEventProcessed(trx, eventId);
      deps.log.info({ eventId, connectionId: connection.id, channel: connection.channel, ...fx.counts }, 'webhook event ingested');
      return fx;
    });
  } catch (err) {
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

function emptyEffects(): Effects {
  return {
    created: [], updated: new Map(), conversations: new Set(), media: [],
    counts: { messages: 0, duplicates: 0, statuses: 0, pending: 0, skipped: 0 },
  };
}

async function storeMessage(trx: Knex.Transaction, connection: ConnectionRow, m: InboundMessage, fx: Effects): Promise<void> {
  // A redelivery stores nothing, and must not open a conversation either (the old one may be resolved).
  if (await findMessageByProviderId(trx, connection.id, m.providerMessageId)) {
    fx.counts.duplicates++;
    return;
  }
  const whatsapp = connection.channel === 'whatsapp';
  const contact = await upsertContact(trx, {
    connectionId: connection.id,
    externalId: whatsapp ? digitsOnly(m.customerId) : m.customerId,
    matchKey: whatsapp ? whatsAppMatchKey(m.customerId) : m.customerId,
    profileName: m.profileName,
    fromCustomer: m.direction === 'in',
  });
  const { conversation } = await findOrOpenConversation(trx, {
    connectionId: connection.id, contactId: contact.id, teamId: connection.team_id, at: m.at,
  });
  const inbound = m.direction === 'in';
  const row = await insertMessage(trx, {
    conversation_id: conversation.id,
    connection_id: connection.id,
    direction: m.direction,
    // An outbound message arriving by webhook was written by a person in the WhatsApp Business app or Instagram.
    origin: inbound ? 'customer' : 'business_app',
    provider_message_id: m.providerMessageId,
    type: m.type,
    body: m.body,
    payload: m.payload,
    status: inbound ? 'received' : 'sent',
    at: m.at,
    sent_at: inbound ? null : m.at,
    ...(m.media
      ? {
          media_provider_id: m.media.providerId, media_mime: m.media.mime, media_sha256: m.media.sha256,
          media_filename: m.media.filename, media_status: 'pending' as const,
        }
      : {}),
  });
  if (!row) {
    fx.counts.duplicates++; // a concurrent worker stored it first
    return;
  }
  let stored = row;
  if (!inbound) {
    // A status (an Instagram read, say) may have come before its message.
    for (const s of await takePendingStatuses(trx, connection.id, m.providerMessageId)) {
      const applied = await applyDeliveryStatus(trx, connection.id, m.providerMessageId, { status: s.status, at: new Date(s.at), error: s.error });
      if (applied?.changed) stored = applied.message;
    }
  }
  // Echoes are the business's words: no unread count, no move of the customer-service window.
  await noteMessage(trx, conversation.id, { at: m.at, preview: previewOf(m), inbound });
  fx.created.push(stored);
  fx.conversations.add(conversation.id);
  if (m.media) fx.media.push(row.id);
  fx.counts.messages++;
}

async function storeStatus(trx: Knex.Transaction, connection: ConnectionRow, s: InboundStatus, fx: Effects): Promise<void> {
  const applied = await applyDeliveryStatus(trx, connection.id, s.providerMessageId, { status: s.status, at: s.at, error: s.error });
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

/** After commit: live events to exactly the people who see each conversation, then media downloads. */
async function publishEffects(deps: Deps, fx: Effects): Promise<void> {
  const ids = new Set([...fx.conversations, ...[...fx.updated.values()].map((m) => m.conversation_id)]);
  if (!ids.size) return;
  const scopes = new Map<string, { team_id: string | null; assignee_id: string | null }>();
  const rows: Array<{ id: string; team_id: string | null; assignee_id: string | null }> =
    await deps.db('conversations').whereIn('id', [...ids]).select('id', 'team_id', 'assignee_id');
  for (const r of rows) scopes.set(r.id, r);
  for (const m of fx.created) {
    const scope = scopes.get(m.conversation_id);
    if (scope) await pushMessage(deps, scope, m, 'message:new');
  }
  for (const m of fx.updated.values()) {
    const scope = scopes.get(m.conversation_id);
    if (scope) await pushMessage(deps, scope, m, 'message:updated');
  }
  for (const id of fx.conversations) await pushConversation(deps, id);
  for (const id of fx.media) enqueueMediaDownload(deps, id);
}

/**
 * Crash-test hook: with NODE_ENV=test and ATENDO_FAILPOINT naming this point, the process dies here as
 * if killed (exit 137), inside the open transaction. Inert in any other environment.
 */
function failpoint(name: string, deps: Deps): void {
  if (deps.config.NODE_ENV === 'test' && process.env.ATENDO_FAILPOINT === name) process.exit(137);
}

/**
 * Wakes a worker for a stored event. Not awaited by the webhook's answer: the event is already safe in
 * PostgreSQL, and if Redis is down or loses the job, the worker's sweeper processes the event anyway.
 */
export function enqueueIngest(deps: Deps, eventId: string): void {
  const queue = deps.queues?.ingest;
  if (!queue) return;
  queue.createJob({ eventId }).setId(`evt:${eventId}`).retries(3).backoff('exponential', 1_000).save()
    .catch((err: Error) => deps.log.warn({ eventId, err: err.message }, 'ingest job not queued; the sweeper will pick the event up'));
}
