import { AppError } from '../errors.js';
import type { CampaignStatus } from '../repositories/campaigns.js';

/**
 * The campaign lifecycle: draft → scheduled → running ⇄ paused → completed, and cancelled from anything
 * not yet finished. Cancel is final; completed comes from the rows (nothing pending or queued), never by
 * request. A scheduled campaign can go back to draft (unschedule) to be edited further.
 */
const ALLOWED: Record<CampaignStatus, CampaignStatus[]> = {
  draft: ['scheduled', 'running', 'cancelled'],
  scheduled: ['draft', 'running', 'cancelled'],
  running: ['paused', 'completed', 'cancelled'],
  paused: ['running', 'cancelled', 'completed'],
  completed: [],
  cancelled: [],
};

export const invalidTransition = (from: CampaignStatus, to: CampaignStatus) =>
  new AppError(409, 'invalid_transition', `a ${from} campaign cannot become ${to}`, { from, to });
export const campaignNotEditable = (status: CampaignStatus) =>
  new AppError(409, 'campaign_not_editable', `a ${status} campaign's audience, template and parameters are frozen; only draft and scheduled campaigns change`, { status });
export const templateNotApproved = (status: string | null) =>
  new AppError(422, 'template_not_approved', status ? `the template is ${status}: only APPROVED templates can be sent` : 'choose an approved template first', { status });
export const audienceMissing = () => new AppError(422, 'audience_missing', 'choose who the campaign goes to first');
export const audienceEmpty = () => new AppError(422, 'audience_empty', 'nobody in this audience can be sent to');
export const nothingToRetry = () => new AppError(422, 'nothing_to_retry', 'no failed recipient can be retried (none failed for a reason worth retrying)');

export function assertTransition(from: CampaignStatus, to: CampaignStatus): void {
  if (!ALLOWED[from].includes(to)) throw invalidTransition(from, to);
}

export const EDITABLE: CampaignStatus[] = ['draft', 'scheduled'];

export function assertEditable(status: CampaignStatus): void {
  if (!EDITABLE.includes(status)) throw campaignNotEditable(status);
}

/** Why a running campaign was paused (pause_reason). */
export type PauseReason =
  | 'manual' | 'template_paused' | 'template_not_approved' | 'quality_red' | 'spam_limit' | 'failure_rate' | 'license_restricted' | 'plan_quota_messages';
