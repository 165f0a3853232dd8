import { html } from 'htm/preact';
import { useRef, useState } from 'preact/hooks';
import { Icon } from '../../components/Icon.js';
import { Modal } from '../../components/Modal.js';
import { toast } from '../../components/Toast.js';
import { api, uploadFile } from '../../lib/api.js';
import { errorText } from '../../lib/errors.js';
import { bytes } from '../../lib/format.js';
import { lang, t } from '../../lib/i18n.js';
import { TemplatePicker } from '../inbox/TemplatePicker.js';
import { whenText } from './scheduleUi.js';

/**
 * @typedef {import('./scheduleUi.js').Scheduled} Scheduled
 * @typedef {import('../inbox/TemplatePicker.js').Choice} Choice
 * @typedef {{ id: string, type: string, mimeType: string, size: number, filename: string | null }} Upload
 * @typedef {'text'|'media'|'template'} Kind
 */

const NO_CHOICE = /** @type {Choice} */ ({ template: null, params: {}, complete: false });

const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');
const localDate = (/** @type {Date} */ d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
/**
 * Dates are typed as text in the person's own order (Chromium's date field showed mm/dd/yyyy to a
 * pt-BR browser): dd/mm/aaaa in Portuguese, yyyy-mm-dd in English. Both directions, ISO inside.
 */
const dateShown = (/** @type {string} */ iso) => {
  if (!iso) return '';
  const [y, m, d] = iso.split('-');
  return lang.value === 'pt-BR' ? `${d}/${m}/${y}` : iso;
};
const dateRead = (/** @type {string} */ text) => {
  const s = text.trim();
  const br = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s);
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
  const [y, m, d] = br ? [br[3], br[2], br[1]] : iso ? [iso[1], iso[2], iso[3]] : [];
  if (!y || !m || !d) return null;
  const out = `${y}-${pad(Number(m))}-${pad(Number(d))}`;
  const check = new Date(`${out}T12:00:00`);
  return check.getDate() === Number(d) && check.getMonth() + 1 === Number(m) ? out : null;
};
const localClock = (/** @type {Date} */ d) => `${pad(d.getHours())}:${pad(d.getMinutes())}`;

/** An hour from now, on the quarter hour. */
function defaultTime() {
  const d = new Date(Date.now() + 3_600_000);
  d.setMinutes(Math.ceil(d.getMinutes() / 15) * 15, 0, 0);
  return d;
}

/** @param {Scheduled['content']['type']} type @returns {Kind} */
const kindOf = (type) => (type === 'text' ? 'text' : type === 'template' ? 'template' : 'media');

/** A synced template's choice as the API takes it. @param {Choice} c */
const chosen = (c) => ({ templateId: /** @type {NonNullable<Choice['template']>} */ (c.template).id, params: c.params });

/**
 * Create (in `conversation`, with `text` from the composer) or edit (`item`) a scheduled message: text,
 * a file (with its caption) or an approved template with its parameters; on WhatsApp, with the template
 * that goes instead when the 24-hour window is closed at send time. Times are typed in the person's
 * own clock, 24-hour text (an <input type=time> showed AM/PM cut off).
 * @param {{
 *   conversation?: { id: string, serviceWindowEndsAt: string | null, connection: { id: string, channel: string } },
 *   item?: Scheduled, text?: string, onClose: () => void, onSaved: (s: Scheduled) => void
 * }} props
 */
export function ScheduleDialog({ conversation, item, text: initialText, onClose, onSaved }) {
  const start = item ? new Date(item.sendAt) : defaultTime();
  const connection = item?.connection ?? conversation?.connection ?? { id: '', channel: 'whatsapp' };
  const whatsapp = connection.channel === 'whatsapp';
  const [kind, setKind] = useState(/** @type {Kind} */ (item ? kindOf(item.content.type) : 'text'));
  const [text, setText] = useState(item?.content.type === 'text' ? item.content.text ?? '' : initialText ?? '');
  const [upload, setUpload] = useState(/** @type {Upload | null} */ (null));
  const [uploading, setUploading] = useState(/** @type {string | null} */ (null));
  const [caption, setCaption] = useState(item && kindOf(item.content.type) === 'media' ? item.content.caption ?? '' : '');
  // Editing keeps the stored file or template until the person picks another.
  const [keepContent, setKeepContent] = useState(!!item && item.content.type !== 'text');
  const [content, setContent] = useState(NO_CHOICE);
  const [keepFallback, setKeepFallback] = useState(!!item?.fallbackTemplate);
  const [fallback, setFallback] = useState(NO_CHOICE);
  const [noTemplates, setNoTemplates] = useState(false);
  const [date, setDate] = useState(dateShown(localDate(start)));
  const [clock, setClock] = useState(localClock(start));
  const [recurrence, setRecurrence] = useState(item?.recurrence ?? 'none');
  const [until, setUntil] = useState(item?.repeatUntil ? dateShown(localDate(new Date(item.repeatUntil))) : '');
  const [cancelIfWrites, setCancelIfWrites] = useState(item?.cancelIfCustomerWrites ?? false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(/** @type {string | null} */ (null));
  const fileInput = useRef(/** @type {HTMLInputElement | null} */ (null));

  const clockOk = /^([01]\d|2[0-3]):[0-5]\d$/.test(clock.trim());
  const isoDate = dateRead(date);
  const isoUntil = until.trim() ? dateRead(until) : null;
  const sendAt = clockOk && isoDate ? new Date(`${isoDate}T${clock.trim()}:00`) : null;
  const windowEnds = conversation?.serviceWindowEndsAt ? Date.parse(conversation.serviceWindowEndsAt) : null;
  const withFallback = whatsapp && kind !== 'template';
  const hasFallback = (keepFallback && !!item?.fallbackTemplate) || !!fallback.template;
  const windowClosesFirst = withFallback && !!sendAt && (windowEnds === null || windowEnds <= sendAt.getTime());
  const sameKindKept = keepContent && !!item && kindOf(item.content.type) === kind;
  const contentReady = kind === 'text' ? !!text.trim()
    : kind === 'media' ? !!upload || sameKindKept
    : sameKindKept || content.complete;
  const fallbackReady = !withFallback || !fallback.template || fallback.complete;

  /** The content as the API takes it, or undefined when an edit keeps the stored one. */
  const contentBody = () => {
    if (kind === 'text') return { type: 'text', text };
    if (kind === 'media') {
      if (upload) return { type: upload.type, uploadId: upload.id, ...(caption.trim() ? { caption: caption.trim() } : {}) };
      const c = /** @type {Scheduled} */ (item).content;
      return caption.trim() === (c.caption ?? '') ? undefined : { type: c.type, uploadId: c.uploadId, ...(caption.trim() ? { caption: caption.trim() } : {}) };
    }
    return content.template ? { type: 'template', ...chosen(content) } : undefined;
  };
  /** The fallback as the API takes it, or undefined when an edit keeps the stored one. */
  const fallbackBody = () => {
    if (!withFallback) return whatsapp ? null : undefined;
    if (fallback.template) return chosen(fallback);
    return keepFallback && item?.fallbackTemplate ? undefined : null;
  };

  /** @param {Event} e */
  const onFile = async (e) => {
    const input = /** @type {HTMLInputElement} */ (e.currentTarget);
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    setUploading(file.name);
    setError(null);
    try {
      setUpload(await uploadFile(file));
      setKeepContent(false);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setUploading(null);
    }
  };

  /** @param {Event} e */
  const submit = async (e) => {
    e.preventDefault();
    if (!clockOk) { setError(t('sched.badTime')); return; }
    if (!isoDate || (until.trim() && !isoUntil)) { setError(t('sched.badDate')); return; }
    if (!sendAt || !contentReady || !fallbackReady) return;
    setBusy(true);
    setError(null);
    const untilEnd = isoUntil && recurrence !== 'none' ? new Date(`${isoUntil}T23:59:59`).toISOString() : null;
    const c = contentBody();
    const fb = fallbackBody();
    const body = {
      ...(c ? { content: c } : {}),
      sendAt: sendAt.toISOString(), recurrence, repeatUntil: untilEnd, cancelIfCustomerWrites: cancelIfWrites,
      ...(fb !== undefined ? { fallbackTemplate: fb } : {}),
    };
    try {
      const saved = item
        ? await api('PATCH', `/api/scheduled-messages/${item.id}`, body)
        : await api('POST', '/api/scheduled-messages', { conversationId: conversation?.id, ...body });
      toast(item ? t('sched.updated') : t('sched.saved', { when: whenText(saved.sendAt) }), 'success');
      onSaved(saved);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const kinds = /** @type {Kind[]} */ (whatsapp ? ['text', 'media', 'template'] : ['text', 'media']);
  const stored = item?.content;
  return html`<${Modal} title=${item ? t('sched.edit') : t('sched.new')} onClose=${onClose} wide=${whatsapp} testid="schedule-dialog">
    <form class="form sched-form" novalidate onSubmit=${submit}>
      ${error && html`<p class="form-error" role="alert" data-testid="form-error">${error}</p>`}
      <div class="seg sched-kinds" role="radiogroup" aria-label=${t('sched.kind')} data-testid="schedule-kind">
        ${kinds.map((k) => html`<button type="button" role="radio" key=${k} aria-checked=${kind === k} class=${kind === k ? 'seg-on' : ''}
          data-testid=${`schedule-kind-${k}`} onClick=${() => setKind(k)}>${t(/** @type {any} */ (`sched.kind.${k}`))}</button>`)}
      </div>

      ${kind === 'text' && html`<label class="field"><span>${t('sched.text')}</span>
        <textarea rows="3" required maxlength="4096" data-testid="schedule-text" value=${text}
          onInput=${(/** @type {any} */ e) => setText(e.currentTarget.value)}></textarea></label>`}

      ${kind === 'media' && html`<div class="sched-media">
        <div class="sched-file">
          ${uploading ? html`<span class="attachment-chip"><span class="spinner spinner-xs"></span> ${t('composer.uploading')}</span>`
            : upload ? html`<span class="attachment-chip" data-testid="schedule-file"><${Icon} name="file" size=${14} /> ${upload.filename ?? upload.type} · ${bytes(upload.size)}</span>`
            : sameKindKept && stored ? html`<span class="attachment-chip" data-testid="schedule-file"><${Icon} name="file" size=${14} /> ${t('sched.currentFile', { type: stored.type })}</span>`
            : html`<span class="muted small">${t('sched.noFile')}</span>`}
          <button type="button" class="btn btn-sm" disabled=${!!uploading} onClick=${() => fileInput.current?.click()}>
            <${Icon} name="paperclip" size=${14} />${upload || sameKindKept ? t('sched.otherFile') : t('sched.chooseFile')}</button>
          <input type="file" class="sr-only" ref=${fileInput} data-testid="schedule-file-input" tabindex="-1" onChange=${onFile} />
        </div>
        <label class="field"><span>${t('sched.caption')}</span>
          <textarea rows="2" maxlength="1024" data-testid="schedule-caption" value=${caption}
            onInput=${(/** @type {any} */ e) => setCaption(e.currentTarget.value)}></textarea></label>
      </div>`}

      ${kind === 'template' && html`<div class="sched-template">
        ${sameKindKept && stored
          ? html`<p class="sched-current" data-testid="schedule-current-template"><${Icon} name="template" size=${14} />${t('sched.currentTemplate', { name: stored.template?.name ?? '' })}
              <button type="button" class="btn btn-sm btn-ghost" data-testid="schedule-change-template" onClick=${() => setKeepContent(false)}>${t('sched.change')}</button></p>`
          : html`<${TemplatePicker} key=${`content-${connection.id}`} connectionId=${connection.id} onChange=${setContent} onNone=${setNoTemplates} />
              ${noTemplates && html`<p class="muted small" data-testid="schedule-no-templates">${t('sched.noTemplates')}</p>`}
              ${content.template && !content.complete && html`<p class="muted small">${t('tpl.fillAll')}</p>`}`}
        <small class="muted">${t('sched.templateHint')}</small>
      </div>`}

      <div class="sched-when">
        <label class="field"><span>${t('sched.date')}</span>
          <input type="text" inputmode="numeric" required maxlength="10" data-testid="schedule-date" value=${date} placeholder=${t('sched.dateHint')}
            class=${isoDate ? '' : 'field-bad'} onInput=${(/** @type {any} */ e) => setDate(e.currentTarget.value)} />
          <small>${t('sched.dateHint')}</small></label>
        <label class="field sched-clock"><span>${t('sched.time')}</span>
          <input type="text" inputmode="numeric" required maxlength="5" placeholder="09:30" data-testid="schedule-time" value=${clock}
            class=${clockOk ? '' : 'field-bad'} onInput=${(/** @type {any} */ e) => setClock(e.currentTarget.value)} />
          <small>${t('sched.timeHint')}</small></label>
      </div>
      <div class="sched-when">
        <label class="field"><span>${t('sched.repeat')}</span>
          <select data-testid="schedule-repeat" value=${recurrence} onChange=${(/** @type {any} */ e) => setRecurrence(e.currentTarget.value)}>
            ${['none', 'daily', 'weekly', 'monthly'].map((r) => html`<option value=${r}>${t(/** @type {any} */ (`sched.repeat.${r}`))}</option>`)}
          </select></label>
        ${recurrence !== 'none' && html`<label class="field"><span>${t('sched.repeatUntil')}</span>
          <input type="text" inputmode="numeric" maxlength="10" data-testid="schedule-until" value=${until} placeholder=${t('sched.dateHint')}
            onInput=${(/** @type {any} */ e) => setUntil(e.currentTarget.value)} /></label>`}
      </div>

      ${withFallback && html`<fieldset class=${`sched-fallback ${windowClosesFirst && !hasFallback ? 'sched-fallback-warn' : ''}`} data-testid="schedule-fallback">
        <legend>${t('sched.fallback')}</legend>
        ${windowClosesFirst && !hasFallback && html`<p class="sched-warn" data-testid="schedule-window-warning"><${Icon} name="clock" size=${14} />${t('sched.windowClosesBefore')}</p>`}
        ${keepFallback && item?.fallbackTemplate
          ? html`<p class="sched-current" data-testid="schedule-current-fallback"><${Icon} name="template" size=${14} />${item.fallbackTemplate.name}
              <button type="button" class="btn btn-sm btn-ghost" data-testid="schedule-change-fallback" onClick=${() => setKeepFallback(false)}>${t('sched.change')}</button>
              <button type="button" class="btn btn-sm btn-ghost" data-testid="schedule-remove-fallback" onClick=${() => { setKeepFallback(false); setFallback(NO_CHOICE); }}>${t('sched.removeFallback')}</button></p>`
          : html`<${TemplatePicker} key=${`fallback-${connection.id}`} connectionId=${connection.id} onChange=${setFallback} onNone=${setNoTemplates} />
              ${noTemplates && html`<p class="muted small" data-testid="schedule-no-templates">${t('sched.noTemplates')}</p>`}
              ${fallback.template && !fallback.complete && html`<p class="muted small">${t('tpl.fillAll')}</p>`}`}
        <small class="muted">${t('sched.fallbackHint')}</small>
      </fieldset>`}

      <label class="check"><input type="checkbox" data-testid="schedule-cancel-if-writes" checked=${cancelIfWrites}
        onChange=${(/** @type {any} */ e) => setCancelIfWrites(e.currentTarget.checked)} /> ${t('sched.cancelIfWrites')}</label>
      <div class="form-actions">
        <button type="button" class="btn" onClick=${onClose}>${t('common.cancel')}</button>
        <button type="submit" class="btn btn-primary" data-testid="schedule-save" disabled=${busy || !!uploading || !sendAt || !contentReady || !fallbackReady}>
          ${busy && html`<span class="spinner spinner-sm"></span>`}<${Icon} name="clock" size=${15} />${item ? t('sched.saveEdit') : t('sched.save')}</button>
      </div>
    </form>
  <//>`;
}
