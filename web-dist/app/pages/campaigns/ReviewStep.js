import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { Icon } from '../../components/Icon.js';
import { toast } from '../../components/Toast.js';
import { api } from '../../lib/api.js';
import { number, phone as phoneText } from '../../lib/format.js';
import { plural, t, tDynamic } from '../../lib/i18n.js';
import { LoadError, Loading, useLoad, useSubmit, valueOf } from '../admin/common.js';
import { CampaignSummary } from './CampaignSummary.js';
import { RenderedBubble, StepActions, TemplateBubble } from './campaign.js';

/** @typedef {import('./types.js').Preflight} Preflight */

/** Exclusion reasons, in the order people ask about them. */
export const EXCLUSIONS = /** @type {const} */ (['opted_out', 'no_consent', 'invalid_number', 'open_conversation']);

/**
 * Before anything goes: how many will receive it and how many are left out, and why; a few messages as
 * they will be rendered for real contacts; and a test send to one phone.
 * @param {import('./CampaignWizard.js').StepProps} props
 */
export function ReviewStep({ campaign, connection, next, back, go }) {
  const pre = useLoad(async () => /** @type {Preflight} */ (await api('GET', `/api/campaigns/${campaign.id}/preflight`)));
  const d = pre.data;
  return html`<div class="cmp-step-grid" data-testid="review-step">
    <div class="cmp-step-main">
      <div class="card card-pad" data-testid="review-counts">
        <h2 class="card-title">${t('cmp.review.who')}</h2>
        ${pre.loading && !d ? html`<${Loading} />` : pre.error && !d ? html`<${LoadError} error=${pre.error} onRetry=${pre.reload} />` : d && html`
          <div class="cmp-review-total">
            <div><strong class="cmp-big" data-testid="review-will-send">${number(d.willSend)}</strong>
              <span>${t('cmp.review.willSend')}</span></div>
            <div class="muted">${t('cmp.review.ofTotal', { total: number(d.total) })}</div>
          </div>
          <ul class="cmp-exclusions" data-testid="review-exclusions">
            ${EXCLUSIONS.map((k) => html`<li key=${k} class=${d.excluded[k] ? '' : 'cmp-zero'} data-testid="exclusion" data-reason=${k} data-count=${d.excluded[k] ?? 0}>
              <strong>${number(d.excluded[k] ?? 0)}</strong>
              <span><span class="cmp-excl-title">${tDynamic(`cmp.excl.${k}`)}</span><small class="muted">${tDynamic(`cmp.exclWhy.${k}`)}</small></span>
            </li>`)}
          </ul>
          ${d.willSend === 0 && html`<p class="notice notice-warning" data-testid="review-nobody">${t('cmp.review.nobody')}</p>`}`}
      </div>

      <div class="card card-pad" data-testid="review-samples">
        <h2 class="card-title">${t('cmp.review.samples')}</h2>
        ${!d ? null : !d.sample.length ? html`<p class="muted small cmp-none">${t('cmp.review.noSamples')}</p>` : html`
          <div class="cmp-samples">${d.sample.slice(0, 3).map((s) => html`<div class="cmp-sample" key=${s.contactId} data-testid="sample">
            <div class="cmp-sample-who"><strong>${s.name ?? phoneText(s.phone)}</strong><small class="muted">${phoneText(s.phone)}</small></div>
            <div class="cmp-chat">${s.rendered
              ? html`<${RenderedBubble} rendered=${s.rendered} />`
              : campaign.template && html`<${TemplatePreviewFromList} campaign=${campaign} contact=${s} />`}</div>
          </div>`)}</div>`}
      </div>

      <${TestSend} campaignId=${campaign.id} />
      <${StepActions} onBack=${back} onNext=${next} disabled=${!d || d.willSend === 0 || !campaign.template}
        hint=${!campaign.template ? t('cmp.review.needTemplate') : null} />
    </div>
    <aside class="cmp-step-side">
      <${CampaignSummary} campaign=${campaign} connection=${connection} onEdit=${go} />
    </aside>
  </div>`;
}

/** The client's own rendering when the server sends no text for a sample. @param {{ campaign: import('./types.js').Campaign, contact: import('./types.js').PreflightSample }} props */
function TemplatePreviewFromList({ campaign, contact }) {
  const list = useLoad(async () => /** @type {import('./types.js').Template[]} */ ((await api('GET', `/api/templates?connectionId=${encodeURIComponent(campaign.connectionId)}&status=APPROVED`)).items));
  const tpl = list.data?.find((x) => x.id === campaign.template?.id);
  return tpl ? html`<${TemplateBubble} tpl=${tpl} params=${campaign.templateParams ?? {}} contact=${contact} testid="sample-preview" />` : null;
}

/**
 * One message to a phone of the admin's, as the customers will get it (template and parameters).
 * @param {{ campaignId: string }} props
 */
function TestSend({ campaignId }) {
  const [to, setTo] = useState('');
  const [sent, setSent] = useState(/** @type {string[]} */ ([]));
  const { busy, error, submit } = useSubmit(async () => {
    await api('POST', `/api/campaigns/${campaignId}/test-send`, { phone: to.trim() });
    setSent([...sent, to.trim()]);
    toast(t('cmp.test.sent', { phone: phoneText(to.replace(/\D/g, '')) }), 'success');
  });
  return html`<div class="card card-pad" data-testid="test-send">
    <h2 class="card-title">${t('cmp.test.title')}</h2>
    <p class="muted small card-sub">${t('cmp.test.hint')}</p>
    <form novalidate class="cmp-inline cmp-test-form" onSubmit=${submit}>
      <input type="tel" required aria-label=${t('cmp.test.phone')} placeholder=${t('cmp.test.placeholder')} value=${to}
        onInput=${(/** @type {Event} */ e) => setTo(valueOf(e))} data-testid="test-phone" />
      <button type="submit" class="btn" disabled=${busy || !to.trim()} data-testid="test-send-button">
        ${busy ? html`<span class="spinner spinner-sm"></span>` : html`<${Icon} name="send" size=${15} />`}${t('cmp.test.send')}</button>
    </form>
    ${error && html`<p class="form-error cmp-test-error" role="alert" data-testid="test-error">${error}</p>`}
    ${sent.length > 0 && html`<p class="notice notice-success cmp-test-ok" data-testid="test-ok"><${Icon} name="check" size=${15} /> ${plural(sent.length, 'cmp.test.done.one', 'cmp.test.done.other')}</p>`}
  </div>`;
}
