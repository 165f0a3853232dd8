import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { Icon } from '../../components/Icon.js';
import { api } from '../../lib/api.js';
import { errorText } from '../../lib/errors.js';
import { t, tDynamic } from '../../lib/i18n.js';
import { LoadError, Loading, useLoad } from '../admin/common.js';
import { TemplateParams } from './TemplateParams.js';
import { StepActions, TemplateBubble, missingParams } from './campaign.js';

/** @typedef {import('./types.js').Template} Template */

/**
 * Which approved template goes out, and what fills each of its parameters, with the message as the
 * customer will see it.
 * @param {import('./CampaignWizard.js').StepProps} props
 */
export function TemplateStep({ campaign, save, next, back }) {
  const list = useLoad(async () => /** @type {Template[]} */ ((await api('GET', `/api/templates?connectionId=${encodeURIComponent(campaign.connectionId)}&status=APPROVED`)).items), [campaign.connectionId]);
  // A contact to show in the preview: the first of the audience, when one was chosen.
  const sample = useLoad(async () => (campaign.audience
    ? /** @type {import('./types.js').Preflight} */ (await api('GET', `/api/campaigns/${campaign.id}/preflight`)).sample?.[0] ?? null
    : null));
  const [templateId, setTemplateId] = useState(campaign.template?.id ?? null);
  const [params, setParams] = useState(/** @type {Record<string, import('./types.js').ParamSource>} */ ({ ...(campaign.templateParams ?? {}) }));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(/** @type {string | null} */ (null));
  const templates = list.data ?? [];
  const tpl = templates.find((x) => x.id === templateId) ?? null;
  const missing = missingParams(tpl, params);
  const audience = /** @type {any} */ (campaign.audience);
  const imports = useLoad(async () => (audience?.kind === 'import'
    ? /** @type {import('./types.js').ContactImport[]} */ ((await api('GET', '/api/contacts/imports')).items)
    : []), [audience?.importId]);
  const columns = imports.data?.find((im) => String(im.id) === String(audience?.importId))?.columns ?? (audience?.kind === 'import' ? [] : null);

  const pick = (/** @type {Template} */ x) => {
    setTemplateId(x.id);
    // Keep what fits the new template's slots; nothing else.
    setParams(Object.fromEntries((x.slots ?? []).filter((s) => params[s.key]).map((s) => [s.key, params[s.key]])));
  };

  const onNext = async () => {
    setBusy(true);
    setError(null);
    try {
      await save({ templateId, templateParams: params });
      next();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  let picker;
  if (list.loading && !list.data) picker = html`<${Loading} />`;
  else if (list.error && !list.data) picker = html`<${LoadError} error=${list.error} onRetry=${list.reload} />`;
  else if (!templates.length) picker = html`<div class="admin-empty"><span class="admin-empty-icon"><${Icon} name="template" size=${24} /></span>
      <h2>${t('cmp.tpl.none')}</h2><p>${t('cmp.tpl.noneBody')}</p></div>`;
  else {
    picker = html`<ul class="cmp-templates" role="radiogroup" aria-label=${t('cmp.tpl.title')} data-testid="template-list">
      ${templates.map((x) => html`<li key=${x.id}>
        <label class=${`cmp-template ${x.id === templateId ? 'selected' : ''}`} data-testid="template-option" data-name=${x.name}>
          <input type="radio" name="template" checked=${x.id === templateId} onChange=${() => pick(x)} />
          <span class="cmp-template-name mono">${x.name}</span>
          <span class="cmp-template-meta">
            <span class="badge">${x.language}</span>
            <span class=${`badge ${x.category === 'MARKETING' ? 'badge-blue' : ''}`}>${tDynamic(`cmp.category.${x.category}`)}</span>
            ${x.quality && x.quality !== 'UNKNOWN' && html`<span class=${`badge cmp-quality-${x.quality}`} title=${t('cmp.tpl.quality')}>${tDynamic(`cmp.quality.${x.quality}`)}</span>`}
          </span>
        </label>
      </li>`)}
    </ul>`;
  }

  return html`<div class="cmp-step-grid cmp-step-grid-wide" data-testid="template-step">
    <div class="cmp-step-main">
      <div class="card card-pad">
        <h2 class="card-title">${t('cmp.tpl.title')}</h2>
        <p class="muted small card-sub">${t('cmp.tpl.hint')}</p>
        ${picker}
      </div>
      ${tpl && html`<${TemplateParams} template=${tpl} params=${params} onChange=${setParams} columns=${columns} />`}
      <${StepActions} onBack=${back} onNext=${onNext} busy=${busy} disabled=${!tpl || missing.length > 0} error=${error}
        hint=${tpl && missing.length > 0 ? t('cmp.tpl.missing', { n: missing.length }) : null} />
    </div>
    <aside class="cmp-step-side">
      <div class="cmp-phone" data-testid="template-preview-panel">
        <span class="cmp-count-label">${t('cmp.tpl.preview')}</span>
        ${tpl ? html`<${Preview} tpl=${tpl} params=${params} contact=${sample.data} />`
          : html`<p class="muted small">${t('cmp.tpl.previewEmpty')}</p>`}
        ${tpl && sample.data && html`<p class="muted small cmp-preview-who">${t('cmp.tpl.previewFor', { name: sample.data.name ?? sample.data.phone })}</p>`}
      </div>
    </aside>
  </div>`;
}

/** @param {{ tpl: Template, params: Record<string, import('./types.js').ParamSource>, contact: any }} props */
function Preview({ tpl, params, contact }) {
  return html`<div class="cmp-chat"><${TemplateBubble} tpl=${tpl} params=${params} contact=${contact} /></div>`;
}
