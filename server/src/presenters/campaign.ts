import type { CampaignRow, Progress, RecipientView } from '../repositories/campaigns.js';
import type { MessageTemplateRow } from '../repositories/messageTemplates.js';

const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);

export function presentCampaign(c: CampaignRow, template: Pick<MessageTemplateRow, 'id' | 'name' | 'language' | 'category' | 'status'> | null, progress: Progress | null) {
  return {
    id: c.id,
    name: c.name,
    connectionId: c.connection_id,
    template: template ? { id: template.id, name: template.name, language: template.language, category: template.category, status: template.status } : null,
    templateParams: c.template_params ?? {},
    audience: c.audience && Object.keys(c.audience).length ? c.audience : null,
    status: c.status,
    pauseReason: c.pause_reason,
    pauseDetail: c.pause_detail,
    /** A running campaign waiting for capacity: portfolio_limit, outside_window or daily_cap, until when. */
    waiting: c.status === 'running' && c.waiting_reason ? { reason: c.waiting_reason, until: iso(c.waiting_until) } : null,
    scheduledAt: iso(c.scheduled_at),
    startedAt: iso(c.started_at),
    audienceFrozenAt: iso(c.audience_frozen_at),
    completedAt: iso(c.completed_at),
    cancelledAt: iso(c.cancelled_at),
    ratePerSecond: c.rate_per_second,
    sendWindow: c.send_window,
    dailyCap: c.daily_cap,
    excludeOpenConversations: c.exclude_open_conversations,
    requireConsent: c.require_consent,
    teamId: c.team_id,
    flowId: c.flow_id,
    attributionHours: c.attribution_hours,
    parentCampaignId: c.parent_campaign_id,
    createdAt: iso(c.created_at)!,
    updatedAt: iso(c.updated_at)!,
    progress,
  };
}

export function presentRecipient(r: RecipientView) {
  return {
    id: String(r.id),
    contact: { id: r.contact_id, name: r.contact_name ?? r.contact_profile_name, phone: r.contact_phone },
    status: r.status,
    reason: r.reason,
    errorCode: r.error_code,
    errorTitle: r.error_title,
    notBefore: iso(r.not_before),
    attemptedAt: iso(r.attempted_at),
    sentAt: iso(r.sent_at),
    deliveredAt: iso(r.delivered_at),
    readAt: iso(r.read_at),
    failedAt: iso(r.failed_at),
    repliedAt: iso(r.replied_at),
  };
}
