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
 *   content: { type: string, text?: string, caption?: string, uploadId?: string, template?: { name: string } },
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
