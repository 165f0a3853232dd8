import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { Icon } from '../../components/Icon.js';
import { Modal } from '../../components/Modal.js';
import { toast } from '../../components/Toast.js';
import { api } from '../../lib/api.js';
import { errorText } from '../../lib/errors.js';
import { lang, t, tDynamic } from '../../lib/i18n.js';

/**
 * @typedef {{
 *   id: string, status: 'pending'|'sending'|'sent'|'failed'|'cancelled'|'expired', conversationId: string | null,
 *   connection: { id: string, name: string, channel: 'whatsapp'|'instagram' },
 *   contact: { id: string, name: string | null, externalId: string },
 *   content: { type: string, text?: string, caption?: string, template?: { name: string } },
 *   fallbackTemplate: { name: string, language: string | { code: string } } | null,
 *   sendAt: string, recurrence: 'none'|'daily'|'weekly'|'monthly', repeatUntil: string | null,
 *   maxLatenessSeconds: number, cancelIfCustomerWrites: boolean, sentCount: number, skippedCount: number,
 *   lastSentAt: string | null, error: { code: string, detail: string | null } | null, cancelReason: string | null,
 *   createdBy: { id: string, name: string | null } | null
 * }} Scheduled
 */

/** "qua., 17/12, 09:30" in the person's language and time zone. @param {string} iso */
export const whenText = (iso) =>
  new Date(iso).toLocaleString(lang.value, { weekday: 'short', day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** What goes out, in one line. @param {Scheduled} s */
export function contentText(s) {
  const c = s.content;
  if (c.type === 'text') return c.text ?? '';
  if (c.type === 'template') return t('sched.template', { name: c.template?.name ?? '' });
  return c.caption || t('sched.media', { type: c.type });
}

/** The rhythm and limits, as a short phrase ("todo dia · até 20/12"). @param {Scheduled} s */
export function rhythmText(s) {
  const parts = [];
  if (s.recurrence !== 'none') parts.push(t(/** @type {any} */ (`sched.every.${s.recurrence}`)));
  if (s.repeatUntil) parts.push(t('sched.until', { date: new Date(s.repeatUntil).toLocaleDateString(lang.value, { day: '2-digit', month: '2-digit' }) }));
  if (s.fallbackTemplate) parts.push(t('sched.withFallback', { name: s.fallbackTemplate.name }));
  return parts.join(' · ');
}

/** Why it did not go out, in words (or the server's detail for a code we have no words for). @param {Scheduled} s */
export function reasonText(s) {
  const code = s.status === 'cancelled' ? s.cancelReason : s.error?.code;
  if (!code) return '';
  const key = `sched.reason.${code}`;
  const text = tDynamic(key);
  return text === key ? (s.error?.detail ?? code) : text;
}

/** @param {{ status: Scheduled['status'] }} props */
export function StatusPill({ status }) {
  return html`<span class=${`sched-pill sched-pill-${status}`} data-testid="schedule-status">${t(/** @type {any} */ (`sched.status.${status}`))}</span>`;
}

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

/**
 * Create (in `conversation`, with `text` from the composer) or edit (`item`) a scheduled text message.
 * Times are typed in the person's own clock, 24-hour text (an <input type=time> showed AM/PM cut off).
 * @param {{
 *   conversation?: { id: string, serviceWindowEndsAt: string | null, connection: { channel: string } },
 *   item?: Scheduled, text?: string, onClose: () => void, onSaved: (s: Scheduled) => void
 * }} props
 */
export function ScheduleDialog({ conversation, item, text: initialText, onClose, onSaved }) {
  const start = item ? new Date(item.sendAt) : defaultTime();
  const [text, setText] = useState(item?.content.type === 'text' ? item.content.text ?? '' : initialText ?? '');
  const [date, setDate] = useState(dateShown(localDate(start)));
  const [clock, setClock] = useState(localClock(start));
  const [recurrence, setRecurrence] = useState(item?.recurrence ?? 'none');
  const [until, setUntil] = useState(item?.repeatUntil ? dateShown(localDate(new Date(item.repeatUntil))) : '');
  const fb = item?.fallbackTemplate;
  const [fallbackName, setFallbackName] = useState(fb?.name ?? '');
  const [fallbackLang, setFallbackLang] = useState(fb ? (typeof fb.language === 'string' ? fb.language : fb.language.code) : 'pt_BR');
  const [cancelIfWrites, setCancelIfWrites] = useState(item?.cancelIfCustomerWrites ?? false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(/** @type {string | null} */ (null));

  const channel = item?.connection.channel ?? conversation?.connection.channel ?? 'whatsapp';
  const textOnly = !item || item.content.type === 'text';
  const clockOk = /^([01]\d|2[0-3]):[0-5]\d$/.test(clock.trim());
  const isoDate = dateRead(date);
  const isoUntil = until.trim() ? dateRead(until) : null;
  const sendAt = clockOk && isoDate ? new Date(`${isoDate}T${clock.trim()}:00`) : null;
  const windowEnds = conversation?.serviceWindowEndsAt ? Date.parse(conversation.serviceWindowEndsAt) : null;
  const windowClosesFirst = channel === 'whatsapp' && !!sendAt && (windowEnds === null || windowEnds <= sendAt.getTime());

  /** @param {Event} e */
  const submit = async (e) => {
    e.preventDefault();
    if (!clockOk) { setError(t('sched.badTime')); return; }
    if (!isoDate || (until.trim() && !isoUntil)) { setError(t('sched.badDate')); return; }
    if (!sendAt || (textOnly && !text.trim())) return;
    setBusy(true);
    setError(null);
    const untilEnd = isoUntil && recurrence !== 'none' ? new Date(`${isoUntil}T23:59:59`).toISOString() : null;
    const body = {
      ...(textOnly ? { content: { type: 'text', text } } : {}),
      sendAt: sendAt.toISOString(), recurrence, repeatUntil: untilEnd, cancelIfCustomerWrites: cancelIfWrites,
      ...(channel === 'whatsapp' ? { fallbackTemplate: fallbackName.trim() ? { name: fallbackName.trim(), language: fallbackLang.trim() || 'pt_BR' } : null } : {}),
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

  return html`<${Modal} title=${item ? t('sched.edit') : t('sched.new')} onClose=${onClose} testid="schedule-dialog">
    <form class="form sched-form" novalidate onSubmit=${submit}>
      ${error && html`<p class="form-error" role="alert" data-testid="form-error">${error}</p>`}
      ${textOnly && html`<label class="field"><span>${t('sched.text')}</span>
        <textarea rows="3" required maxlength="4096" data-testid="schedule-text" value=${text}
          onInput=${(/** @type {any} */ e) => setText(e.currentTarget.value)}></textarea></label>`}
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
      ${channel === 'whatsapp' && html`<fieldset class=${`sched-fallback ${windowClosesFirst && !fallbackName.trim() ? 'sched-fallback-warn' : ''}`}>
        <legend>${t('sched.fallback')}</legend>
        ${windowClosesFirst && html`<p class="sched-warn" data-testid="schedule-window-warning"><${Icon} name="clock" size=${14} />${t('sched.windowClosesBefore')}</p>`}
        <div class="sched-when">
          <label class="field"><span>${t('sched.fallbackName')}</span>
            <input type="text" pattern="[a-z0-9_]+" data-testid="schedule-fallback-name" value=${fallbackName} placeholder="lembrete_retorno"
              onInput=${(/** @type {any} */ e) => setFallbackName(e.currentTarget.value)} /></label>
          <label class="field sched-lang"><span>${t('sched.fallbackLanguage')}</span>
            <input type="text" data-testid="schedule-fallback-language" value=${fallbackLang} onInput=${(/** @type {any} */ e) => setFallbackLang(e.currentTarget.value)} /></label>
        </div>
        <small class="muted">${t('sched.fallbackHint')}</small>
      </fieldset>`}
      <label class="check"><input type="checkbox" data-testid="schedule-cancel-if-writes" checked=${cancelIfWrites}
        onChange=${(/** @type {any} */ e) => setCancelIfWrites(e.currentTarget.checked)} /> ${t('sched.cancelIfWrites')}</label>
      <div class="form-actions">
        <button type="button" class="btn" onClick=${onClose}>${t('common.cancel')}</button>
        <button type="submit" class="btn btn-primary" data-testid="schedule-save" disabled=${busy || !sendAt || (textOnly && !text.trim())}>
          ${busy && html`<span class="spinner spinner-sm"></span>`}<${Icon} name="clock" size=${15} />${item ? t('sched.saveEdit') : t('sched.save')}</button>
      </div>
    </form>
  <//>`;
}

/**
 * Asks before cancelling; the answer is the item as it is now.
 * @param {{ item: Scheduled, onClose: () => void, onCancelled: (s: Scheduled) => void }} props
 */
export function CancelScheduleDialog({ item, onClose, onCancelled }) {
  const [busy, setBusy] = useState(false);
  const go = async () => {
    setBusy(true);
    try {
      const s = await api('POST', `/api/scheduled-messages/${item.id}/cancel`);
      toast(t('sched.cancelled'), 'success');
      onCancelled(s);
    } catch (err) {
      toast(errorText(err), 'error');
      onClose();
    } finally {
      setBusy(false);
    }
  };
  return html`<${Modal} title=${t('sched.cancelTitle')} onClose=${onClose} testid="schedule-cancel-dialog">
    <p class="sched-cancel-preview">“${contentText(item)}” · ${whenText(item.sendAt)}</p>
    <p class="muted">${t('sched.cancelBody')}</p>
    <div class="form-actions">
      <button type="button" class="btn" onClick=${onClose}>${t('sched.keep')}</button>
      <button type="button" class="btn btn-danger" data-testid="schedule-cancel-confirm" disabled=${busy} onClick=${go}>${t('sched.cancelConfirm')}</button>
    </div>
  <//>`;
}
