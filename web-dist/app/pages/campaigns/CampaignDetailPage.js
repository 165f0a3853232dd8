import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { Icon } from '../../components/Icon.js';
import { toast } from '../../components/Toast.js';
import { api } from '../../lib/api.js';
import { errorText } from '../../lib/errors.js';
import { dateTime, number, phone } from '../../lib/format.js';
import { t, tDynamic } from '../../lib/i18n.js';
import { on } from '../../lib/realtime.js';
import { navigate } from '../../lib/router.js';
import { isRestricted } from '../../state/license.js';
import { me } from '../../state/session.js';
import { ConfirmDialog, LoadError, Loading, readOnlyTitle, useLoad } from '../admin/common.js';
import { CampaignSummary } from './CampaignSummary.js';
import { RecipientsTable } from './RecipientsTable.js';
import { Seg, StatusPill, editable, funnel, pauseAdvice, pauseText, percent } from './campaign.js';

/** @typedef {import('./types.js').Campaign} Campaign */

/** How often the page asks while a campaign sends, in case a live event is missed. */
const POLL_MS = 2000;
/** After the sends, while delivery receipts are still due. */
const SETTLE_POLL_MS = 5000;

/**
 * One campaign: its status with the pause cause in words, the live funnel (audience → attempted → sent →
 * delivered → read → replied), opt-outs, failures grouped by Meta's code, the actions its status allows,
 * what it was set to, and every recipient with their status and reason.
 * @param {{ id: string }} props
 */
export function CampaignDetailPage({ id }) {
  const c = useLoad(async () => /** @type {Campaign} */ (await api('GET', `/api/campaigns/${id}`)), [id]);
  const conns = useLoad(async () => /** @type {import('./types.js').Connection[]} */ ((await api('GET', '/api/connections').catch(() => ({ items: [] }))).items));
  const [dialog, setDialog] = useState(/** @type {null | 'cancel' | 'retry' | 'delete'} */ (null));
  const [acting, setActing] = useState(/** @type {string | null} */ (null));
  const [tick, setTick] = useState(0);
  const campaign = c.data;
  const live = campaign?.status === 'running' || campaign?.status === 'scheduled';
  // Receipts keep coming after the last send: sent but not yet delivered, read or failed is still moving.
  const f0 = funnel(campaign?.progress);
  const settling = !live && f0.sent > f0.delivered && Date.now() - new Date(campaign?.completedAt ?? campaign?.updatedAt ?? 0).getTime() < 48 * 3600_000;

  // Live: the socket's campaign events when they come, and a poll every 2 s while it sends.
  const latest = useRef(campaign);
  latest.current = campaign;
  useEffect(() => {
    const mine = (/** @type {any} */ d) => d && (d.id === id || d.campaignId === id);
    const onProgress = (/** @type {any} */ d) => {
      if (!mine(d)) return;
      const cur = latest.current;
      if (cur && d.progress && !d.status) c.setData({ ...cur, progress: d.progress });
      else void refresh();
    };
    const offs = [on('campaign:progress', onProgress), on('campaign:updated', onProgress), on('resync', () => void refresh())];
    return () => offs.forEach((off) => off());
  }, [id]);
  useEffect(() => {
    if (!live && !settling) return;
    const timer = setInterval(() => void refresh(), live ? POLL_MS : SETTLE_POLL_MS);
    return () => clearInterval(timer);
  }, [live, settling, id]);

  /** Reads the campaign again without the loading state (the page stays as it is). */
  const refresh = async () => {
    try {
      c.setData(/** @type {Campaign} */ (await api('GET', `/api/campaigns/${id}`)));
      setTick((n) => n + 1);
    } catch { /* the next poll tries again */ }
  };

  if (c.loading && !campaign) return html`<section class="page"><${Loading} /></section>`;
  if (c.error && !campaign) return html`<section class="page"><${LoadError} error=${c.error} onRetry=${c.reload} /></section>`;
  if (!campaign) return null;

  const admin = me.value?.role === 'admin';
  const locked = isRestricted() || !admin;
  const f = funnel(campaign.progress);
  const connection = conns.data?.find((x) => x.id === campaign.connectionId) ?? null;
  const retriable = f.failed > 0 && (campaign.status === 'completed' || campaign.status === 'cancelled' || campaign.status === 'paused');

  const act = async (/** @type {string} */ action) => {
    setActing(action);
    try {
      await api('POST', `/api/campaigns/${id}/${action}`);
      await refresh();
      toast(tDynamic(`cmp.done.${action}`), 'success');
    } catch (err) {
      toast(errorText(err), 'error');
    } finally {
      setActing(null);
    }
  };
  const btn = (/** @type {string} */ action, /** @type {import('../../components/Icon.js').IconName} */ icon, /** @type {string} */ cls = 'btn') => html`<button type="button" class=${cls}
    disabled=${locked || acting !== null} title=${readOnlyTitle()} onClick=${() => void act(action)} data-testid=${`campaign-${action}`}>
    ${acting === action ? html`<span class="spinner spinner-sm"></span>` : html`<${Icon} name=${icon} size=${16} />`}${tDynamic(`cmp.action.${action}`)}</button>`;

  return html`<section class="page cmp-detail" data-testid="page-campaign" data-campaign-id=${id} data-status=${campaign.status}>
    <a href="/campaigns" class="back-link"><${Icon} name="back" size=${16} />${t('cmp.wizard.backToList')}</a>
    <header class="cmp-wizard-head">
      <div class="cmp-wizard-title">
        <h1 data-testid="campaign-name">${campaign.name}</h1>
        <${StatusPill} status=${campaign.status} />
        ${connection && html`<span class="muted small">${connection.name}${connection.displayPhoneNumber ? ` · ${phone(connection.displayPhoneNumber.replace(/\D/g, ''))}` : ''}</span>`}
      </div>
      ${admin && html`<div class="page-head-actions">
        ${editable(campaign) && html`<a class="btn" href=${`/campaigns/${id}/edit`} data-testid="campaign-edit"><${Icon} name="note" size=${16} />${t('common.edit')}</a>`}
        ${campaign.status === 'scheduled' && btn('unschedule', 'back')}
        ${campaign.status === 'running' && btn('pause', 'clock')}
        ${campaign.status === 'paused' && btn('resume', 'refresh', 'btn btn-primary')}
        ${retriable && html`<button type="button" class="btn" disabled=${locked} title=${readOnlyTitle()} onClick=${() => setDialog('retry')} data-testid="campaign-retry-failed">
          <${Icon} name="reopen" size=${16} />${t('cmp.action.retryFailed')}</button>`}
        ${['scheduled', 'running', 'paused'].includes(campaign.status) && html`<button type="button" class="btn btn-danger" disabled=${locked} title=${readOnlyTitle()}
          onClick=${() => setDialog('cancel')} data-testid="campaign-cancel">${t('cmp.action.cancel')}</button>`}
        ${campaign.status === 'draft' && html`<button type="button" class="btn btn-danger" disabled=${locked} onClick=${() => setDialog('delete')} data-testid="campaign-delete">${t('common.delete')}</button>`}
      </div>`}
    </header>
    ${campaign.parentCampaignId && html`<p class="muted small cmp-parent">${t('cmp.detail.retryOf')} <a href=${`/campaigns/${campaign.parentCampaignId}`} data-testid="campaign-parent">${t('cmp.detail.parent')}</a></p>`}

    <${StatusLine} campaign=${campaign} f=${f} />

    <div class="cmp-detail-grid">
      <div class="cmp-detail-main">
        <${Funnel} f=${f} />
        ${campaign.progress?.failedByCode?.length ? html`<${Failures} items=${campaign.progress.failedByCode} total=${f.failed} />` : null}
        <${RecipientsTable} campaignId=${id} refreshKey=${`${f.done}:${f.delivered}:${f.read}:${f.replied}:${campaign.status}`} tick=${tick} />
      </div>
      <aside class="cmp-detail-side">
        <${CampaignSummary} campaign=${campaign} connection=${connection} />
        <div class="card card-pad cmp-times">
          <h2 class="card-title">${t('cmp.detail.times')}</h2>
          <dl class="kv">
            <dt>${t('cmp.detail.created')}</dt><dd>${dateTime(campaign.createdAt)}</dd>
            ${campaign.scheduledAt && html`<dt>${t('cmp.detail.scheduled')}</dt><dd>${dateTime(campaign.scheduledAt)}</dd>`}
            ${campaign.startedAt && html`<dt>${t('cmp.detail.started')}</dt><dd>${dateTime(campaign.startedAt)}</dd>`}
            ${campaign.completedAt && html`<dt>${t('cmp.detail.completed')}</dt><dd>${dateTime(campaign.completedAt)}</dd>`}
            ${campaign.cancelledAt && html`<dt>${t('cmp.detail.cancelled')}</dt><dd>${dateTime(campaign.cancelledAt)}</dd>`}
          </dl>
          <a class="btn btn-sm cmp-export" href=${`/api/campaigns/${id}/export`} download=${`${campaign.name}.csv`} data-testid="campaign-export">
            <${Icon} name="file" size=${14} />${t('cmp.action.export')}</a>
        </div>
      </aside>
    </div>

    ${dialog === 'cancel' && html`<${ConfirmDialog} title=${t('cmp.cancel.title')} body=${t('cmp.cancel.body', { n: number(f.pending + f.queued) })}
      confirmLabel=${t('cmp.action.cancel')} danger onClose=${() => setDialog(null)} testid="cancel-confirm"
      onConfirm=${async () => { await api('POST', `/api/campaigns/${id}/cancel`); await refresh(); }} />`}
    ${dialog === 'retry' && html`<${ConfirmDialog} title=${t('cmp.retry.title')} body=${t('cmp.retry.body')}
      confirmLabel=${t('cmp.action.retryFailed')} onClose=${() => setDialog(null)} testid="retry-confirm"
      onConfirm=${async () => { const child = await api('POST', `/api/campaigns/${id}/retry-failed`); navigate(`/campaigns/${child.id}/edit?step=review`); }} />`}
    ${dialog === 'delete' && html`<${ConfirmDialog} title=${t('cmp.delete.title', { name: campaign.name })} body=${t('cmp.delete.body')}
      confirmLabel=${t('common.delete')} danger onClose=${() => setDialog(null)}
      onConfirm=${async () => { await api('DELETE', `/api/campaigns/${id}`); navigate('/campaigns'); }} />`}
  </section>`;
}

/**
 * One sentence on where the campaign stands: why it is paused (and what to do), when it starts, or how
 * it ended — "completed" said with how many were delivered, because completed is not delivered.
 * @param {{ campaign: Campaign, f: ReturnType<typeof funnel> }} props
 */
function StatusLine({ campaign: c, f }) {
  /** @type {[string, import('../../components/Icon.js').IconName, any, any]} */
  let line;
  if (c.status === 'paused') line = ['warning', 'alert', pauseText(c.pauseReason, c.pauseDetail), pauseAdvice(c.pauseReason)];
  else if (c.status === 'running') line = ['info', 'send', t('cmp.line.running', { done: number(f.done), total: number(f.audience) }),
    c.waiting ? t('cmp.line.waiting', { reason: tDynamic(`cmp.reason.${c.waiting.reason}`), until: c.waiting.until ? dateTime(c.waiting.until) : '—' }) : null];
  else if (c.status === 'scheduled') line = ['info', 'clock', t('cmp.line.scheduled', { when: dateTime(c.scheduledAt) }), t('cmp.line.scheduledHint')];
  else if (c.status === 'completed') line = [f.failed > 0 ? 'warning' : f.delivered < f.sent ? 'info' : 'success', 'checks', t('cmp.line.completed', { delivered: number(f.delivered), total: number(f.attempted), pct: percent(f.delivered, f.attempted) }),
    [f.failed > 0 ? t('cmp.line.completedFailed', { n: number(f.failed) }) : null, f.skipped > 0 ? t('cmp.line.completedSkipped', { n: number(f.skipped) }) : null, f.sent > f.delivered ? t('cmp.line.completedPending', { n: number(f.sent - f.delivered) }) : null].filter(Boolean).join(' ') || null];
  else if (c.status === 'cancelled') line = ['neutral', 'x', t('cmp.line.cancelled', { when: dateTime(c.cancelledAt) }), t('cmp.line.cancelledHint', { n: number(f.attempted) })];
  else line = ['neutral', 'note', t('cmp.line.draft'), null];
  const [kind, icon, text, sub] = line;
  return html`<div class=${`cmp-line cmp-line-${kind}`} role="status" data-testid="campaign-line" data-pause-reason=${c.pauseReason ?? undefined}>
    <${Icon} name=${icon} size=${18} />
    <div><strong data-testid="campaign-line-text">${text}</strong>${sub && html`<span>${sub}</span>`}</div>
  </div>`;
}

/**
 * The funnel: each stage with its count, its share of the audience, and a bar.
 * @param {{ f: ReturnType<typeof funnel> }} props
 */
function Funnel({ f }) {
  const stages = /** @type {const} */ (['audience', 'attempted', 'sent', 'delivered', 'read', 'replied']);
  return html`<div class="card card-pad" data-testid="campaign-funnel">
    <h2 class="card-title">${t('cmp.funnel.title')}</h2>
    <ol class="cmp-funnel">
      ${stages.map((s) => html`<li key=${s} data-testid="funnel-stage" data-stage=${s} data-count=${f[s]}>
        <span class="cmp-funnel-label">${tDynamic(`cmp.funnel.${s}`)}</span>
        <span class="cmp-funnel-track"><${Seg} cls=${`cmp-funnel-bar cmp-funnel-${s}`} w=${f.audience ? f[s] / f.audience : 0} /></span>
        <strong class="cmp-funnel-n">${number(f[s])}</strong>
        <span class="cmp-funnel-pct muted">${s === 'audience' ? '' : percent(f[s], f.audience)}</span>
      </li>`)}
    </ol>
    <div class="cmp-side-counts">
      ${/** @type {const} */ (['pending', 'failed', 'skipped', 'optedOut']).map((k) => html`<div key=${k} class=${`cmp-side-count cmp-side-${k}`} data-testid=${`count-${k}`} data-count=${f[k] + (k === 'pending' ? f.queued : 0)}>
        <strong>${number(f[k] + (k === 'pending' ? f.queued : 0))}</strong><span>${tDynamic(`cmp.count.${k}`)}</span><small class="muted">${tDynamic(`cmp.countHint.${k}`)}</small>
      </div>`)}
    </div>
  </div>`;
}

/**
 * Failures by Meta's code and title, largest first, with what the common codes mean.
 * @param {{ items: { code: string, title: string | null, count: number }[], total: number }} props
 */
function Failures({ items, total }) {
  const sorted = [...items].sort((a, b) => b.count - a.count);
  return html`<div class="card card-table" data-testid="campaign-failures">
    <div class="card-head"><div><h2 class="card-title cmp-flush">${t('cmp.fail.title')}</h2><p class="muted small">${t('cmp.fail.hint')}</p></div></div>
    <table class="table">
      <thead><tr><th>${t('cmp.fail.code')}</th><th>${t('cmp.fail.what')}</th><th class="cmp-num-col">${t('cmp.fail.count')}</th></tr></thead>
      <tbody>${sorted.map((x) => {
        const meaning = tDynamic(`cmp.meta.${x.code}`);
        return html`<tr key=${x.code} data-testid="failure-row" data-code=${x.code}>
          <td><code class="inline-code">${x.code}</code></td>
          <td><strong>${x.title ?? '—'}</strong>${meaning !== `cmp.meta.${x.code}` && html`<small class="muted cmp-meaning">${meaning}</small>`}</td>
          <td class="cmp-num-col"><strong>${number(x.count)}</strong> <small class="muted">${percent(x.count, total)}</small></td>
        </tr>`;
      })}</tbody>
    </table>
  </div>`;
}
