import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { Icon } from '../../components/Icon.js';
import { api } from '../../lib/api.js';
import { errorText } from '../../lib/errors.js';
import { phone } from '../../lib/format.js';
import { t } from '../../lib/i18n.js';
import { isRestricted } from '../../state/license.js';
import { EmptyState, LoadError, Loading, PageHead } from '../admin/common.js';
import { ScheduleDialog } from './ScheduleDialog.js';
import { CancelScheduleDialog, contentText, reasonText, rhythmText, StatusPill, whenText } from './scheduleUi.js';

/** @typedef {import('./scheduleUi.js').Scheduled} Scheduled */

const FILTERS = /** @type {const} */ (['pending', 'sent', 'failed', 'expired', 'cancelled']);

/**
 * Agendadas: the scheduled messages of every conversation the person sees, by state — what goes out
 * next (soonest first), and what went out, failed (with why), expired or was cancelled (newest first).
 */
export function SchedulesPage() {
  const [status, setStatus] = useState(/** @type {typeof FILTERS[number]} */ ('pending'));
  const [items, setItems] = useState(/** @type {Scheduled[] | null} */ (null));
  const [next, setNext] = useState(/** @type {string | null} */ (null));
  const [error, setError] = useState(/** @type {unknown} */ (null));
  const [editing, setEditing] = useState(/** @type {Scheduled | null} */ (null));
  const [cancelling, setCancelling] = useState(/** @type {Scheduled | null} */ (null));
  const locked = isRestricted();

  /** @param {string | null} cursor */
  const load = async (cursor = null) => {
    try {
      const page = await api('GET', `/api/scheduled-messages?status=${status}&limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      setItems((prev) => (cursor ? [...(prev ?? []), ...page.items] : page.items));
      setNext(page.nextCursor);
      setError(null);
    } catch (err) {
      setError(err);
    }
  };
  useEffect(() => { setItems(null); void load(); }, [status]);

  let body;
  if (error && !items) body = html`<${LoadError} error=${error} onRetry=${() => void load()} />`;
  else if (!items) body = html`<${Loading} />`;
  else if (!items.length) {
    body = html`<${EmptyState} icon="clock" title=${t(status === 'pending' ? 'sched.empty.pending' : 'sched.empty.other')} />`;
  } else {
    body = html`<table class="table sched-table" data-testid="schedules-table">
      <thead><tr>
        <th class="sched-col-when">${t('sched.col.when')}</th><th>${t('sched.col.contact')}</th><th>${t('sched.col.message')}</th>
        <th class="sched-col-status">${t('sched.col.status')}</th><th class="actions"><span class="sr-only">${t('common.actions')}</span></th>
      </tr></thead>
      <tbody>${items.map((s) => html`<tr key=${s.id} data-testid="schedule-row" data-id=${s.id}>
        <td class="sched-col-when">${whenText(s.status === 'sent' && s.lastSentAt ? s.lastSentAt : s.sendAt)}</td>
        <td><div class="sched-contact">${s.contact.name ?? phone(s.contact.externalId)}</div>
          <div class="muted small">${s.connection.name}</div></td>
        <td><div class="sched-message">${contentText(s)}</div>
          ${rhythmText(s) && html`<div class="muted small">${rhythmText(s)}</div>`}
          ${reasonText(s) && html`<div class=${`small ${s.status === 'failed' ? 'sched-reason-bad' : 'muted'}`} data-testid="schedule-reason">${reasonText(s)}</div>`}</td>
        <td class="sched-col-status"><${StatusPill} status=${s.status} /></td>
        <td class="actions"><div class="row-actions">
          ${s.conversationId && html`<a class="btn btn-sm btn-ghost" href=${`/inbox/${s.conversationId}`} title=${t('sched.open')} aria-label=${t('sched.open')}><${Icon} name="inbox" size=${15} /></a>`}
          ${s.status === 'pending' && html`<button type="button" class="btn btn-sm" disabled=${locked} onClick=${() => setEditing(s)} data-testid="schedule-edit">${t('sched.editAction')}</button>
            <button type="button" class="btn btn-sm btn-danger" disabled=${locked} onClick=${() => setCancelling(s)} data-testid="schedule-cancel">${t('sched.cancel')}</button>`}
        </div></td>
      </tr>`)}</tbody>
    </table>
    ${next && html`<div class="sched-more"><button type="button" class="btn btn-sm" onClick=${() => void load(next)}>${t('sched.loadMore')}</button></div>`}
    ${error && html`<p class="form-error" role="alert">${errorText(error)}</p>`}`;
  }

  return html`<section class="page" data-testid="page-schedules">
    <${PageHead} title=${t('sched.title')} subtitle=${t('sched.subtitle')} />
    <div class="sched-filters" role="tablist">
      ${FILTERS.map((f) => html`<button type="button" role="tab" aria-selected=${status === f} class=${`sched-filter ${status === f ? 'active' : ''}`}
        data-testid=${`schedule-filter-${f}`} onClick=${() => setStatus(f)}>${t(/** @type {any} */ (`sched.filter.${f}`))}</button>`)}
    </div>
    <div class="card card-table">${body}</div>
    ${editing && html`<${ScheduleDialog} item=${editing} onClose=${() => setEditing(null)} onSaved=${() => { setEditing(null); void load(); }} />`}
    ${cancelling && html`<${CancelScheduleDialog} item=${cancelling} onClose=${() => setCancelling(null)} onCancelled=${() => { setCancelling(null); void load(); }} />`}
  </section>`;
}
