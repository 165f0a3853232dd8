import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../lib/api.js';
import { errorText } from '../../lib/errors.js';
import { t, tDynamic } from '../../lib/i18n.js';

/**
 * @typedef {{ key: string, component: 'header'|'body'|'button', index: number, kind: 'text'|'image'|'document'|'video', name?: string, example: string | null }} Slot
 * @typedef {{ id: string, connectionId: string, name: string, language: string, category: string, status: string,
 *   quality: string | null, components: Array<Record<string, any>>, slots: Slot[], syncedAt: string | null }} Template
 * @typedef {Record<string, string | { link: string }>} Params
 * @typedef {{ template: Template | null, params: Params, complete: boolean }} Choice
 */

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** @param {Template} tpl @param {string} type */
const componentOf = (tpl, type) => tpl.components.find((c) => String(c.type).toUpperCase() === type);

/**
 * The text the customer will read, with what is filled in so far (unfilled variables stay {{n}}).
 * Mirrors the server's renderTemplateText (server/src/templates/templateParams.ts).
 * @param {Template} tpl @param {Record<string, string>} text
 */
export function renderTemplate(tpl, text) {
  /** @param {unknown} s @param {string} prefix */
  const fill = (s, prefix) => String(s ?? '').replace(PLACEHOLDER, (m, name) => {
    const v = text[prefix === 'header' ? 'header' : `${prefix}.${name}`]?.trim();
    return v || m;
  });
  const header = componentOf(tpl, 'HEADER');
  const format = String(header?.format ?? 'TEXT').toUpperCase();
  const buttons = /** @type {Array<Record<string, any>>} */ (componentOf(tpl, 'BUTTONS')?.buttons ?? []);
  return {
    headerText: header && format === 'TEXT' ? fill(header.text, 'header') : null,
    headerMedia: header && format !== 'TEXT' ? format.toLowerCase() : null,
    body: fill(componentOf(tpl, 'BODY')?.text, 'body'),
    footer: componentOf(tpl, 'FOOTER')?.text ?? null,
    buttons: buttons.map((b) => String(b.text ?? '')).filter(Boolean),
  };
}

/** @param {Template} tpl @param {Slot} s */
function slotLabel(tpl, s) {
  if (s.component === 'header') return s.kind === 'text' ? t('tpl.slot.header') : tDynamic(`tpl.slot.headerMedia.${s.kind}`);
  if (s.component === 'body') return t('tpl.slot.body', { n: `{{${s.key.slice(5)}}}` });
  const button = componentOf(tpl, 'BUTTONS')?.buttons?.[s.index];
  return t('tpl.slot.button', { text: String(button?.text ?? s.index) });
}

/**
 * An approved template of a WhatsApp number, with a field per parameter and a live preview of what the
 * customer will read. Reports the choice upward on every change; `onNone` when the number has none.
 * @param {{ connectionId: string, onChange: (c: Choice) => void, onNone?: (none: boolean) => void }} props
 */
export function TemplatePicker({ connectionId, onChange, onNone }) {
  const [list, setList] = useState(/** @type {Template[] | null} */ (null));
  const [error, setError] = useState(/** @type {string | null} */ (null));
  const [id, setId] = useState('');
  const [values, setValues] = useState(/** @type {Record<string, string>} */ ({}));

  useEffect(() => {
    let live = true;
    setList(null);
    setId('');
    setValues({});
    api('GET', `/api/templates?connectionId=${encodeURIComponent(connectionId)}&status=APPROVED`)
      .then((r) => { if (live) { setList(r.items); onNone?.(r.items.length === 0); } })
      .catch((err) => { if (live) setError(errorText(err)); });
    return () => { live = false; };
  }, [connectionId]);

  const tpl = list?.find((x) => x.id === id) ?? null;
  useEffect(() => {
    if (!tpl) { onChange({ template: null, params: {}, complete: false }); return; }
    /** @type {Params} */
    const params = {};
    for (const s of tpl.slots) {
      const v = values[s.key]?.trim();
      if (v) params[s.key] = s.kind === 'text' ? v : { link: v };
    }
    onChange({ template: tpl, params, complete: tpl.slots.every((s) => Boolean(values[s.key]?.trim())) });
  }, [tpl, values]);

  if (error) return html`<p class="form-error">${error}</p>`;
  if (!list) return html`<p class="muted small" data-testid="template-loading">${t('tpl.loading')}</p>`;
  if (!list.length) return null;
  const shown = tpl ? renderTemplate(tpl, values) : null;

  return html`<div class="tpl-picker" data-testid="template-picker">
    <label class="field tpl-select"><span>${t('tpl.label')}</span>
      <select data-testid="template-select" value=${id} onChange=${(/** @type {any} */ e) => { setId(e.currentTarget.value); setValues({}); }}>
        <option value="">${t('tpl.choose')}</option>
        ${list.map((x) => html`<option key=${x.id} value=${x.id}>${x.name} · ${x.language} · ${tDynamic(`tpl.category.${x.category}`)}</option>`)}
      </select>
    </label>
    ${tpl && html`<div class="tpl-grid">
      ${tpl.slots.length > 0 && html`<div class="tpl-fields">
        ${tpl.slots.map((s) => html`<label class="field" key=${s.key}><span>${slotLabel(tpl, s)}</span>
          <input type=${s.kind === 'text' ? 'text' : 'url'} data-testid="template-param" data-slot=${s.key} value=${values[s.key] ?? ''}
            placeholder=${s.example ?? ''} maxlength=${s.kind === 'text' ? 1024 : 2000}
            onInput=${(/** @type {any} */ e) => setValues({ ...values, [s.key]: e.currentTarget.value })} />
        </label>`)}
      </div>`}
      <div class="tpl-preview-wrap">
        <div class="tpl-preview-label">${t('tpl.preview')}</div>
        <div class="tpl-preview" data-testid="template-preview">
          ${shown?.headerMedia && html`<div class="tpl-media">${tDynamic(`tpl.media.${shown.headerMedia}`)}</div>`}
          ${shown?.headerText && html`<div class="tpl-header">${shown.headerText}</div>`}
          <div class="tpl-body">${shown?.body}</div>
          ${shown?.footer && html`<div class="tpl-footer">${shown.footer}</div>`}
          ${shown && shown.buttons.length > 0 && html`<div class="tpl-buttons">${shown.buttons.map((b) => html`<span class="tpl-button" key=${b}>${b}</span>`)}</div>`}
        </div>
      </div>
    </div>`}
  </div>`;
}
