import { html } from 'htm/preact';
import { t, tDynamic } from '../../lib/i18n.js';
import { valueOf } from '../admin/common.js';

/** @typedef {import('./types.js').ParamSource} ParamSource */
/** @typedef {import('./types.js').Slot} Slot */

/**
 * One row per template parameter: where its value comes from (a fixed text, a field of the contact, or a
 * column of the imported file) and the value itself. The preview beside it updates as it is typed.
 * @param {{ template: import('./types.js').Template, params: Record<string, ParamSource>, onChange: (p: Record<string, ParamSource>) => void, columns: string[] | null }} props
 */
export function TemplateParams({ template, params, onChange, columns }) {
  const slots = template.slots ?? [];
  const set = (/** @type {string} */ key, /** @type {ParamSource} */ v) => onChange({ ...params, [key]: v });
  if (!slots.length) {
    return html`<div class="card card-pad" data-testid="template-params"><h2 class="card-title">${t('cmp.params.title')}</h2>
      <p class="muted small cmp-none">${t('cmp.params.none')}</p></div>`;
  }
  return html`<div class="card card-pad" data-testid="template-params">
    <h2 class="card-title">${t('cmp.params.title')}</h2>
    <p class="muted small card-sub">${t('cmp.params.hint')}</p>
    <div class="cmp-params">
      ${slots.map((s) => {
        const p = params[s.key] ?? { kind: 'text', value: '' };
        const media = s.kind !== 'text';
        return html`<div class="cmp-param" key=${s.key} data-testid="param-row" data-key=${s.key}>
          <span class="cmp-param-label"><code class="shortcut">${slotTag(s)}</code><small class="muted">${slotLabel(s)}</small></span>
          ${media ? html`<span class="muted small">${t('cmp.params.mediaUrl')}</span>` : html`<select aria-label=${t('cmp.params.source')} value=${p.kind} data-testid="param-kind"
            onChange=${(/** @type {Event} */ e) => {
              const k = valueOf(e);
              set(s.key, k === 'contact_field' ? { kind: 'contact_field', field: 'name' } : k === 'column' ? { kind: 'column', column: columns?.[0] ?? '' } : { kind: 'text', value: '' });
            }}>
            <option value="text">${t('cmp.params.kind.text')}</option>
            <option value="contact_field">${t('cmp.params.kind.contact_field')}</option>
            ${columns && html`<option value="column">${t('cmp.params.kind.column')}</option>`}
          </select>`}
          <span class="cmp-param-value">${p.kind === 'text' || media
            ? html`<input type="text" aria-label=${t('cmp.params.value', { slot: slotTag(s) })} value=${p.kind === 'text' ? p.value : ''} maxlength=${media ? 2000 : 1024}
                placeholder=${s.example ?? (media ? 'https://…' : '')} data-testid="param-value"
                onInput=${(/** @type {Event} */ e) => set(s.key, { kind: 'text', value: valueOf(e) })} />`
            : p.kind === 'contact_field'
              ? html`<${FieldPicker} value=${p.field} onChange=${(/** @type {string} */ field) => set(s.key, { kind: 'contact_field', field })} />`
              : html`<select aria-label=${t('cmp.params.kind.column')} value=${p.column} data-testid="param-column"
                  onChange=${(/** @type {Event} */ e) => set(s.key, { kind: 'column', column: valueOf(e) })}>
                  ${(columns ?? []).map((c) => html`<option value=${c}>${c}</option>`)}
                </select>`}</span>
        </div>`;
      })}
    </div>
  </div>`;
}

/** "{{1}}", "Cabeçalho", "Botão 1". @param {Slot} s */
function slotTag(s) {
  if (s.key.startsWith('body.')) return `{{${s.key.slice(5)}}}`;
  if (s.key.startsWith('button.')) return t('cmp.params.button', { n: Number(s.key.slice(7)) + 1 });
  return t('cmp.params.header');
}

/** Where in the template the slot is, and what it takes. @param {Slot} s */
function slotLabel(s) {
  if (s.kind !== 'text') return tDynamic(`cmp.media.${s.kind}`);
  if (s.key.startsWith('body.')) return t('cmp.params.inBody');
  if (s.key.startsWith('button.')) return t('cmp.params.inButton');
  return t('cmp.params.inHeader');
}

const KNOWN = ['name', 'first_name', 'phone'];

/**
 * A contact field: the name, the phone, or a custom field by its key.
 * @param {{ value: string, onChange: (v: string) => void }} props
 */
function FieldPicker({ value, onChange }) {
  const custom = !KNOWN.includes(value);
  return html`<span class="cmp-field-pick">
    <select aria-label=${t('cmp.params.kind.contact_field')} value=${custom ? 'custom' : value} data-testid="param-field"
      onChange=${(/** @type {Event} */ e) => { const v = valueOf(e); onChange(v === 'custom' ? '' : v); }}>
      <option value="name">${t('cmp.field.name')}</option>
      <option value="first_name">${t('cmp.field.firstName')}</option>
      <option value="phone">${t('cmp.field.phone')}</option>
      <option value="custom">${t('cmp.field.custom')}</option>
    </select>
    ${custom && html`<input type="text" aria-label=${t('cmp.field.customKey')} placeholder=${t('cmp.field.customKey')} value=${value}
      onInput=${(/** @type {Event} */ e) => onChange(valueOf(e))} data-testid="param-field-key" />`}
  </span>`;
}
