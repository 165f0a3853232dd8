import { html } from 'htm/preact';
import { useRef } from 'preact/hooks';
import { t } from '../../lib/i18n.js';
import { cleanVariable } from './variables.js';

/** Shared inputs of the node settings panels. */

/** @param {Event} e */
const valueOf = (e) => /** @type {HTMLInputElement} */ (e.currentTarget).value;

/**
 * "12 / 20", red past the limit.
 * @param {{ n: number, max: number, testid?: string }} props
 */
export function Counter({ n, max, testid }) {
  return html`<span class=${`fs-count ${n > max ? 'fs-count-over' : n > max * 0.9 ? 'fs-count-near' : ''}`} data-testid=${testid}
    data-over=${n > max}>${n} / ${max}</span>`;
}

/**
 * A message text with a live counter against a limit and chips that insert a variable at the cursor.
 * @param {{ label: string, value: string, onInput: (v: string) => void, max: number, variables: string[], rows?: number,
 *   placeholder?: string, hint?: string, testid?: string }} props
 */
export function TextWithVariables({ label, value, onInput, max, variables, rows = 4, placeholder, hint, testid }) {
  const ref = useRef(/** @type {HTMLTextAreaElement | null} */ (null));
  /** @param {string} name */
  const insert = (name) => {
    const el = ref.current;
    const token = `{{${name}}}`;
    const at = el ? el.selectionStart : value.length;
    const end = el ? el.selectionEnd : value.length;
    onInput(value.slice(0, at) + token + value.slice(end));
    requestAnimationFrame(() => { el?.focus(); el?.setSelectionRange(at + token.length, at + token.length); });
  };
  return html`<label class="field fs-text">
    <span>${label}</span>
    <textarea ref=${ref} rows=${rows} value=${value} placeholder=${placeholder} aria-invalid=${value.length > max}
      onInput=${(/** @type {Event} */ e) => onInput(valueOf(e))} data-testid=${testid}></textarea>
    <small class="field-foot"><span>${hint ?? ''}</span><${Counter} n=${value.length} max=${max} testid=${testid ? `${testid}-count` : undefined} /></small>
    <div class="fs-vars" aria-label=${t('flows.field.variables')}>
      <span class="muted small">${t('flows.field.insert')}</span>
      ${variables.map((v) => html`<button type="button" class="fs-var" onClick=${() => insert(v)} key=${v}>{{${v}}}</button>`)}
    </div>
  </label>`;
}

/**
 * A number of seconds, written in the unit that reads best (seconds, minutes, hours, days).
 * @param {{ label: string, seconds: number, onChange: (s: number) => void, min?: number, max?: number, hint?: string, testid?: string }} props
 */
export function Duration({ label, seconds, onChange, min = 1, max = 30 * 86_400, hint, testid }) {
  const units = [86_400, 3600, 60, 1];
  const unit = units.find((u) => seconds >= u && seconds % u === 0) ?? 1;
  /** @param {number} n @param {number} u */
  const set = (n, u) => onChange(Math.min(max, Math.max(min, Math.round(n * u))));
  return html`<div class="field">
    <span class="fs-label">${label}</span>
    <div class="fs-duration">
      <input type="number" min="1" value=${seconds / unit} aria-label=${label} data-testid=${testid}
        onInput=${(/** @type {Event} */ e) => { const n = Number(valueOf(e)); if (n > 0) set(n, unit); }} />
      <select value=${String(unit)} aria-label=${t('flows.field.unit')} onChange=${(/** @type {Event} */ e) => set(seconds / unit, Number(valueOf(e)))}>
        <option value="1">${t('flows.unit.s')}</option>
        <option value="60">${t('flows.unit.min')}</option>
        <option value="3600">${t('flows.unit.h')}</option>
        <option value="86400">${t('flows.unit.d')}</option>
      </select>
    </div>
    ${hint && html`<small>${hint}</small>`}
  </div>`;
}

/**
 * Where a value goes: a flow variable or a contact field.
 * @param {{ label: string, value: import('./types.js').SaveTo | undefined, onChange: (v: import('./types.js').SaveTo | undefined) => void, optional?: boolean, testid?: string }} props
 */
export function SaveToField({ label, value, onChange, optional, testid }) {
  const kind = value && 'contactField' in value ? 'contactField' : value ? 'variable' : 'none';
  const name = value && 'contactField' in value ? value.contactField : value && 'variable' in value ? value.variable : '';
  /** @param {string} k @param {string} n */
  const set = (k, n) => onChange(k === 'none' ? undefined : k === 'contactField' ? { contactField: n } : { variable: n });
  return html`<div class="field">
    <span class="fs-label">${label}</span>
    <div class="fs-saveto">
      <select value=${kind} aria-label=${label} onChange=${(/** @type {Event} */ e) => set(valueOf(e), name || '')}>
        ${optional && html`<option value="none">${t('flows.field.dontSave')}</option>`}
        <option value="variable">${t('flows.field.variable')}</option>
        <option value="contactField">${t('flows.field.contactField')}</option>
      </select>
      ${kind !== 'none' && html`<div class="input-prefix"><span aria-hidden="true">${kind === 'contactField' ? 'contato.' : '{{'}</span>
        <input type="text" value=${name} spellcheck="false" placeholder=${kind === 'contactField' ? 'cpf' : 'nome'} data-testid=${testid}
          aria-label=${t('flows.field.name')} onInput=${(/** @type {Event} */ e) => set(kind, cleanVariable(valueOf(e)))} /></div>`}
    </div>
  </div>`;
}

/**
 * A labelled on/off switch.
 * @param {{ label: string, checked: boolean, onChange: (v: boolean) => void, hint?: string, testid?: string }} props
 */
export function Toggle({ label, checked, onChange, hint, testid }) {
  return html`<label class="fs-toggle">
    <input type="checkbox" checked=${checked} onChange=${(/** @type {Event} */ e) => onChange(/** @type {HTMLInputElement} */ (e.currentTarget).checked)} data-testid=${testid} />
    <span class="fs-switch" aria-hidden="true"></span>
    <span class="fs-toggle-text"><span>${label}</span>${hint && html`<small>${hint}</small>`}</span>
  </label>`;
}

/**
 * Words as removable chips plus an input that adds one on Enter or comma.
 * @param {{ label: string, values: string[], onChange: (v: string[]) => void, placeholder?: string, max?: number, testid?: string }} props
 */
export function WordList({ label, values, onChange, placeholder, max = 50, testid }) {
  /** @param {HTMLInputElement} el */
  const add = (el) => {
    const v = el.value.trim().replace(/,$/, '').slice(0, max);
    if (v && !values.includes(v)) onChange([...values, v]);
    el.value = '';
  };
  return html`<div class="field">
    <span class="fs-label">${label}</span>
    <div class="fs-words">
      ${values.map((v) => html`<span class="tag" key=${v}>${v}<button type="button" aria-label=${t('flows.field.remove', { v })} onClick=${() => onChange(values.filter((x) => x !== v))}>×</button></span>`)}
      <input type="text" class="tag-input" placeholder=${placeholder ?? t('flows.field.addWord')} data-testid=${testid}
        onKeyDown=${(/** @type {KeyboardEvent} */ e) => { if (e.key === 'Enter' || e.key === ',') { e.preventDefault(); add(/** @type {HTMLInputElement} */ (e.currentTarget)); } }}
        onBlur=${(/** @type {FocusEvent} */ e) => add(/** @type {HTMLInputElement} */ (e.currentTarget))} />
    </div>
  </div>`;
}
