import { html } from 'htm/preact';
import { t } from '../../lib/i18n.js';
import { Duration } from './fields.js';
import { cleanVariable } from './variables.js';

/** @param {Event} e */
const valueOf = (e) => /** @type {HTMLInputElement} */ (e.currentTarget).value;

/**
 * A webhook call: the URL, sync (wait for the answer, map its fields into variables) or async (pause
 * until the outside system calls back), and the time limit.
 * @param {{ data: Record<string, any>, onChange: (patch: Record<string, any>) => void }} props
 */
export function WebhookSettings({ data, onChange }) {
  const map = /** @type {{ path: string, variable: string }[]} */ (data.map ?? []);
  const sync = data.mode !== 'async';
  return html`<div>
    <label class="field"><span>${t('flows.webhook.url')}</span>
      <input type="url" value=${data.url ?? ''} placeholder="https://" spellcheck="false" onInput=${(/** @type {Event} */ e) => onChange({ url: valueOf(e) })} data-testid="webhook-url" />
      <small>${t('flows.webhook.urlHint')}</small></label>
    <div class="field"><span class="fs-label">${t('flows.webhook.mode')}</span>
      <div class="seg" role="radiogroup">
        ${['sync', 'async'].map((m) => html`<button type="button" role="radio" aria-checked=${data.mode === m} class=${data.mode === m ? 'seg-on' : ''}
          onClick=${() => onChange({ mode: m, timeoutSeconds: m === 'sync' ? Math.min(30, data.timeoutSeconds ?? 10) : Math.max(60, data.timeoutSeconds ?? 3600) })}>
          ${t(/** @type {any} */ (`flows.webhook.${m}`))}</button>`)}
      </div>
      <small>${t(sync ? 'flows.webhook.syncHint' : 'flows.webhook.asyncHint')}</small></div>
    <${Duration} label=${t(sync ? 'flows.webhook.timeoutSync' : 'flows.webhook.timeoutAsync')} seconds=${data.timeoutSeconds ?? 10}
      min=${1} max=${sync ? 30 : 7 * 86_400} onChange=${(s) => onChange({ timeoutSeconds: s })} />
    ${sync && html`<div class="field"><span class="fs-label">${t('flows.webhook.map')}</span>
      ${map.map((m, i) => html`<div class="fs-map-row" key=${i}>
        <input type="text" value=${m.path} placeholder="pedido.status" spellcheck="false" aria-label=${t('flows.webhook.path')}
          onInput=${(/** @type {Event} */ e) => onChange({ map: map.map((x, j) => (j === i ? { ...x, path: valueOf(e) } : x)) })} />
        <span aria-hidden="true">→</span>
        <input type="text" value=${m.variable} placeholder="status" spellcheck="false" aria-label=${t('flows.field.variable')}
          onInput=${(/** @type {Event} */ e) => onChange({ map: map.map((x, j) => (j === i ? { ...x, variable: cleanVariable(valueOf(e)) } : x)) })} />
        <button type="button" class="icon-btn icon-btn-xs" aria-label=${t('flows.options.remove')} onClick=${() => onChange({ map: map.filter((_, j) => j !== i) })}>×</button>
      </div>`)}
      <button type="button" class="link-btn small" onClick=${() => onChange({ map: [...map, { path: '', variable: '' }] })}>+ ${t('flows.webhook.addMap')}</button>
      <small>${t('flows.webhook.mapHint')}</small>
    </div>`}
  </div>`;
}
