import fs from 'node:fs';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import type { LicenseSnapshot } from '../license/licenseState.js';
import { monthPeriod } from '../lib/monthPeriod.js';
import { openConnection, type OpenConnection } from '../messaging/connectionDirectory.js';
import { nextDeliveryState } from '../messaging/deliveryState.js';
import { GraphError } from '../messaging/graphClient.js';
import { failureReason, nextSendStep } from '../messaging/graphErrors.js';
import { sendInstagramMessage } from '../messaging/instagramSend.js';
import type { InteractiveRendering } from '../messaging/interactiveMessage.js';
import { mediaLink } from '../lib/mediaLink.js';
import { mediaFile } from '../messaging/mediaStore.js';
import { reserveSendSlot } from '../messaging/sendRateLimit.js';
import { sendWhatsAppMessage, uploadWhatsAppMedia, whatsappMessageBody } from '../messaging/whatsappSend.js';
import { consumeMonthlyQuota } from '../policies/plan.js';
import { isHumanAgentSend, messageTagFor, type MessageTag } from '../policies/serviceWindow.js';
import { pushMessageUpdate } from '../realtime/conversationEvents.js';
import { findContact } from '../repositories/contacts.js';
import { findConversation } from '../repositories/conversations.js';
import {
  applyDeliveryStatus, earlierQueuedMessage, findOutboundMessage, lockOutboundMessage, lockQueuedMessage, removeEarlyEcho, takePendingStatuses,
  updateOutboundMessage, type MessageRow, type OutboundMessageRow,
} from '../repositories/messages.js';
import { releaseQuota } from '../repositories/usageCounters.js';
import { enqueue } from '../queues/enqueue.js';
import { recordEvents } from '../repositories/domainEvents.js';
import { campaignRatePerSecond, numberRatePerSecond } from '../campaigns/pacing.js';
import { failpoint } from '../lib/failpoint.js';
import { SEND_IN_DOUBT } from './reconcileSend.js';

/**
 * The send worker's use case: hand one queued message to Meta, once.
 *
 * A message is sent by whoever claims it: in one transaction the row is locked while still `queued`,
 * due (next_attempt_at) and unclaimed (claimed_until), its attempt counted and a lease taken. A job run
 * twice, a stalled job taken back, or the sweeper's extra job all find it claimed or no longer queued.
 * The status stays `queued` until Meta answers (`sent`) or refuses for good (`failed`), so the connection
 * health's "queued" counts everything not yet handed over, retries included.
 *
 * Enforced at the moment of sending, not when queued: the license (restricted → failed, not retried),
 * the plan's monthly quota (taken on the first attempt, given back when Meta refuses for good), and the
 * connection's throughput cap (a burst waits in the queue).
 */
export type DeliveryOutcome = 'sent' | 'failed' | 'retry' | 'deferred' | 'skipped';

/** How long a claim protects a send in flight: a media upload (≤ 120 s) and the send (≤ 15 s). */
const LEASE_MS = 3 * 60_000;
/** A rate slot this close is waited for in the job; a later one re-queues the job. */
const MAX_RATE_WAIT_MS = 1_000;
/** How long a message waits for an earlier one of its conversation before it looks again. */
const ORDER_WAIT_MS = 150;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Queues a send job. A fresh send's job id is the message id (a second enqueue while the first waits is a
 * no-op); a job for later is named by `key` (its due time), so queueing the same retry twice is a no-op too.
 */
export async function enqueueSend(deps: Deps, messageId: string, later?: { delayMs: number; key: string }): Promise<void> {
  await enqueue(deps, 'send', { messageId }, later ?? {});
}

interface SendError {
  code: string;
  title: string | null;
  detail: string | null;
}

const ownError = (code: string, detail: string | null = null): SendError => ({ code, title: failureReason(code), detail });

class MediaMissing extends Error {}

export async function deliverMessage(deps: Deps, messageId: string): Promise<DeliveryOutcome> {
  const found = await findOutboundMessage(deps.db, messageId);
  if (!found || found.status !== 'queued') return 'skipped';
  // A conversation's messages reach Meta in the order they were written (a bot step's menu and its
  // follow-up, an attendant's quick pair): one due before this one goes first.
  if (await earlierQueuedMessage(deps.db, found, deps.now())) {
    await enqueueSend(deps, messageId, { delayMs: ORDER_WAIT_MS, key: `o${Date.now()}` });
    return 'deferred';
  }
  const now = deps.now();
  // Not due yet (a retry waits, or another worker holds it): come back then instead of dropping the job.
  const waitUntil = [found.next_attempt_at, found.claimed_until].filter((d): d is Date => !!d && d > now).sort((a, b) => b.getTime() - a.getTime())[0];
  if (waitUntil) {
    const delayMs = waitUntil.getTime() - now.getTime();
    // Re-queued under the due time's name: the very job that is due then is not queued twice. Close
    // enough (this may be that job, a hair early), it waits here instead.
    if (delayMs > MAX_RATE_WAIT_MS) {
      await enqueueSend(deps, messageId, { delayMs, key: String(waitUntil.getTime()) });
      return 'deferred';
    }
    await sleep(delayMs + 1); // a timer may fire a hair before the wall clock reaches the due time
  }

  const snap = await deps.license.snapshot();
  if (snap.state === 'restricted') {
    await fail(deps, found, snap, ownError('license_restricted', snap.reason));
    return 'failed';
  }
  const conn = await openConnection(deps, found.connection_id);
  if (!conn) {
    await fail(deps, found, snap, ownError('connection_removed'));
    return 'failed';
  }

  // Read before taking a rate slot, so the time between the slot and the call to Meta stays short.
  const conversation = await findConversation(deps.db, found.conversation_id);
  const contact = conversation && (await findContact(deps.db, conversation.contact_id));
  if (!contact) {
    await fail(deps, found, snap, ownError('contact_missing'));
    return 'failed';
  }

  // A campaign's own rate holds at the moment of sending too: a worker that fell behind catches up at
  // that rate, not in a burst at the number's.
  const campaignPace = await campaignPaceOf(deps, found, numberRatePerSecond(conn.row, deps.config));
  if (campaignPace) {
    const paced = await reserveSendSlot(deps.redis, `campaign:${campaignPace.id}`, campaignPace.rate, MAX_RATE_WAIT_MS);
    if (!paced.reserved) {
      await enqueueSend(deps, messageId, { delayMs: paced.waitMs, key: `c${Date.now() + paced.waitMs}` });
      return 'deferred';
    }
    if (paced.waitMs > 0) await sleep(paced.waitMs);
  }

  const slot = await reserveSendSlot(deps.redis, conn.row.id, numberRatePerSecond(conn.row, deps.config), MAX_RATE_WAIT_MS);
  if (!slot.reserved) {
    await enqueueSend(deps, messageId, { delayMs: slot.waitMs, key: `r${Date.now() + slot.waitMs}` });
    return 'deferred';
  }
  if (slot.waitMs > 0) await sleep(slot.waitMs);

  const claim = await claimSend(deps, messageId, snap);
  if (claim.kind === 'skipped') return 'skipped';
  if (claim.kind === 'failed') {
    await push(deps, claim.message);
    return 'failed';
  }
  const m = claim.message;
  // On Instagram a person's reply past the 24 hours goes tagged HUMAN_AGENT, decided now, as Meta will judge it.
  const tag = messageTagFor(conn.row.channel, isHumanAgentSend({ origin: m.origin, clientId: m.client_id }), conversation!.last_inbound_at, deps.now());
  let providerId: string;
  try {
    providerId = await callMeta(deps, conn, contact.external_id, m, tag === 'HUMAN_AGENT' ? tag : null);
  } catch (err) {
    return handleFailure(deps, m, snap, err);
  }
  failpoint('send.after_meta', deps);
  // Meta has it: never treat trouble from here on as a failed send (that would send it again).
  for (let attempt = 1; ; attempt++) {
    try {
      await recordSent(deps, m, conn.row.id, providerId);
      return 'sent';
    } catch (err) {
      if (attempt === 3) throw err; // the claim keeps others off for LEASE_MS; the sweeper takes it then
      deps.log.warn({ err, messageId: m.id }, 'recording a sent message failed; trying again');
      await sleep(500 * attempt);
    }
  }
}

/** The campaign a message belongs to and its rate, when that rate is below the number's (else the number's limiter is enough). */
async function campaignPaceOf(deps: Deps, m: OutboundMessageRow, numberRate: number): Promise<{ id: string; rate: number } | null> {
  if (m.origin !== 'campaign' || !m.client_id?.startsWith('campaign:')) return null;
  const id = m.client_id.split(':')[1]!;
  const row = await deps.db('campaigns').where({ id }).first('rate_per_second');
  const rate = campaignRatePerSecond(row?.rate_per_second ?? null, numberRate);
  return rate < numberRate ? { id, rate } : null;
}

type Claim = { kind: 'claimed'; message: OutboundMessageRow } | { kind: 'failed'; message: OutboundMessageRow } | { kind: 'skipped' };

async function claimSend(deps: Deps, id: string, snap: LicenseSnapshot): Promise<Claim> {
  return deps.db.transaction(async (trx): Promise<Claim> => {
    const row = await lockQueuedMessage(trx, id);
    const now = deps.now();
    if (!row || (row.next_attempt_at && row.next_attempt_at > now) || (row.claimed_until && row.claimed_until > now)) return { kind: 'skipped' };
    if (row.origin === 'campaign' && row.attempts > 0 && !row.error_code) {
      // An earlier attempt's lease ran out with nothing recorded: its worker died while Meta may have taken
      // it. A campaign message is never sent twice: it fails as in doubt instead (the quota unit stays used).
      // If Meta did take it, its status webhooks name this message (biz_opaque_callback_data) and settle the
      // doubt (commands/reconcileSend.ts); with no status ever, it stays in doubt.
      const e: SendError = {
        code: SEND_IN_DOUBT, title: 'Envio interrompido: a Meta pode ter recebido a mensagem',
        detail: 'Se a Meta confirmar o envio, o status é atualizado sozinho; sem confirmação, fica em dúvida e não é reenviado.',
      };
      const failed = await updateOutboundMessage(trx, id, failedPatch(now, e));
      await recordEvents(trx, [failedEvent(row, e, true, now)]);
      return { kind: 'failed', message: failed };
    }
    if (row.attempts === 0) {
      // The first attempt takes the quota unit (exactly: check and count are one statement); retries do not.
      try {
        await consumeMonthlyQuota(trx, snap, 'messages', 1, deps.config.APP_TIMEZONE);
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        const failed = await updateOutboundMessage(trx, id, failedPatch(now, ownError(err.code, err.message)));
        await recordEvents(trx, [failedEvent(row, ownError(err.code, err.message), true, now)]);
        return { kind: 'failed', message: failed };
      }
    }
    const claimed = await updateOutboundMessage(trx, id, { attempts: row.attempts + 1, claimed_until: new Date(now.getTime() + LEASE_MS) });
    return { kind: 'claimed', message: claimed };
  });
}

async function callMeta(deps: Deps, conn: OpenConnection, to: string, m: OutboundMessageRow, tag: MessageTag | null): Promise<string> {
  const token = conn.secrets.accessToken;
  if (conn.row.channel === 'instagram') {
    if (m.type === 'interactive') {
      const { options } = (m.payload as { interactive: InteractiveRendering }).interactive;
      return sendInstagramMessage(deps.config, token, to, { text: m.body ?? '', quickReplies: options.map((o) => ({ title: o.title, payload: o.id })) }, tag);
    }
    if (!m.media_path) return sendInstagramMessage(deps.config, token, to, { text: m.body ?? '' }, tag);
    // Instagram fetches attachments by URL: a signed, expiring link to this appliance's public media route.
    const url = mediaLink(deps.config.PUBLIC_URL, deps.config.ENCRYPTION_KEY!, m.id, deps.now());
    const type = m.type === 'document' ? 'file' : (m.type as 'image' | 'video' | 'audio');
    return sendInstagramMessage(deps.config, token, to, { attachment: { type, url } }, tag);
  }

  let media = m.media_provider_id;
  if (m.media_path && !media) {
    const absPath = mediaFile(deps.config.DATA_DIR, m.media_path);
    if (!fs.existsSync(absPath)) throw new MediaMissing(m.media_path);
    media = await uploadWhatsAppMedia(deps.config, token, conn.row.external_id, { absPath, mime: m.media_mime!, filename: m.media_filename });
    // A retry sends the same upload again instead of uploading twice (Meta keeps media for 30 days).
    await updateOutboundMessage(deps.db, m.id, { media_provider_id: media });
  }
  const body = whatsappMessageBody(to, { ...m, media_provider_id: media });
  return sendWhatsAppMessage(deps.config, token, conn.row.external_id, body);
}

/** Meta took it: keep its id, move to `sent` unless a status already moved it further, apply statuses that waited. */
async function recordSent(deps: Deps, m: OutboundMessageRow, connectionId: string, providerId: string): Promise<void> {
  const at = deps.now();
  let message = await deps.db.transaction(async (trx) => {
    const current = (await lockOutboundMessage(trx, m.id))!;
    await removeEarlyEcho(trx, connectionId, providerId, m.id);
    // Its status webhook may have come first and attached the wamid (reconcileSend.ts), sent recorded then.
    if (current.provider_message_id !== providerId) {
      await recordEvents(trx, [{
        type: 'message.sent', conversationId: m.conversation_id, messageId: m.id, connectionId, origin: m.origin, senderUserId: m.sender_user_id, at: at.toISOString(),
      }]);
    }
    return updateOutboundMessage(trx, m.id, {
      ...(nextDeliveryState(current, { status: 'sent', at }) ?? {}),
      provider_message_id: providerId,
      claimed_until: null,
      next_attempt_at: null,
      error_code: null,
      error_title: null,
      error_detail: null,
    });
  });
  // Meta's status webhooks race this bookkeeping; those that came first were kept aside.
  await deps.db.transaction(async (trx) => {
    for (const s of await takePendingStatuses(trx, connectionId, providerId)) {
      const applied = await applyDeliveryStatus(trx, connectionId, providerId, { status: s.status, at: new Date(s.at), error: s.error });
      if (applied?.changed) message = applied.message as OutboundMessageRow;
    }
  });
  deps.log.info({ messageId: m.id, attempts: m.attempts }, 'message sent');
  await push(deps, message);
}

async function handleFailure(deps: Deps, m: OutboundMessageRow, snap: LicenseSnapshot, err: unknown): Promise<DeliveryOutcome> {
  let failure: { httpStatus: number; code: number; retryAfterSeconds: number | null };
  let error: SendError;
  if (err instanceof GraphError) {
    failure = { httpStatus: err.httpStatus, code: err.code, retryAfterSeconds: err.retryAfterSeconds };
    const code = err.httpStatus === 0 ? 'meta_unreachable' : String(err.code);
    error = { code, title: err.title ?? failureReason(code, err.subcode) ?? err.message, detail: err.details ?? err.message };
  } else if (err instanceof MediaMissing) {
    failure = { httpStatus: 400, code: -1, retryAfterSeconds: null };
    error = ownError('media_missing', err.message);
  } else {
    // Our own trouble (database, disk): treated as transient, like Meta being unreachable.
    deps.log.error({ err, messageId: m.id }, 'send attempt failed');
    failure = { httpStatus: 0, code: -1, retryAfterSeconds: null };
    error = ownError('send_error', err instanceof Error ? err.message : String(err));
  }
  const step = nextSendStep(failure, { attempts: m.attempts, spamDeferrals: m.spam_deferrals });
  if (step.action === 'fail') {
    await fail(deps, m, snap, error, true);
    deps.log.warn({ messageId: m.id, code: error.code, attempts: m.attempts, exhausted: step.exhausted }, 'message failed');
    return 'failed';
  }
  const now = deps.now();
  const next = new Date(now.getTime() + step.delayMs);
  const updated = await deps.db.transaction(async (trx) => {
    await recordEvents(trx, [failedEvent(m, error, false, now)]);
    return updateOutboundMessage(trx, m.id, {
      claimed_until: null,
      next_attempt_at: next,
      error_code: error.code,
      error_title: error.title,
      error_detail: error.detail,
      ...(step.action === 'reschedule' ? { spam_deferrals: m.spam_deferrals + 1 } : {}),
    });
  });
  await enqueueSend(deps, m.id, { delayMs: step.delayMs, key: String(next.getTime()) });
  deps.log.info({ messageId: m.id, code: error.code, attempts: m.attempts, delayMs: step.delayMs, action: step.action }, 'message send retried later');
  await push(deps, updated);
  return 'retry';
}

/** What subscribers hear of a failed attempt (campaign recipients, the failure-rate window). */
function failedEvent(m: OutboundMessageRow, e: SendError, final: boolean, at: Date) {
  return {
    type: 'message.failed' as const, conversationId: m.conversation_id, messageId: m.id, connectionId: m.connection_id,
    origin: m.origin, code: e.code, title: e.title, final, at: at.toISOString(),
  };
}

function failedPatch(at: Date, e: SendError): Partial<OutboundMessageRow> {
  return { status: 'failed', failed_at: at, error_code: e.code, error_title: e.title, error_detail: e.detail, claimed_until: null, next_attempt_at: null };
}

/**
 * Fails for good; the quota unit taken by the first attempt goes back (nothing was delivered). Before a
 * claim (`claimed` false) a message another worker is sending right now is left to that worker.
 */
async function fail(deps: Deps, m: OutboundMessageRow, snap: LicenseSnapshot, e: SendError, claimed = false): Promise<void> {
  const failed = await deps.db.transaction(async (trx) => {
    const row = await lockQueuedMessage(trx, m.id);
    if (!row || (!claimed && row.claimed_until && row.claimed_until > deps.now())) return null;
    const updated = await updateOutboundMessage(trx, m.id, failedPatch(deps.now(), e));
    await recordEvents(trx, [failedEvent(m, e, true, deps.now())]);
    if (row.attempts > 0) await releaseQuota(trx, monthPeriod(snap.now, deps.config.APP_TIMEZONE), 'messages', 1);
    return updated;
  });
  if (failed) await push(deps, failed);
}

async function push(deps: Deps, m: MessageRow): Promise<void> {
  const scope = await findConversation(deps.db, m.conversation_id);
  if (scope) await pushMessageUpdate(deps, scope, m);
}
