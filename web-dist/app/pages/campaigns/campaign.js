import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { Icon } from '../../components/Icon.js';
import { number } from '../../lib/format.js';
import { t, tDynamic } from '../../lib/i18n.js';

/**
 * What the campaign pages share: the status pill, the funnel read from the progress counts, the pause
 * cause in words, and the rendering of a template with its parameters (the wizard's preview).
 */

/** @typedef {import('./types.js').Campaign} Campaign */
/** @typedef {import('./types.js').Progress} Progress */

/** @type {import('./types.js').CampaignStatus[]} */
export const STATUSES = ['draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled'];

/** @param {{ status: import('./types.js').CampaignStatus }} props */
export function StatusPill({ status }) {
  return html`<span class=${`cmp-pill cmp-pill-${status}`} data-testid="campaign-status" data-status=${status}>${tDynamic(`cmp.status.${status}`)}</span>`;
}

/** Draft and scheduled campaigns can still change (the server refuses the rest with campaign_not_editable). @param {Campaign} c */
export const editable = (c) => c.status === 'draft' || c.status === 'scheduled';

/**
 * The funnel, each stage counting everyone who got at least that far. The server's counts are per
 * current status (a read message is no longer counted as delivered); when they already add up past the
 * audience, they are taken as cumulative.
 * @param {Progress | null | undefined} p
 */
export function funnel(p) {
  const z = { audience: 0, pending: 0, queued: 0, sent: 0, delivered: 0, read: 0, failed: 0, skipped: 0, replied: 0, optedOut: 0 };
  if (!p) return { ...z, attempted: 0, done: 0 };
  const n = (/** @type {number | undefined} */ x) => x ?? 0;
  const exclusive = n(p.pending) + n(p.queued) + n(p.sent) + n(p.delivered) + n(p.read) + n(p.failed) + n(p.skipped);
  const cumulative = p.attempted !== undefined || (exclusive !== n(p.audience) && n(p.sent) >= n(p.delivered) && n(p.delivered) >= n(p.read));
  const read = n(p.read);
  const delivered = cumulative ? n(p.delivered) : n(p.delivered) + read;
  const sent = cumulative ? n(p.sent) : n(p.sent) + delivered;
  const attempted = p.attempted ?? sent + n(p.failed) + n(p.queued);
  return {
    audience: n(p.audience), pending: n(p.pending), queued: n(p.queued), sent, delivered, read, failed: n(p.failed),
    skipped: n(p.skipped), replied: n(p.replied), optedOut: n(p.optedOut), attempted,
    /** Everyone whose fate is known: sent (and on), failed or skipped. */
    done: sent + n(p.failed) + n(p.skipped),
  };
}

/** "37%" of a whole, or "—" with nothing to divide by. @param {number} part @param {number} whole */
export const percent = (part, whole) => (whole > 0 ? `${Math.round((part / whole) * 100)}%` : '—');

/**
 * Why a campaign is paused, in a sentence (with the figures the server gave when it gave them).
 * @param {string | null} reason
 * @param {Record<string, unknown> | null} detail
 */
export function pauseText(reason, detail) {
  if (!reason) return t('cmp.pause.manual');
  /** @type {Record<string, string | number>} */
  const params = {};
  for (const [k, v] of Object.entries(detail ?? {})) if (typeof v === 'string' || typeof v === 'number') params[k] = typeof v === 'number' ? number(v) : v;
  const key = `cmp.pause.${reason}`;
  const text = tDynamic(key, params);
  return text === key ? t('cmp.pause.other', { reason }) : text;
}

/** What the admin can do about a pause cause, when there is something. @param {string | null} reason */
export function pauseAdvice(reason) {
  const key = `cmp.pauseAdvice.${reason ?? 'manual'}`;
  const text = tDynamic(key);
  return text === key ? null : text;
}

/**
 * The value a parameter takes for one contact (or a stand-in naming where it comes from).
 * @param {import('./types.js').ParamSource | undefined} src
 * @param {{ name?: string | null, phone?: string } | null} contact
 */
export function paramValue(src, contact) {
  if (!src) return null;
  if (src.kind === 'text') return src.value || null;
  if (src.kind === 'contact_field') {
    if (src.field === 'name' && contact?.name) return contact.name;
    if (src.field === 'first_name' && contact?.name) return contact.name.split(/\s+/)[0] ?? null;
    if (src.field === 'phone' && contact?.phone) return contact.phone;
    return `[${fieldLabel(src.field)}]`;
  }
  return src.column ? `[${src.column}]` : null;
}

/** @param {string} field */
export function fieldLabel(field) {
  if (field === 'name') return t('cmp.field.name');
  if (field === 'first_name') return t('cmp.field.firstName');
  if (field === 'phone') return t('cmp.field.phone');
  return field;
}

/**
 * The template as the customer will see it: header, body, footer and buttons, with `{{n}}` filled
 * from the parameters (a missing one stays as `{{n}}`, marked).
 * @param {import('./types.js').Template} tpl
 * @param {Record<string, import('./types.js').ParamSource>} params
 * @param {{ name?: string | null, phone?: string } | null} contact
 * @returns {{ header: { kind: string, text: string | null, parts: Part[] } | null, body: Part[], footer: string | null, buttons: string[] }}
 */
export function renderTemplate(tpl, params, contact) {
  const comps = tpl.components ?? [];
  const find = (/** @type {string} */ type) => comps.find((c) => String(c.type).toUpperCase() === type);
  const h = find('HEADER');
  const body = find('BODY');
  const footer = find('FOOTER');
  const buttons = find('BUTTONS');
  const format = String(h?.format ?? 'TEXT').toUpperCase();
  return {
    header: h ? { kind: format.toLowerCase(), text: h.text ?? null, parts: format === 'TEXT' ? fill(h.text ?? '', (k) => params[`header.${k}`] ?? params.header, contact) : [] } : null,
    body: fill(body?.text ?? '', (k) => params[`body.${k}`], contact),
    footer: footer?.text ?? null,
    buttons: (buttons?.buttons ?? []).map((b) => b.text),
  };
}

/** @typedef {{ text: string, kind: 'plain'|'value'|'missing' }} Part */

/**
 * @param {string} text
 * @param {(key: string) => import('./types.js').ParamSource | undefined} lookup
 * @param {{ name?: string | null, phone?: string } | null} contact
 * @returns {Part[]}
 */
function fill(text, lookup, contact) {
  /** @type {Part[]} */
  const parts = [];
  let last = 0;
  for (const m of text.matchAll(/\{\{\s*([\w.]+)\s*\}\}/g)) {
    const at = m.index ?? 0;
    if (at > last) parts.push({ text: text.slice(last, at), kind: 'plain' });
    const v = paramValue(lookup(m[1] ?? ''), contact);
    parts.push(v ? { text: v, kind: 'value' } : { text: m[0], kind: 'missing' });
    last = at + m[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last), kind: 'plain' });
  return parts;
}

/** Slots the template has that the parameters leave empty. @param {import('./types.js').Template | null} tpl @param {Record<string, import('./types.js').ParamSource>} params */
export function missingParams(tpl, params) {
  if (!tpl) return [];
  return (tpl.slots ?? []).filter((s) => {
    const p = params[s.key];
    if (!p) return true;
    if (p.kind === 'text') return !p.value.trim();
    if (p.kind === 'contact_field') return !p.field.trim();
    return !p.column;
  });
}

/** A bubble with a template as WhatsApp shows it. @param {{ tpl: import('./types.js').Template, params: Record<string, import('./types.js').ParamSource>, contact: { name?: string | null, phone?: string } | null, testid?: string }} props */
export function TemplateBubble({ tpl, params, contact, testid }) {
  const r = renderTemplate(tpl, params, contact);
  const parts = (/** @type {Part[]} */ list) => list.map((p) => (p.kind === 'plain' ? p.text : html`<mark class=${`cmp-var cmp-var-${p.kind}`}>${p.text}</mark>`));
  return html`<div class="cmp-bubble" data-testid=${testid ?? 'template-preview'}>
    ${r.header && (r.header.kind === 'text'
      ? html`<div class="cmp-bubble-head">${parts(r.header.parts)}</div>`
      : html`<div class="cmp-bubble-media">${tDynamic(`cmp.media.${r.header.kind}`)}</div>`)}
    <div class="cmp-bubble-body" data-testid="template-preview-body">${parts(r.body)}</div>
    ${r.footer && html`<div class="cmp-bubble-foot">${r.footer}</div>`}
    ${r.buttons.length > 0 && html`<div class="cmp-bubble-buttons">${r.buttons.map((b) => html`<span>${b}</span>`)}</div>`}
  </div>`;
}


/**
 * A bar segment `w` (0..1) of its track wide. The width is set through CSSOM: the page's CSP forbids inline styles.
 * @param {{ cls: string, w: number, testid?: string }} props
 */
export function Seg({ cls, w, testid }) {
  const ref = useRef(/** @type {HTMLSpanElement | null} */ (null));
  useEffect(() => {
    if (ref.current) ref.current.style.width = `${Math.max(0, Math.min(1, w || 0)) * 100}%`;
  }, [w]);
  return html`<span class=${cls} ref=${ref} data-testid=${testid}></span>`;
}

/**
 * The row under a wizard step: Back, an optional hint, and Continue (which saves first).
 * @param {{ onBack?: () => void, onNext: () => void | Promise<void>, nextLabel?: string, busy?: boolean, disabled?: boolean, hint?: any, error?: string | null }} props
 */
export function StepActions({ onBack, onNext, nextLabel, busy, disabled, hint, error }) {
  return html`<div class="cmp-step-actions">
    ${error && html`<p class="form-error" role="alert" data-testid="step-error">${error}</p>`}
    <div class="cmp-step-actions-row">
      ${onBack ? html`<button type="button" class="btn" onClick=${onBack} data-testid="step-back"><${Icon} name="back" size=${16} />${t('common.back')}</button>` : html`<span></span>`}
      <span class="cmp-step-hint muted small">${hint}</span>
      <button type="button" class="btn btn-primary" disabled=${busy || disabled} onClick=${onNext} data-testid="step-next">
        ${busy && html`<span class="spinner spinner-sm"></span>`}${nextLabel ?? t('cmp.wizard.continue')}</button>
    </div>
  </div>`;
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

/** "8" → "08:00", "830" → "08:30", "8h30" → "08:30"; null when it is no time of day. @param {string} text */
export function readTime(text) {
  const s = text.trim().replace(/[h.]/i, ':').replace(/:$/, '');
  const m = /^(\d{1,2})(?::(\d{2}))?$/.exec(s.includes(':') || s.length <= 2 ? s : `${s.slice(0, -2)}:${s.slice(-2)}`);
  if (!m) return null;
  const hhmm = `${(m[1] ?? '').padStart(2, '0')}:${m[2] ?? '00'}`;
  return HHMM.test(hhmm) ? hhmm : null;
}

/**
 * A 24-hour time typed as text (HH:MM), the same on every browser (an <input type=time> shows some a 12-hour clock).
 * @param {{ label: string, value: string, onCommit: (v: string) => void, testid: string, disabled?: boolean }} props
 */
export function TimeInput({ label, value, onCommit, testid, disabled }) {
  const [text, setText] = useState(value);
  const [bad, setBad] = useState(false);
  useEffect(() => { setText(value); setBad(false); }, [value]);
  return html`<input type="text" class="cmp-time" inputmode="numeric" maxlength="5" autocomplete="off" placeholder="08:00" disabled=${disabled}
    aria-label=${label} aria-invalid=${bad ? 'true' : undefined} value=${text} data-testid=${testid}
    onInput=${(/** @type {Event} */ e) => setText(/** @type {HTMLInputElement} */ (e.currentTarget).value)}
    onChange=${(/** @type {Event} */ e) => {
      const v = readTime(/** @type {HTMLInputElement} */ (e.currentTarget).value);
      if (v === null) return setBad(true);
      setBad(false);
      setText(v);
      if (v !== value) onCommit(v);
    }} />`;
}

/** Brazil's zones (the send window is read in one of them). */
export { BRAZIL_ZONES as ZONES } from '../../lib/timeZones.js';

/** The most a number sends per second: Meta's 20 for coexistence numbers, else the connection's setting or 80. @param {import('./types.js').Connection | null | undefined} conn */
export const numberLimit = (conn) => (conn?.coexistence ? 20 : conn?.sendRatePerSecond ?? 80);

/**
 * A message the server rendered for one contact (preflight samples).
 * @param {{ rendered: string | { header: string | null, body: string, footer: string | null, buttons: string[] } }} props
 */
export function RenderedBubble({ rendered }) {
  const r = typeof rendered === 'string' ? { header: null, body: rendered, footer: null, buttons: [] } : rendered;
  return html`<div class="cmp-bubble" data-testid="sample-bubble">
    ${r.header && html`<div class="cmp-bubble-head">${r.header}</div>`}
    <div class="cmp-bubble-body">${r.body}</div>
    ${r.footer && html`<div class="cmp-bubble-foot">${r.footer}</div>`}
    ${r.buttons?.length > 0 && html`<div class="cmp-bubble-buttons">${r.buttons.map((b) => html`<span>${b}</span>`)}</div>`}
  </div>`;
}
