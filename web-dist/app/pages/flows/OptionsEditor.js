import { html } from 'htm/preact';
import { t } from '../../lib/i18n.js';
import { Counter } from './fields.js';
import { newId } from './ids.js';
import { LIMITS, optionsMode, titleLimit } from './limits.js';

/** @param {Event} e */
const valueOf = (e) => /** @type {HTMLInputElement} */ (e.currentTarget).value;

/**
 * The choices of a message or question, with counters against the limits of how they will go out
 * (buttons, a list with its button label, or a numbered text), and the list's button label.
 * @param {{ options: import('./types.js').FlowOption[], buttonLabel: string | undefined,
 *   onChange: (p: { options: import('./types.js').FlowOption[], buttonLabel?: string }) => void }} props
 */
export function OptionsEditor({ options, buttonLabel, onChange }) {
  const mode = optionsMode(options.length);
  const max = titleLimit(options.length);
  /** @param {number} i @param {Partial<import('./types.js').FlowOption>} patch */
  const set = (i, patch) => onChange({ options: options.map((o, j) => (j === i ? { ...o, ...patch } : o)), buttonLabel });
  /** @param {number} i @param {number} d */
  const move = (i, d) => {
    const next = [...options];
    const [o] = next.splice(i, 1);
    if (o) next.splice(i + d, 0, o);
    onChange({ options: next, buttonLabel });
  };
  return html`<div class="field fs-options" data-testid="options-editor">
    <span class="fs-label">${t('flows.options.title')}</span>
    ${mode !== 'none' && html`<p class="fs-mode" data-testid="options-mode" data-mode=${mode}>${t(/** @type {any} */ (`flows.options.mode.${mode}`))}</p>`}
    <ol class="fs-option-list">
      ${options.map((o, i) => html`<li key=${o.id} class="fs-option" data-testid="option-row">
        <span class="fs-option-n">${i + 1}</span>
        <div class="fs-option-fields">
          <div class="fs-with-count">
            <input type="text" value=${o.title} placeholder=${t('flows.options.titlePlaceholder', { n: i + 1 })} aria-label=${t('flows.options.optionTitle', { n: i + 1 })}
              aria-invalid=${o.title.length > max} onInput=${(/** @type {Event} */ e) => set(i, { title: valueOf(e) })} data-testid="option-title" />
            <${Counter} n=${o.title.length} max=${max} testid="option-title-count" />
          </div>
          ${mode === 'list' && html`<div class="fs-with-count">
            <input type="text" value=${o.description ?? ''} placeholder=${t('flows.options.description')} aria-label=${t('flows.options.description')}
              aria-invalid=${(o.description ?? '').length > LIMITS.rowDescription}
              onInput=${(/** @type {Event} */ e) => set(i, { description: valueOf(e) || undefined })} data-testid="option-description" />
            <${Counter} n=${(o.description ?? '').length} max=${LIMITS.rowDescription} />
          </div>`}
        </div>
        <div class="fs-option-actions">
          <button type="button" class="icon-btn icon-btn-xs" disabled=${i === 0} onClick=${() => move(i, -1)} aria-label=${t('flows.options.up')} title=${t('flows.options.up')}>↑</button>
          <button type="button" class="icon-btn icon-btn-xs" disabled=${i === options.length - 1} onClick=${() => move(i, 1)} aria-label=${t('flows.options.down')} title=${t('flows.options.down')}>↓</button>
          <button type="button" class="icon-btn icon-btn-xs" onClick=${() => onChange({ options: options.filter((_, j) => j !== i), buttonLabel })}
            aria-label=${t('flows.options.remove')} title=${t('flows.options.remove')} data-testid="option-remove">×</button>
        </div>
      </li>`)}
    </ol>
    <button type="button" class="btn btn-sm" disabled=${options.length >= 100} data-testid="option-add"
      onClick=${() => onChange({ options: [...options, { id: newId('o'), title: '' }], buttonLabel })}>+ ${t('flows.options.add')}</button>
    ${mode === 'list' && html`<label class="field fs-list-button">
      <span>${t('flows.options.buttonLabel')}</span>
      <div class="fs-with-count">
        <input type="text" value=${buttonLabel ?? ''} placeholder=${t('flows.options.buttonLabelPlaceholder')} aria-invalid=${(buttonLabel ?? '').length > LIMITS.listButton}
          onInput=${(/** @type {Event} */ e) => onChange({ options, buttonLabel: valueOf(e) || undefined })} data-testid="option-button-label" />
        <${Counter} n=${(buttonLabel ?? '').length} max=${LIMITS.listButton} />
      </div>
    </label>`}
  </div>`;
}
