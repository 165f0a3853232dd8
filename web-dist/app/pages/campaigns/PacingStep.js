import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../lib/api.js';
import { duration, number } from '../../lib/format.js';
import { t } from '../../lib/i18n.js';
import { directory, loadDirectory } from '../../state/directory.js';
import { useLoad, useSubmit, valueOf } from '../admin/common.js';
import { StepActions, TimeInput, ZONES, numberLimit } from './campaign.js';

const DAYS = [1, 2, 3, 4, 5, 6, 7];

/**
 * How fast and when: messages per second (never above what Meta allows the number), the days and hours
 * it may send in a time zone, a daily cap, and where the replies go.
 * @param {import('./CampaignWizard.js').StepProps} props
 */
export function PacingStep({ campaign, connection, save, next, back }) {
  const limit = numberLimit(connection);
  const [rate, setRate] = useState(String(campaign.ratePerSecond ?? ''));
  const [windowOn, setWindowOn] = useState(!!campaign.sendWindow);
  const [win, setWin] = useState(campaign.sendWindow ?? { days: [1, 2, 3, 4, 5], from: '09:00', to: '18:00', timezone: 'America/Sao_Paulo' });
  const [cap, setCap] = useState(campaign.dailyCap ? String(campaign.dailyCap) : '');
  const [teamId, setTeamId] = useState(campaign.teamId ?? '');
  const [flowId, setFlowId] = useState(campaign.flowId ?? '');
  const [hours, setHours] = useState(String(campaign.attributionHours ?? 72));
  const flows = useLoad(async () => /** @type {{ id: string, name: string, status: string }[]} */ ((await api('GET', '/api/flows').catch(() => ({ items: [] }))).items));
  const audience = useLoad(async () => (await api('GET', `/api/campaigns/${campaign.id}/preflight`)).willSend ?? null);
  useEffect(() => { void loadDirectory(); }, []);

  const perSecond = rate ? Number(rate) : limit;
  const total = /** @type {number | null} */ (audience.data);
  const rateBad = rate !== '' && (!Number.isInteger(perSecond) || perSecond < 1 || perSecond > limit);
  const windowBad = windowOn && (win.days.length === 0 || win.from === win.to);
  const { busy, error, submit } = useSubmit(async () => {
    await save({
      ratePerSecond: rate ? perSecond : null,
      sendWindow: windowOn ? win : null,
      dailyCap: cap ? Math.max(1, Math.round(Number(cap))) : null,
      teamId: teamId || null,
      flowId: flowId || null,
      attributionHours: Math.max(1, Math.round(Number(hours) || 72)),
    });
    next();
  });

  return html`<div class="cmp-step-grid" data-testid="pacing-step">
    <div class="cmp-step-main">
      <div class="card card-pad">
        <h2 class="card-title">${t('cmp.pace.rate')}</h2>
        <label class="field"><span>${t('cmp.pace.perSecond')} <em class="optional">${t('cmp.pace.optional')}</em></span>
          <div class="cmp-inline">
            <input type="number" min="1" max=${limit} step="1" value=${rate} placeholder=${String(limit)} class="cmp-num" aria-invalid=${rateBad ? 'true' : undefined}
              onInput=${(/** @type {Event} */ e) => setRate(valueOf(e))} data-testid="pace-rate" />
            <span class="muted">${t('cmp.pace.perSecondUnit')}</span>
          </div>
          <small data-testid="pace-limit">${connection?.coexistence ? t('cmp.pace.limitCoexistence', { limit }) : t('cmp.pace.limit', { limit })}</small>
          ${rateBad && html`<small class="field-bad">${t('cmp.pace.rateBad', { limit })}</small>`}
        </label>
        <p class="muted small cmp-none">${t('cmp.pace.portfolio')}</p>
      </div>

      <div class="card card-pad">
        <div class="bh-card-head">
          <h2 class="card-title">${t('cmp.pace.window')}</h2>
          <label class="cmp-switch-inline"><input type="checkbox" class="bh-switch" checked=${windowOn} data-testid="pace-window-on"
            onChange=${(/** @type {Event} */ e) => setWindowOn(/** @type {HTMLInputElement} */ (e.currentTarget).checked)} /><span>${t('cmp.pace.windowOn')}</span></label>
        </div>
        ${!windowOn ? html`<p class="muted small cmp-none">${t('cmp.pace.anyTime')}</p>` : html`
          <div class="cmp-days" role="group" aria-label=${t('cmp.pace.days')}>
            ${DAYS.map((d) => html`<label class=${`cmp-day ${win.days.includes(d) ? 'on' : ''}`} key=${d}>
              <input type="checkbox" checked=${win.days.includes(d)} data-testid=${`pace-day-${d}`}
                onChange=${(/** @type {Event} */ e) => {
                  const on = /** @type {HTMLInputElement} */ (e.currentTarget).checked;
                  setWin({ ...win, days: on ? [...win.days, d].sort() : win.days.filter((x) => x !== d) });
                }} />${t(/** @type {any} */ (`dayShort.${d}`))}</label>`)}
          </div>
          <div class="cmp-inline cmp-hours">
            <span>${t('cmp.pace.from')}</span>
            <${TimeInput} label=${t('cmp.pace.from')} value=${win.from} onCommit=${(/** @type {string} */ v) => setWin({ ...win, from: v })} testid="pace-from" />
            <span>${t('cmp.pace.to')}</span>
            <${TimeInput} label=${t('cmp.pace.to')} value=${win.to} onCommit=${(/** @type {string} */ v) => setWin({ ...win, to: v })} testid="pace-to" />
          </div>
          <label class="field"><span>${t('cmp.pace.timezone')}</span>
            <select value=${win.timezone} onChange=${(/** @type {Event} */ e) => setWin({ ...win, timezone: valueOf(e) })} data-testid="pace-timezone">
              ${ZONES.map(([z, places]) => html`<option value=${z}>${places} (${z})</option>`)}
              ${!ZONES.some(([z]) => z === win.timezone) && html`<option value=${win.timezone}>${win.timezone}</option>`}
            </select></label>
          <p class="muted small cmp-none">${windowBad ? html`<span class="field-bad">${t('cmp.pace.windowBad')}</span>` : t('cmp.pace.windowHint')}</p>`}
      </div>

      <div class="card card-pad">
        <h2 class="card-title">${t('cmp.pace.cap')}</h2>
        <label class="field"><span>${t('cmp.pace.capLabel')} <em class="optional">${t('cmp.pace.optional')}</em></span>
          <div class="cmp-inline"><input type="number" min="1" step="1" class="cmp-num" value=${cap} placeholder="—" onInput=${(/** @type {Event} */ e) => setCap(valueOf(e))} data-testid="pace-cap" />
            <span class="muted">${t('cmp.pace.capUnit')}</span></div>
          <small>${t('cmp.pace.capHint')}</small></label>
      </div>

      <div class="card card-pad">
        <h2 class="card-title">${t('cmp.pace.replies')}</h2>
        <div class="grid-2 grid-tight">
          <label class="field"><span>${t('cmp.pace.team')}</span>
            <select value=${teamId} onChange=${(/** @type {Event} */ e) => setTeamId(valueOf(e))} data-testid="pace-team">
              <option value="">${t('cmp.pace.teamDefault')}</option>
              ${directory.value.teams.map((x) => html`<option value=${x.id}>${x.name}</option>`)}
            </select></label>
          <label class="field"><span>${t('cmp.pace.flow')}</span>
            <select value=${flowId} onChange=${(/** @type {Event} */ e) => setFlowId(valueOf(e))} data-testid="pace-flow">
              <option value="">${t('cmp.pace.flowNone')}</option>
              ${(flows.data ?? []).map((f) => html`<option value=${f.id}>${f.name}</option>`)}
            </select></label>
        </div>
        <label class="field"><span>${t('cmp.pace.attribution')}</span>
          <div class="cmp-inline"><input type="number" min="1" max="720" step="1" class="cmp-num" value=${hours} onInput=${(/** @type {Event} */ e) => setHours(valueOf(e))} data-testid="pace-attribution" />
            <span class="muted">${t('cmp.pace.hours')}</span></div>
          <small>${t('cmp.pace.attributionHint')}</small></label>
      </div>
      <${StepActions} onBack=${back} onNext=${submit} busy=${busy} disabled=${rateBad || windowBad} error=${error} />
    </div>
    <aside class="cmp-step-side">
      <div class="card card-pad cmp-count" data-testid="pace-estimate">
        <span class="cmp-count-label">${t('cmp.pace.estimate')}</span>
        ${total !== null && total > 0
          ? html`<strong class="cmp-count-n">${total / perSecond < 60 ? t('cmp.pace.underMinute') : duration(Math.ceil(total / perSecond))}</strong>
              <span class="muted small">${t('cmp.pace.estimateHint', { n: number(total), rate: number(perSecond) })}</span>`
          : html`<strong class="cmp-count-n muted">—</strong>`}
        ${windowOn && html`<span class="muted small">${t('cmp.pace.estimateWindow')}</span>`}
        ${cap && total !== null && Number(cap) < total && html`<span class="muted small">${t('cmp.pace.estimateCap', { days: Math.ceil(total / Number(cap)) })}</span>`}
      </div>
    </aside>
  </div>`;
}
