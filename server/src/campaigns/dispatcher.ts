import type { Knex } from 'knex';
import { queueOutboundInTransaction } from '../commands/sendMessage.js';
import { enqueueSend } from '../commands/deliverMessage.js';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { pushNewMessage } from '../realtime/conversationEvents.js';
import { findConnection, type ConnectionRow } from '../repositories/connections.js';
import type { MessageRow } from '../repositories/messages.js';
import { findTemplate, type MessageTemplateRow } from '../repositories/messageTemplates.js';
import { hasUnfinishedRecipients, updateCampaign, type CampaignRow, type RecipientRow } from '../repositories/campaigns.js';
import { campaignRatePerSecond, numberRatePerSecond, pacerKey, reserveSlots } from './pacing.js';
import { capacityFreesAt, inCustomerWindow, noteBusinessSends, portfolioOf, portfolioUsed, PORTFOLIO_DAY_MS } from './portfolio.js';
import { localDay, nextOpening, windowOpen } from './sendWindow.js';
import { templateFor } from './templateContent.js';
import { markProgress } from './progress.js';
import { beginDueCampaigns } from './start.js';

/** The dispatcher looks this often; each look takes up to a horizon of sends per campaign. */
export const DISPATCH_EVERY_MS = 50;
/**
 * How far ahead send times are handed out — what a pause cannot take back any more (≤ 400 ms) — and so
 * how many sends wait for their slot in the send worker at once (about SLOTS_AHEAD, well within its
 * concurrency): 100 ms at 80/s, 400 ms at 20/s or less.
 */
const SLOTS_AHEAD = 8;
const horizonMs = (rate: number) => Math.min(400, Math.max(100, (1000 * SLOTS_AHEAD) / rate));
const MAX_BATCH = 500;
/** Released from the portfolio limit in chunks of this many seconds of sending, not one freed slot at a time. */
const PORTFOLIO_RELEASE_SECONDS = 5;

export type NumberRow = ConnectionRow & { coexistence: boolean; portfolio_id: string | null; quality_rating: string | null };

/**
 * One look of the dispatcher (an every() task; any number of workers run it side by side): scheduled
 * campaigns that are due start, and each running campaign queues its next few sends. Nothing per
 * recipient lives in memory or in Redis: the rows are claimed with FOR UPDATE SKIP LOCKED (two workers
 * never take one row), re-checked and queued in one transaction with the recipient's status, so a crash
 * either queued a row (its message exists, sent once by the send worker) or did not (still pending).
 */
export async function dispatchCampaigns(deps: Deps): Promise<number> {
  const snap = await deps.license.snapshot();
  // Restricted: running campaigns are paused by the license sweep; nothing is started or queued here.
  if (snap.state === 'restricted' || !snap.lease) return 0;
  await beginDueCampaigns(deps);
  const now = deps.now();
  const running: CampaignRow[] = await deps.db('campaigns').where({ status: 'running' })
    .where((w) => w.whereNull('waiting_until').orWhere('waiting_until', '<=', now)).select('*');
  let queued = 0;
  for (const c of running) {
    try {
      queued += await dispatchCampaign(deps, c);
    } catch (err) {
      deps.log.error({ err, campaignId: c.id }, 'campaign dispatch failed; it is tried again at the next look');
    }
  }
  return queued;
}

async function dispatchCampaign(deps: Deps, c: CampaignRow): Promise<number> {
  const db = deps.db;
  const now = deps.now();
  if (c.waiting_reason) await updateCampaign(db, c.id, { waiting_reason: null, waiting_until: null, updated_at: now });

  if (!(await hasUnfinishedRecipients(db, c.id))) {
    // Derived from the rows: nothing pending or queued is the end, whatever failed.
    const [done] = await db('campaigns').where({ id: c.id, status: 'running' }).update({ status: 'completed', completed_at: now, updated_at: now }).returning('id');
    if (done) await markProgress(deps, c.id, { now: true });
    return 0;
  }
  const conn = (await findConnection(db, c.connection_id)) as NumberRow | undefined;
  const template = c.template_id ? await findTemplate(db, c.template_id) : undefined;
  if (!conn || !template) return 0;

  // (c) the send window.
  if (c.send_window && !windowOpen(c.send_window, now)) {
    return wait(deps, c, 'outside_window', nextOpening(c.send_window, now) ?? new Date(now.getTime() + PORTFOLIO_DAY_MS));
  }
  // (d) the daily cap, counted on the rows queued since the local midnight.
  let capLeft = MAX_BATCH;
  if (c.daily_cap !== null) {
    const day = localDay(now, c.send_window?.timezone ?? deps.config.APP_TIMEZONE);
    const counted = await db('campaign_recipients').where({ campaign_id: c.id }).where('attempted_at', '>=', day.start).count<{ n: string }[]>('* as n');
    capLeft = c.daily_cap - Number(counted[0]?.n ?? 0);
    if (capLeft <= 0) return wait(deps, c, 'daily_cap', day.next);
  }
  // (a) messages per second: the campaign's pace within the number's.
  const rate = campaignRatePerSecond(c.rate_per_second, numberRatePerSecond(conn, deps.config));
  const horizon = horizonMs(rate);
  const want = Math.max(1, Math.min(MAX_BATCH, capLeft, Math.ceil((rate * horizon) / 1000)));
  // (b) the portfolio's moving 24-hour unique-user limit.
  const portfolio = await portfolioOf(db, conn.id);
  const limited = portfolio && portfolio.daily_limit !== null ? { id: portfolio.id, left: portfolio.daily_limit - (await portfolioUsed(db, portfolio.id, now)) } : null;

  const announce: Array<{ message: MessageRow; delayMs: number }> = [];
  let parkedUntil: Date | null = null;
  await db.transaction(async (trx) => {
    // Shares the campaign row with pause/cancel: they wait for this batch, and the next look sees them.
    const live = await trx('campaigns').where({ id: c.id }).forShare().first('status');
    if (live?.status !== 'running') return;
    const rows: RecipientRow[] = await trx('campaign_recipients').where({ campaign_id: c.id, status: 'pending' })
      .where((w) => w.whereNull('not_before').orWhere('not_before', '<=', now))
      .orderBy('id').limit(want).forUpdate().skipLocked().select('*');
    if (!rows.length) return;
    const slots = await reserveSlots(deps.redis, pacerKey(c.id), rate, rows.length, horizon);
    const ids = rows.map((r) => r.contact_id);
    const [contacts, optOuts, consents, open, recent] = await Promise.all([
      trx('contacts').whereIn('id', ids).select('id', 'name', 'profile_name', 'external_id', 'custom_fields'),
      trx('opt_outs').where({ connection_id: c.connection_id }).whereIn('contact_id', ids).select('contact_id', 'at'),
      trx('consents').where({ connection_id: c.connection_id }).whereIn('contact_id', ids).select('contact_id'),
      trx('conversations').whereIn('contact_id', ids).where({ status: 'open' }).select('*'),
      limited
        ? trx('portfolio_business_sends').where({ portfolio_id: limited.id }).whereIn('contact_id', ids).where('last_at', '>', new Date(now.getTime() - PORTFOLIO_DAY_MS)).select('contact_id')
        : Promise.resolve([]),
    ]);
    const contactOf = new Map(contacts.map((x) => [x.id, x]));
    const optedOut = new Map(optOuts.map((x) => [x.contact_id, x.at as Date]));
    const consented = new Set(consents.map((x) => x.contact_id));
    const openOf = new Map(open.map((x) => [x.contact_id, x]));
    const countedAlready = new Set(recent.map((x: { contact_id: string }) => x.contact_id));
    const businessInitiated: string[] = [];
    let used = 0;

    for (const r of rows) {
      if (used >= slots.offsetsMs.length) break; // no slot left within the horizon: stays pending for the next look
      const contact = contactOf.get(r.contact_id);
      const skip = (reason: string, extra: Partial<RecipientRow> = {}) =>
        trx('campaign_recipients').where({ id: r.id, status: 'pending' }).update({ status: 'skipped', reason, not_before: null, attempted_at: null, ...extra });
      // Checked again right before the send: what changed since the audience was frozen wins.
      if (!contact) { await skip('invalid_number'); continue; }
      if (optedOut.has(r.contact_id)) { await skip('opted_out', { opted_out_at: optedOut.get(r.contact_id)! }); continue; }
      if (c.require_consent && !consented.has(r.contact_id)) { await skip('no_consent'); continue; }
      const conversation = openOf.get(r.contact_id);
      if (c.exclude_open_conversations && conversation) { await skip('open_conversation'); continue; }
      const business = !inCustomerWindow(conversation?.last_inbound_at ?? null, now);
      if (limited && business && !countedAlready.has(r.contact_id)) {
        if (limited.left <= 0) {
          parkedUntil ??= await capacityFreesAt(trx, limited.id, now, Math.max(1, rate * PORTFOLIO_RELEASE_SECONDS));
          await trx('campaign_recipients').where({ id: r.id }).update({ reason: 'portfolio_limit', not_before: parkedUntil });
          continue;
        }
        limited.left--;
      }
      let content;
      try {
        content = templateFor(template as MessageTemplateRow, c.template_params, { ...contact, variables: r.variables });
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        await skip('missing_parameter', { error_code: err.code, error_title: err.message });
        continue;
      }
      const offset = slots.offsetsMs[used]!;
      const queuedAt = new Date(now.getTime() + offset);
      // A savepoint per recipient: a refusal of this one (the connection removed, a bad parameter) is its own.
      const outcome = await trx.transaction(async (sp) => {
        const conv = conversation ?? (await openResolvedConversation(sp, c, conn, r.contact_id, now));
        const { message } = await queueOutboundInTransaction(deps, sp, {
          type: 'template', template: content, conversationId: conv.id, origin: 'campaign', clientId: `campaign:${c.id}:${r.contact_id}`,
        });
        // Due at its slot: the send worker hands it to Meta then, not before.
        if (offset > 0) await sp('messages').where({ id: message.id }).update({ next_attempt_at: queuedAt });
        await sp('campaign_recipients').where({ id: r.id, status: 'pending' })
          .update({ status: 'queued', message_id: message.id, attempted_at: now, reason: null, not_before: null, error_code: null, error_title: null });
        return message;
      }).catch(async (err) => {
        if (!(err instanceof AppError)) throw err;
        // The license turned restricted this moment: the recipient waits (the restricted sweep pauses the
        // campaign, and lifting it resumes it), it did not fail.
        if (err.code === 'license_restricted' || err.code === 'not_activated') return 'stop' as const;
        await trx('campaign_recipients').where({ id: r.id, status: 'pending' })
          .update({ status: 'failed', attempted_at: now, failed_at: now, error_code: err.code, error_title: err.message });
        return null;
      });
      if (outcome === 'stop') break;
      if (!outcome) continue;
      if (limited && business && !countedAlready.has(r.contact_id)) businessInitiated.push(r.contact_id);
      announce.push({ message: outcome, delayMs: offset });
      used++;
    }
    if (limited) await noteBusinessSends(trx, limited.id, businessInitiated, now);
    await slots.release(slots.offsetsMs.length - used);
  });
  if (parkedUntil) await wait(deps, c, 'portfolio_limit', parkedUntil);
  // After the commit: dashboards hear of each message, and its send job is due at its slot.
  for (const a of announce) {
    await pushNewMessage(deps, a.message).catch(() => {});
    // Queued now: the send worker waits for the message's slot (next_attempt_at, within the horizon) itself,
    // to the millisecond — a delayed bee-queue job is activated in batches and would bunch the sends.
    await enqueueSend(deps, a.message.id).catch((err) => {
      deps.log.warn({ err, messageId: a.message.id }, 'campaign send job not enqueued; the sweeper will pick the message up');
    });
  }
  if (announce.length) await markProgress(deps, c.id);
  return announce.length;
}

/** The campaign waits (nothing is claimed before `until`); pending rows keep their place. */
async function wait(deps: Deps, c: CampaignRow, reason: string, until: Date): Promise<number> {
  await deps.db('campaigns').where({ id: c.id, status: 'running' }).update({ waiting_reason: reason, waiting_until: until, updated_at: deps.now() });
  await markProgress(deps, c.id);
  return 0;
}

/**
 * A contact with no open conversation gets a new one created resolved: a campaign of 100,000 does not
 * put 100,000 conversations in the open queues. A reply opens a conversation as usual (ingest).
 */
async function openResolvedConversation(trx: Knex.Transaction, c: CampaignRow, conn: NumberRow, contactId: string, now: Date) {
  const [row] = await trx('conversations').insert({
    connection_id: conn.id, contact_id: contactId, team_id: c.team_id ?? conn.team_id, status: 'resolved', resolved_at: now, last_message_at: now,
  }).returning('*');
  return row;
}
