import { html } from 'htm/preact';
import { t } from '../../lib/i18n.js';
import { Duration, Toggle } from './fields.js';

/** @param {Event} e */
const valueOf = (e) => /** @type {HTMLInputElement} */ (e.currentTarget).value;

/**
 * What happens on a wrong answer (asked again up to N times, then "inválido") and on no answer (reminders,
 * then "sem resposta"), for questions and messages with options.
 * @param {{ retry: import('./types.js').Retry | undefined, timeout: import('./types.js').Timeout | undefined,
 *   onChange: (p: { retry?: import('./types.js').Retry, timeout?: import('./types.js').Timeout }) => void }} props
 */
export function RetryTimeout({ retry, timeout, onChange }) {
  const r = retry ?? { max: 0 };
  return html`<div class="fs-group">
    <h4 class="fs-group-title">${t('flows.retry.title')}</h4>
    <label class="field">
      <span>${t('flows.retry.max')}</span>
      <input type="number" min="0" max="10" value=${r.max} data-testid="retry-max"
        onInput=${(/** @type {Event} */ e) => onChange({ retry: { ...r, max: Math.min(10, Math.max(0, Number(valueOf(e)) || 0)) }, timeout })} />
      <small>${t('flows.retry.hint')}</small>
    </label>
    ${r.max > 0 && html`<label class="field"><span>${t('flows.retry.text')}</span>
      <textarea rows="2" value=${r.text ?? ''} placeholder=${t('flows.retry.textPlaceholder')}
        onInput=${(/** @type {Event} */ e) => onChange({ retry: { ...r, text: valueOf(e) || undefined }, timeout })}></textarea></label>`}
    <${Toggle} label=${t('flows.timeout.toggle')} hint=${t('flows.timeout.hint')} checked=${!!timeout} testid="timeout-toggle"
      onChange=${(on) => onChange({ retry, timeout: on ? { seconds: 600, reminders: 0 } : undefined })} />
    ${timeout && html`<div class="fs-indent">
      <${Duration} label=${t('flows.timeout.after')} seconds=${timeout.seconds} min=${10} max=${7 * 86_400} testid="timeout-seconds"
        onChange=${(s) => onChange({ retry, timeout: { ...timeout, seconds: s } })} />
      <label class="field"><span>${t('flows.timeout.reminders')}</span>
        <input type="number" min="0" max="5" value=${timeout.reminders}
          onInput=${(/** @type {Event} */ e) => onChange({ retry, timeout: { ...timeout, reminders: Math.min(5, Math.max(0, Number(valueOf(e)) || 0)) } })} />
        <small>${t('flows.timeout.remindersHint')}</small></label>
      ${timeout.reminders > 0 && html`<label class="field"><span>${t('flows.timeout.reminderText')}</span>
        <textarea rows="2" value=${timeout.reminderText ?? ''} placeholder=${t('flows.timeout.reminderPlaceholder')}
          onInput=${(/** @type {Event} */ e) => onChange({ retry, timeout: { ...timeout, reminderText: valueOf(e) || undefined } })}></textarea></label>`}
    </div>`}
  </div>`;
}
