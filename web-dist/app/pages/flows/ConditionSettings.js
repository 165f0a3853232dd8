import { html } from 'htm/preact';
import { t } from '../../lib/i18n.js';
import { newId } from './ids.js';
import { cleanVariable } from './variables.js';

/** @param {Event} e */
const valueOf = (e) => /** @type {HTMLInputElement} */ (e.currentTarget).value;

/** Which operators make sense for each subject, and whether they take a value. */
const OPS = {
  variable: ['equals', 'not_equals', 'contains', 'starts_with', 'gt', 'lt', 'is_set', 'is_empty'],
  contact_field: ['equals', 'not_equals', 'contains', 'starts_with', 'gt', 'lt', 'is_set', 'is_empty'],
  tag: ['has', 'not_has'],
  channel: ['equals', 'not_equals'],
  business_hours: ['open', 'closed'],
  weekday: ['in'],
  time: ['between'],
};
const NO_VALUE = new Set(['is_set', 'is_empty', 'open', 'closed']);
const NAMED = new Set(['variable', 'contact_field']);

/**
 * The rules of a condition node: the first whose conditions all hold is taken; otherwise "senão".
 * @param {{ rules: import('./types.js').Rule[], onChange: (rules: import('./types.js').Rule[]) => void }} props
 */
export function ConditionSettings({ rules, onChange }) {
  /** @param {number} i @param {Partial<import('./types.js').Rule>} patch */
  const setRule = (i, patch) => onChange(rules.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return html`<div class="fs-rules" data-testid="condition-rules">
    <p class="muted small fs-lead">${t('flows.cond.lead')}</p>
    ${rules.map((r, i) => html`<div class="fs-rule" key=${r.id} data-testid="rule">
      <div class="fs-rule-head">
        <input type="text" class="fs-rule-label" value=${r.label ?? ''} placeholder=${t('flows.out.rule', { n: i + 1 })} aria-label=${t('flows.cond.label')}
          onInput=${(/** @type {Event} */ e) => setRule(i, { label: valueOf(e) || undefined })} data-testid="rule-label" />
        <button type="button" class="icon-btn icon-btn-xs" onClick=${() => onChange(rules.filter((_, j) => j !== i))} aria-label=${t('flows.cond.removeRule')} title=${t('flows.cond.removeRule')}>×</button>
      </div>
      ${r.all.map((c, ci) => {
        /** @param {Partial<import('./types.js').Condition>} patch */
        const setCond = (patch) => setRule(i, { all: r.all.map((x, k) => (k === ci ? { ...x, ...patch } : x)) });
        const ops = OPS[/** @type {keyof typeof OPS} */ (c.subject)] ?? OPS.variable;
        return html`<div class="fs-cond" key=${ci}>
          ${ci > 0 && html`<span class="fs-and">${t('flows.cond.and')}</span>`}
          <div class="fs-cond-row">
            <select value=${c.subject} aria-label=${t('flows.cond.subject')} data-testid="cond-subject"
              onChange=${(/** @type {Event} */ e) => { const s = valueOf(e); setCond({ subject: s, op: OPS[/** @type {keyof typeof OPS} */ (s)][0], name: NAMED.has(s) ? c.name ?? '' : undefined, value: '' }); }}>
              ${Object.keys(OPS).map((s) => html`<option value=${s}>${t(/** @type {any} */ (`flows.cond.subject.${s}`))}</option>`)}
            </select>
            ${NAMED.has(c.subject) && html`<input type="text" value=${c.name ?? ''} placeholder=${c.subject === 'variable' ? 'nome' : 'cpf'} spellcheck="false"
              aria-label=${t('flows.field.name')} onInput=${(/** @type {Event} */ e) => setCond({ name: cleanVariable(valueOf(e)) })} data-testid="cond-name" />`}
            <select value=${c.op} aria-label=${t('flows.cond.op')} onChange=${(/** @type {Event} */ e) => setCond({ op: valueOf(e) })} data-testid="cond-op">
              ${ops.map((o) => html`<option value=${o}>${t(/** @type {any} */ (`flows.cond.op.${o}`))}</option>`)}
            </select>
            ${!NO_VALUE.has(c.op) && html`<input type="text" value=${c.value ?? ''} aria-label=${t('flows.cond.value')} data-testid="cond-value"
              placeholder=${c.subject === 'weekday' ? '1,2,3,4,5' : c.subject === 'time' ? '08:00-18:00' : c.subject === 'channel' ? 'whatsapp' : ''}
              onInput=${(/** @type {Event} */ e) => setCond({ value: valueOf(e) })} />`}
            ${r.all.length > 1 && html`<button type="button" class="icon-btn icon-btn-xs" aria-label=${t('flows.cond.removeCond')}
              onClick=${() => setRule(i, { all: r.all.filter((_, k) => k !== ci) })}>×</button>`}
          </div>
        </div>`;
      })}
      <button type="button" class="link-btn small" onClick=${() => setRule(i, { all: [...r.all, { subject: 'variable', name: '', op: 'equals', value: '' }] })}>+ ${t('flows.cond.addCond')}</button>
    </div>`)}
    <button type="button" class="btn btn-sm" disabled=${rules.length >= 20} data-testid="rule-add"
      onClick=${() => onChange([...rules, { id: newId('r'), all: [{ subject: 'variable', name: '', op: 'equals', value: '' }] }])}>+ ${t('flows.cond.addRule')}</button>
    <p class="muted small">${t('flows.cond.elseHint')}</p>
  </div>`;
}
