import type { Knex } from 'knex';
import { AudienceSchema, audienceWithReasons } from '../audiences/audienceQuery.js';
import type { Deps } from '../deps.js';
import type { CampaignRow } from '../repositories/campaigns.js';
import { findTemplate } from '../repositories/messageTemplates.js';
import { markProgress } from './progress.js';

export interface FrozenAudience { audience: number; pending: number; skipped: number }

/**
 * Freezes the audience into campaign_recipients with one `insert … select`: every contact of the
 * audience once (the send-once key (campaign, contact)), pending, or skipped with the reason it is
 * excluded at build time (opted out, invalid number, no consent, an open conversation when excluded).
 * A retry campaign's rows were written when it was made.
 */
export async function freezeAudience(trx: Knex.Transaction, c: CampaignRow, now: Date): Promise<FrozenAudience> {
  if ((c.audience as { kind?: string }).kind !== 'retry') {
    const audience = AudienceSchema.parse(c.audience);
    const rows = audienceWithReasons(trx, c.connection_id, audience, { requireConsent: c.require_consent, excludeOpenConversations: c.exclude_open_conversations }, now);
    await trx.raw(
      `insert into campaign_recipients (campaign_id, contact_id, variables, status, reason)
       select ?::uuid, a.contact_id, coalesce(a.columns, '{}'::jsonb), case when a.reason is null then 'pending' else 'skipped' end, a.reason
         from (${rows.toQuery()}) a
       on conflict (campaign_id, contact_id) do nothing`,
      [c.id],
    );
  }
  await trx('campaigns').where({ id: c.id }).update({ audience_frozen_at: now, updated_at: now });
  const [counts] = await trx('campaign_recipients').where({ campaign_id: c.id })
    .select(trx.raw('count(*)::int as audience'), trx.raw(`(count(*) filter (where status = 'pending'))::int as pending`), trx.raw(`(count(*) filter (where status = 'skipped'))::int as skipped`));
  return counts as FrozenAudience;
}

/**
 * Scheduled campaigns whose time has come start (claimed with skip locked: one worker each); one that was
 * due while the worker was down starts at its next look. A template no longer approved pauses it instead,
 * with the cause.
 */
export async function beginDueCampaigns(deps: Deps): Promise<number> {
  let started = 0;
  for (;;) {
    const id = await deps.db.transaction(async (trx) => {
      const now = deps.now();
      const c: CampaignRow | undefined = await trx('campaigns').where({ status: 'scheduled' }).where('scheduled_at', '<=', now)
        .orderBy('scheduled_at').forUpdate().skipLocked().first();
      if (!c) return null;
      const template = c.template_id ? await findTemplate(trx, c.template_id) : undefined;
      if (template?.status !== 'APPROVED') {
        await trx('campaigns').where({ id: c.id }).update({
          status: 'paused', pause_reason: 'template_not_approved', pause_detail: JSON.stringify({ status: template?.status ?? null }), started_at: now, updated_at: now,
        });
        return c.id;
      }
      await freezeAudience(trx, c, now);
      await trx('campaigns').where({ id: c.id }).update({ status: 'running', started_at: now, updated_at: now });
      return c.id;
    });
    if (!id) return started;
    started++;
    await markProgress(deps, id);
  }
}
