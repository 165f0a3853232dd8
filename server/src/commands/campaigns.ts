import type { Knex } from 'knex';
import { AppError } from '#kit/errors.js';
import { AudienceSchema, classifyAudience } from '../audiences/audienceQuery.js';
import { freezeAudience } from '../campaigns/start.js';
import {
  assertEditable, assertTransition, audienceEmpty, audienceMissing, nothingToRetry, templateNotApproved, EDITABLE,
} from '../campaigns/lifecycle.js';
import { markProgress } from '../campaigns/progress.js';
import { renderedFor, templateFor, unfilledSlots } from '../campaigns/templateContent.js';
import type { Deps } from '../deps.js';
import { notFound } from '../errors.js';
import { monthPeriod } from '../lib/monthPeriod.js';
import { normalizePhoneNumber } from '../lib/phone.js';
import { classifyGraphFailure } from '../messaging/graphErrors.js';
import { assertWritable } from '../policies/license.js';
import { assertFeature, consumeMonthlyQuota } from '../policies/plan.js';
import type { Actor } from '../policies/roles.js';
import { presentCampaign } from '../presenters/campaign.js';
import { insertAudit } from '../repositories/audit.js';
import {
  campaignProgress, findCampaign, insertCampaign, lockCampaign, recipientViews, updateCampaign, EFFECTIVE_STATUS, type CampaignRow,
} from '../repositories/campaigns.js';
import { findConnection } from '../repositories/connections.js';
import { upsertContacts } from '../repositories/contacts.js';
import { findTemplate, type MessageTemplateRow } from '../repositories/messageTemplates.js';
import { releaseQuota } from '../repositories/usageCounters.js';
import type { CreateCampaignInput, UpdateCampaignInput } from '../routes/campaigns/schema.js';
import { announceOutbound, queueOutboundInTransaction } from './sendMessage.js';

/**
 * The campaign use cases behind /api/campaigns (admins write, supervisors read; the routes authorize).
 * The engine itself — pacing, limits, sending, pausing on bad signals — runs in the worker (campaigns/).
 */

async function view(deps: Deps, c: CampaignRow, withProgress = true) {
  const template = c.template_id ? await findTemplate(deps.db, c.template_id) : undefined;
  return presentCampaign(c, template ?? null, withProgress ? await campaignProgress(deps.db, c) : null);
}

export async function campaignView(deps: Deps, id: string) {
  const c = await findCampaign(deps.db, id);
  if (!c) throw notFound('campaign');
  return view(deps, c);
}

async function checkRefs(db: Knex, connectionId: string, templateId: string | null | undefined): Promise<void> {
  const conn = await findConnection(db, connectionId);
  if (!conn) throw notFound('connection');
  if (conn.channel !== 'whatsapp') throw new AppError(422, 'campaign_channel_unsupported', 'campaigns send WhatsApp templates: choose a WhatsApp connection');
  if (templateId) {
    const t = await findTemplate(db, templateId);
    if (!t || t.connection_id !== connectionId) throw notFound('template');
  }
}

const columnsOf = (i: Partial<CreateCampaignInput>): Partial<CampaignRow> => {
  const out: Partial<CampaignRow> = {};
  if (i.name !== undefined) out.name = i.name;
  if (i.connectionId !== undefined) out.connection_id = i.connectionId;
  if (i.templateId !== undefined) out.template_id = i.templateId;
  if (i.templateParams !== undefined) out.template_params = i.templateParams;
  if (i.audience !== undefined) out.audience = (i.audience ?? {}) as Record<string, unknown>;
  if (i.ratePerSecond !== undefined) out.rate_per_second = i.ratePerSecond;
  if (i.sendWindow !== undefined) out.send_window = i.sendWindow;
  if (i.dailyCap !== undefined) out.daily_cap = i.dailyCap;
  if (i.excludeOpenConversations !== undefined) out.exclude_open_conversations = i.excludeOpenConversations;
  if (i.requireConsent !== undefined) out.require_consent = i.requireConsent;
  if (i.teamId !== undefined) out.team_id = i.teamId;
  if (i.flowId !== undefined) out.flow_id = i.flowId;
  if (i.attributionHours !== undefined) out.attribution_hours = i.attributionHours;
  return out;
};

/** The fields that decide who gets what: frozen once the campaign starts. */
const RECIPIENT_FIELDS = ['connectionId', 'templateId', 'templateParams', 'audience', 'excludeOpenConversations', 'requireConsent'] as const;

export async function createCampaign(deps: Deps, actor: Actor, input: CreateCampaignInput, ip: string) {
  assertWritable(await deps.license.snapshot());
  await checkRefs(deps.db, input.connectionId, input.templateId);
  const c = await deps.db.transaction(async (trx) => {
    const row = await insertCampaign(trx, { ...columnsOf(input), created_by: actor.id });
    await insertAudit(trx, { actorUserId: actor.id, action: 'campaign.create', subjectType: 'campaign', subjectId: row.id, ip });
    return row;
  });
  return view(deps, c);
}

export async function changeCampaign(deps: Deps, actor: Actor, id: string, input: UpdateCampaignInput, ip: string) {
  assertWritable(await deps.license.snapshot());
  const c = await deps.db.transaction(async (trx) => {
    const row = await lockCampaign(trx, id);
    if (!row) throw notFound('campaign');
    if (row.status === 'completed' || row.status === 'cancelled') throw new AppError(409, 'campaign_not_editable', `a ${row.status} campaign cannot change`, { status: row.status });
    if (RECIPIENT_FIELDS.some((k) => input[k] !== undefined)) assertEditable(row.status);
    await checkRefs(trx, input.connectionId ?? row.connection_id, input.templateId === undefined ? row.template_id : input.templateId);
    const updated = await updateCampaign(trx, id, { ...columnsOf(input), updated_at: deps.now() });
    await insertAudit(trx, { actorUserId: actor.id, action: 'campaign.update', subjectType: 'campaign', subjectId: id, ip, detail: { fields: Object.keys(input) } });
    return updated;
  });
  await markProgress(deps, id);
  return view(deps, c);
}

/** Only a draft is deleted (with nothing sent, there is nothing to keep). */
export async function removeCampaign(deps: Deps, actor: Actor, id: string, ip: string): Promise<void> {
  assertWritable(await deps.license.snapshot());
  await deps.db.transaction(async (trx) => {
    const row = await lockCampaign(trx, id);
    if (!row) throw notFound('campaign');
    if (row.status !== 'draft') throw new AppError(409, 'campaign_not_draft', 'only draft campaigns are deleted; cancel this one instead', { status: row.status });
    if (await trx('campaigns').where({ parent_campaign_id: id }).first('id')) throw new AppError(409, 'campaign_has_children', 'a retry campaign refers to this one');
    await trx('campaign_recipients').where({ campaign_id: id }).del();
    await trx('campaigns').where({ id }).del();
    await insertAudit(trx, { actorUserId: actor.id, action: 'campaign.delete', subjectType: 'campaign', subjectId: id, ip });
  });
}

async function approvedTemplate(db: Knex, c: CampaignRow): Promise<MessageTemplateRow> {
  const t = c.template_id ? await findTemplate(db, c.template_id) : undefined;
  if (!t) throw templateNotApproved(null);
  if (t.status !== 'APPROVED') throw templateNotApproved(t.status);
  const missing = unfilledSlots(t, c.template_params ?? {});
  if (missing.length) throw new AppError(422, 'template_params_invalid', `${missing[0]}: no value chosen for this parameter`, { slot: missing[0], missing });
  return t;
}

/**
 * Starts now, or schedules for `scheduledAt` (the worker starts it then, or at its first look after
 * downtime). Takes one of the plan's campaigns this month (403 plan_quota_campaigns) when it is scheduled
 * or started, not again when a scheduled one starts; unscheduling gives it back.
 */
export async function startCampaign(deps: Deps, actor: Actor, id: string, input: { scheduledAt?: string | null }, ip: string) {
  const snap = await deps.license.snapshot();
  assertFeature(snap, 'campaigns');
  const now = deps.now();
  const at = input.scheduledAt ? new Date(input.scheduledAt) : null;
  const to = at && at.getTime() > now.getTime() ? 'scheduled' : 'running';
  const c = await deps.db.transaction(async (trx) => {
    const row = await lockCampaign(trx, id);
    if (!row) throw notFound('campaign');
    assertTransition(row.status, to);
    await approvedTemplate(trx, row);
    const kind = (row.audience as { kind?: string }).kind;
    if (!kind) throw audienceMissing();
    if (kind !== 'retry') AudienceSchema.parse(row.audience);
    if (row.status === 'draft') await consumeMonthlyQuota(trx, snap, 'campaigns', 1, deps.config.APP_TIMEZONE);
    if (to === 'scheduled') {
      const updated = await updateCampaign(trx, id, { status: 'scheduled', scheduled_at: at, updated_at: now });
      await insertAudit(trx, { actorUserId: actor.id, action: 'campaign.schedule', subjectType: 'campaign', subjectId: id, ip, detail: { scheduledAt: at!.toISOString() } });
      return updated;
    }
    const frozen = await freezeAudience(trx, row, now);
    if (frozen.audience === 0) throw audienceEmpty();
    const updated = await updateCampaign(trx, id, { status: 'running', started_at: now, scheduled_at: row.scheduled_at ?? null, updated_at: now });
    await insertAudit(trx, { actorUserId: actor.id, action: 'campaign.start', subjectType: 'campaign', subjectId: id, ip, detail: frozen });
    return updated;
  });
  await markProgress(deps, id);
  return view(deps, c);
}

/** Back to draft before its time (its month's campaign is given back). */
export async function unscheduleCampaign(deps: Deps, actor: Actor, id: string, ip: string) {
  const snap = await deps.license.snapshot();
  assertWritable(snap);
  const c = await deps.db.transaction(async (trx) => {
    const row = await lockCampaign(trx, id);
    if (!row) throw notFound('campaign');
    assertTransition(row.status, 'draft');
    await releaseQuota(trx, monthPeriod(snap.now, deps.config.APP_TIMEZONE), 'campaigns', 1);
    await insertAudit(trx, { actorUserId: actor.id, action: 'campaign.unschedule', subjectType: 'campaign', subjectId: id, ip });
    return updateCampaign(trx, id, { status: 'draft', scheduled_at: null, updated_at: deps.now() });
  });
  return view(deps, c);
}

export async function pauseCampaign(deps: Deps, actor: Actor, id: string, ip: string) {
  assertWritable(await deps.license.snapshot());
  const c = await deps.db.transaction(async (trx) => {
    const row = await lockCampaign(trx, id);
    if (!row) throw notFound('campaign');
    assertTransition(row.status, 'paused');
    await insertAudit(trx, { actorUserId: actor.id, action: 'campaign.pause', subjectType: 'campaign', subjectId: id, ip });
    return updateCampaign(trx, id, { status: 'paused', pause_reason: 'manual', pause_detail: { by: actor.id, at: deps.now().toISOString() }, waiting_reason: null, waiting_until: null, updated_at: deps.now() });
  });
  await markProgress(deps, id);
  return view(deps, c);
}

/** Continues where it stopped: the pending rows are still pending; the template must still be approved. */
export async function resumeCampaign(deps: Deps, actor: Actor, id: string, ip: string) {
  const snap = await deps.license.snapshot();
  assertFeature(snap, 'campaigns');
  const c = await deps.db.transaction(async (trx) => {
    const row = await lockCampaign(trx, id);
    if (!row) throw notFound('campaign');
    assertTransition(row.status, 'running');
    if (row.status !== 'paused') throw new AppError(409, 'invalid_transition', `a ${row.status} campaign is started, not resumed`, { from: row.status, to: 'running' });
    await approvedTemplate(trx, row);
    // A scheduled campaign paused (its template) before its audience was frozen is frozen now.
    if (!row.audience_frozen_at) await freezeAudience(trx, row, deps.now());
    await insertAudit(trx, { actorUserId: actor.id, action: 'campaign.resume', subjectType: 'campaign', subjectId: id, ip, detail: { after: row.pause_reason } });
    return updateCampaign(trx, id, { status: 'running', pause_reason: null, pause_detail: null, started_at: row.started_at ?? deps.now(), resumed_at: deps.now(), updated_at: deps.now() });
  });
  await markProgress(deps, id);
  return view(deps, c);
}

/** Final: what is pending is skipped (cancelled); what was already queued goes out. */
export async function cancelCampaign(deps: Deps, actor: Actor, id: string, ip: string) {
  assertWritable(await deps.license.snapshot());
  const c = await deps.db.transaction(async (trx) => {
    const row = await lockCampaign(trx, id);
    if (!row) throw notFound('campaign');
    assertTransition(row.status, 'cancelled');
    const now = deps.now();
    await trx('campaign_recipients').where({ campaign_id: id, status: 'pending' }).update({ status: 'skipped', reason: 'cancelled', not_before: null });
    await insertAudit(trx, { actorUserId: actor.id, action: 'campaign.cancel', subjectType: 'campaign', subjectId: id, ip });
    return updateCampaign(trx, id, { status: 'cancelled', cancelled_at: now, waiting_reason: null, waiting_until: null, updated_at: now });
  });
  await markProgress(deps, id);
  return view(deps, c);
}

/**
 * The campaign's message to one number (the admin's own), before start: the same template and parameters,
 * the contact's fields where there are (a new contact has none: those parameters fall back to the
 * template's example). Its conversation is created resolved, like the campaign's, unless one is open.
 */
export async function testSendCampaign(deps: Deps, actor: Actor, id: string, input: { phone: string }, ip: string) {
  assertFeature(await deps.license.snapshot(), 'campaigns');
  const c = await findCampaign(deps.db, id);
  if (!c) throw notFound('campaign');
  if (c.status === 'completed' || c.status === 'cancelled') throw new AppError(409, 'invalid_transition', `a ${c.status} campaign sends no test`, { from: c.status, to: 'test_send' });
  const template = await approvedTemplate(deps.db, c);
  const phone = normalizePhoneNumber(input.phone);
  if (!phone.ok) throw new AppError(422, phone.reason, phone.reason === 'phone_missing' ? 'phone: required' : 'phone: not a valid WhatsApp number', { field: 'phone' });
  const now = deps.now();
  const { message, created } = await deps.db.transaction(async (trx) => {
    const contact = (await upsertContacts(trx, c.connection_id, [{ externalId: phone.waId, matchKey: phone.matchKey, fromCustomer: false, at: now }])).get(phone.matchKey)!;
    const full = await trx('contacts').where({ id: contact.id }).first();
    const facts = { ...full, variables: {} };
    let content;
    try {
      content = templateFor(template, c.template_params, facts);
    } catch {
      // Columns of an import are not known for a test number: the template's examples stand in.
      const examples = Object.fromEntries(Object.keys(c.template_params).map((k) => [k, { kind: 'text' as const, value: 'teste' }]));
      content = templateFor(template, { ...examples, ...Object.fromEntries(Object.entries(c.template_params).filter(([, s]) => s.kind === 'text')) }, facts);
    }
    let conv = await trx('conversations').where({ contact_id: contact.id, status: 'open' }).first();
    if (!conv) {
      const conn = await findConnection(trx, c.connection_id);
      [conv] = await trx('conversations').insert({ connection_id: c.connection_id, contact_id: contact.id, team_id: c.team_id ?? conn?.team_id ?? null, status: 'resolved', resolved_at: now, last_message_at: now }).returning('*');
    }
    await insertAudit(trx, { actorUserId: actor.id, action: 'campaign.test_send', subjectType: 'campaign', subjectId: id, ip, detail: { phone: phone.waId } });
    return queueOutboundInTransaction(deps, trx, { type: 'template', template: content, conversationId: conv.id, origin: 'campaign', senderUserId: actor.id, clientId: `campaign-test:${id}:${now.getTime()}` });
  });
  if (created) await announceOutbound(deps, message);
  return { messageId: message.id, conversationId: message.conversation_id, phone: phone.waId };
}

/** Codes never retried: undeliverable, the user stopped marketing, an experiment, bad numbers. */
const NEVER_RETRIED = new Set(['131026', '131050', '130472', '133010', '131021']);
/** 131049 (Meta's per-user marketing cap) is retried only after this long. */
export const ECOSYSTEM_COOL_OFF_MS = 24 * 3_600_000;
const OWN_RETRIABLE = new Set(['meta_unreachable', 'send_error', 'license_restricted', 'plan_quota_messages']);

export function retriable(code: string | null, failedAt: Date | null, now: Date): boolean {
  if (!code || NEVER_RETRIED.has(code)) return false;
  if (code === '131049') return !!failedAt && now.getTime() - failedAt.getTime() >= ECOSYSTEM_COOL_OFF_MS;
  if (OWN_RETRIABLE.has(code)) return true;
  const n = Number(code);
  if (!Number.isInteger(n)) return false;
  const kind = classifyGraphFailure({ httpStatus: 400, code: n });
  return kind === 'retry' || kind === 'spam';
}

/**
 * A child campaign (parent_campaign_id) with only the failed recipients worth another try: never 131026
 * and the like, never 131049 before its cool-off, never someone who opted out since. A draft, to start
 * like any other.
 */
export async function retryFailedCampaign(deps: Deps, actor: Actor, id: string, ip: string) {
  assertWritable(await deps.license.snapshot());
  const now = deps.now();
  const child = await deps.db.transaction(async (trx) => {
    const parent = await lockCampaign(trx, id);
    if (!parent) throw notFound('campaign');
    if (EDITABLE.includes(parent.status)) throw new AppError(409, 'invalid_transition', 'a campaign not yet started has nothing to retry', { from: parent.status, to: 'retry' });
    const failed = await recipientViews(trx, id).whereRaw(`${EFFECTIVE_STATUS} = 'failed'`)
      .whereNotExists(trx('opt_outs as o').where('o.connection_id', parent.connection_id).whereRaw('o.contact_id = r.contact_id').select(trx.raw('1')))
      .select('r.variables');
    const picked = failed.filter((r: { error_code: string | null; failed_at: Date | null }) => retriable(r.error_code, r.failed_at, now));
    if (!picked.length) throw nothingToRetry();
    const row = await insertCampaign(trx, {
      name: `${parent.name} (reenvio)`.slice(0, 200), connection_id: parent.connection_id, template_id: parent.template_id, template_params: parent.template_params,
      audience: { kind: 'retry', parentCampaignId: parent.id }, rate_per_second: parent.rate_per_second, send_window: parent.send_window, daily_cap: parent.daily_cap,
      exclude_open_conversations: parent.exclude_open_conversations, require_consent: parent.require_consent, team_id: parent.team_id, flow_id: parent.flow_id,
      attribution_hours: parent.attribution_hours, parent_campaign_id: parent.id, created_by: actor.id,
    });
    await trx('campaign_recipients').insert(picked.map((r: { contact_id: string; variables: unknown }) => ({ campaign_id: row.id, contact_id: r.contact_id, variables: JSON.stringify(r.variables ?? {}), status: 'pending' })));
    await insertAudit(trx, { actorUserId: actor.id, action: 'campaign.retry_failed', subjectType: 'campaign', subjectId: row.id, ip, detail: { parent: id, recipients: picked.length, failed: failed.length } });
    return row;
  });
  return view(deps, child);
}

/** Before start: who will be sent to and who is excluded and why, and three messages as they will read. */
export async function preflightCampaign(deps: Deps, id: string) {
  const c = await findCampaign(deps.db, id);
  if (!c) throw notFound('campaign');
  const kind = (c.audience as { kind?: string }).kind;
  if (!kind) throw audienceMissing();
  const template = c.template_id ? await findTemplate(deps.db, c.template_id) : undefined;
  const sampleOf = async (rows: Array<{ contactId: string; name: string | null; phone: string; columns: Record<string, string> }>) => {
    const contacts = await deps.db('contacts').whereIn('id', rows.map((r) => r.contactId)).select('id', 'name', 'profile_name', 'external_id', 'custom_fields');
    const byId = new Map(contacts.map((x) => [x.id, x]));
    return rows.slice(0, 3).map((r) => {
      const ct = byId.get(r.contactId);
      let rendered = null;
      if (template && ct) rendered = renderedFor(template, c.template_params, { ...ct, variables: r.columns });
      return { contactId: r.contactId, name: r.name, phone: r.phone, rendered };
    });
  };
  if (kind === 'retry') {
    const rows = await recipientViews(deps.db, c.id).limit(3).select('r.variables');
    const n = (await deps.db('campaign_recipients').where({ campaign_id: c.id }).count<{ n: string }[]>('* as n'))[0]?.n ?? 0;
    return {
      total: Number(n), willSend: Number(n), excluded: { opted_out: 0, no_consent: 0, invalid_number: 0, open_conversation: 0 },
      sample: await sampleOf(rows.map((r: { contact_id: string; contact_name: string | null; contact_phone: string; variables: Record<string, string> }) => ({ contactId: r.contact_id, name: r.contact_name, phone: r.contact_phone, columns: r.variables }))),
    };
  }
  const result = await classifyAudience(deps.db, c.connection_id, AudienceSchema.parse(c.audience), {
    requireConsent: c.require_consent, excludeOpenConversations: c.exclude_open_conversations, now: deps.now(), sampleSize: 3,
  });
  return { total: result.total, willSend: result.willSend, excluded: result.excluded, sample: await sampleOf(result.sample) };
}
