import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { Icon } from '../../components/Icon.js';
import { api } from '../../lib/api.js';
import { dateTime, number } from '../../lib/format.js';
import { t } from '../../lib/i18n.js';
import { navigate } from '../../lib/router.js';
import { ConfirmDialog, useLoad, valueOf } from '../admin/common.js';
import { CampaignSummary } from './CampaignSummary.js';
import { StepActions, TimeInput } from './campaign.js';

/** "2026-03-14" of a Date, in the viewer's zone. @param {Date} d */
const ymd = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

/**
 * Now or at a date and time: a last look at the count, then the start (or the schedule). A scheduled
 * campaign can still be edited, and is started by the worker when its time comes.
 * @param {import('./CampaignWizard.js').StepProps} props
 */
export function StartStep({ campaign, connection, back, go }) {
  const pre = useLoad(async () => /** @type {import('./types.js').Preflight} */ (await api('GET', `/api/campaigns/${campaign.id}/preflight`)));
  const initialAt = campaign.scheduledAt ? new Date(campaign.scheduledAt) : new Date(Date.now() + 3600_000);
  const [mode, setMode] = useState(campaign.scheduledAt ? 'later' : 'now');
  const [date, setDate] = useState(ymd(initialAt));
  const [time, setTime] = useState(`${String(initialAt.getHours()).padStart(2, '0')}:${String(initialAt.getMinutes()).padStart(2, '0')}`);
  const [confirming, setConfirming] = useState(false);
  const at = new Date(`${date}T${time}:00`);
  const atBad = mode === 'later' && (Number.isNaN(at.getTime()) || at.getTime() < Date.now());
  const willSend = pre.data?.willSend ?? null;

  return html`<div class="cmp-step-grid" data-testid="start-step">
    <div class="cmp-step-main">
      <div class="card card-pad">
        <h2 class="card-title">${t('cmp.start.when')}</h2>
        <div class="channel-pick">
          <label class=${`channel-option ${mode === 'now' ? 'selected' : ''}`}>
            <input type="radio" name="when" checked=${mode === 'now'} onChange=${() => setMode('now')} data-testid="start-now" />
            <span class="channel-badge cmp-src-icon"><${Icon} name="send" /></span>
            <span><strong>${t('cmp.start.now')}</strong><small>${t('cmp.start.nowHint')}</small></span>
          </label>
          <label class=${`channel-option ${mode === 'later' ? 'selected' : ''}`}>
            <input type="radio" name="when" checked=${mode === 'later'} onChange=${() => setMode('later')} data-testid="start-later" />
            <span class="channel-badge cmp-src-icon"><${Icon} name="clock" /></span>
            <span><strong>${t('cmp.start.later')}</strong><small>${t('cmp.start.laterHint')}</small></span>
          </label>
        </div>
        ${mode === 'later' && html`<div class="cmp-inline cmp-schedule">
          <input type="date" value=${date} min=${ymd(new Date())} aria-label=${t('cmp.start.date')} onInput=${(/** @type {Event} */ e) => setDate(valueOf(e))} data-testid="start-date" />
          <${TimeInput} label=${t('cmp.start.time')} value=${time} onCommit=${setTime} testid="start-time" />
          ${atBad && html`<span class="field-bad small">${t('cmp.start.past')}</span>`}
        </div>`}
      </div>
      <div class="card card-pad cmp-start-card" data-testid="start-summary">
        <span class="cmp-count-label">${t('cmp.start.goesTo')}</span>
        <strong class="cmp-big">${willSend === null ? '…' : number(willSend)}</strong>
        <p class="muted small cmp-none">${t('cmp.start.careful')}</p>
      </div>
      <${StepActions} onBack=${back} onNext=${() => setConfirming(true)} disabled=${atBad || !willSend || !campaign.template}
        nextLabel=${mode === 'now' ? t('cmp.start.startNow') : t('cmp.start.schedule')} />
    </div>
    <aside class="cmp-step-side">
      <${CampaignSummary} campaign=${campaign} connection=${connection} onEdit=${go} />
    </aside>
    ${confirming && html`<${ConfirmDialog} testid="start-confirm"
      title=${mode === 'now' ? t('cmp.start.confirmNow', { n: number(willSend ?? 0) }) : t('cmp.start.confirmLater', { when: dateTime(at.toISOString()) })}
      body=${t('cmp.start.confirmBody')} confirmLabel=${mode === 'now' ? t('cmp.start.startNow') : t('cmp.start.schedule')}
      onClose=${() => setConfirming(false)}
      onConfirm=${async () => {
        // A scheduled campaign goes back to draft first, so it can start now or at the new time.
        if (campaign.status === 'scheduled') await api('POST', `/api/campaigns/${campaign.id}/unschedule`);
        await api('POST', `/api/campaigns/${campaign.id}/start`, { scheduledAt: mode === 'now' ? null : at.toISOString() });
        navigate(`/campaigns/${campaign.id}`);
      }} />`}
  </div>`;
}
