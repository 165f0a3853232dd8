import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../../lib/api.js';
import { errorText } from '../../lib/errors.js';
import { dateTime, phone as phoneText } from '../../lib/format.js';
import { t, tDynamic } from '../../lib/i18n.js';

/** @typedef {import('./types.js').Recipient} Recipient */

const FILTERS = ['', 'pending', 'sent', 'delivered', 'read', 'failed', 'skipped'];

/**
 * Every recipient with their status and why: Meta's code and title for a failure, the reason for a skip
 * or a wait. Filtered by status, paged by cursor; the first page follows the campaign's progress.
 * @param {{ campaignId: string, refreshKey: string, tick: number }} props
 */
export function RecipientsTable({ campaignId, refreshKey }) {
  const [status, setStatus] = useState('');
  const [items, setItems] = useState(/** @type {Recipient[] | null} */ (null));
  const [cursor, setCursor] = useState(/** @type {string | null} */ (null));
  const [pages, setPages] = useState(1);
  const [error, setError] = useState(/** @type {string | null} */ (null));
  const [loading, setLoading] = useState(false);
  const seq = useRef(0);

  const url = (/** @type {string | null} */ after) => `/api/campaigns/${campaignId}/recipients?limit=50${status ? `&status=${status}` : ''}${after ? `&cursor=${encodeURIComponent(after)}` : ''}`;
  const loadFirst = async () => {
    const mine = ++seq.current;
    try {
      const page = await api('GET', url(null));
      if (mine !== seq.current) return;
      setItems(page.items);
      setCursor(page.nextCursor ?? null);
      setPages(1);
      setError(null);
    } catch (err) {
      if (mine === seq.current) setError(errorText(err));
    }
  };
  useEffect(() => { setItems(null); void loadFirst(); }, [status, campaignId]);
  // Follow the progress on the first page only: a person reading page 3 keeps their place.
  useEffect(() => { if (items && pages === 1) void loadFirst(); }, [refreshKey]);

  const more = async () => {
    if (!cursor) return;
    setLoading(true);
    const mine = ++seq.current;
    try {
      const page = await api('GET', url(cursor));
      if (mine !== seq.current) return;
      setItems([...(items ?? []), ...page.items]);
      setCursor(page.nextCursor ?? null);
      setPages(pages + 1);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setLoading(false);
    }
  };

  return html`<div class="card card-table" data-testid="campaign-recipients">
    <div class="card-toolbar">
      <h2 class="card-title cmp-flush">${t('cmp.rcpt.title')}</h2>
      <div class="seg cmp-rcpt-filter" role="tablist" aria-label=${t('cmp.rcpt.filter')}>
        ${FILTERS.map((s) => html`<button type="button" role="tab" aria-selected=${s === status} class=${s === status ? 'seg-on' : ''}
          onClick=${() => setStatus(s)} data-testid=${`rcpt-filter-${s || 'all'}`}>${s ? tDynamic(`cmp.rstatus.${s}`) : t('cmp.list.all')}</button>`)}
      </div>
    </div>
    ${error && html`<p class="form-error cmp-rcpt-error" role="alert">${error}</p>`}
    ${items === null ? html`<div class="admin-loading"><span class="spinner"></span>${t('common.loading')}</div>`
      : items.length === 0 ? html`<p class="list-empty" data-testid="rcpt-empty">${status ? t('cmp.rcpt.emptyFiltered') : t('cmp.rcpt.empty')}</p>`
      : html`<table class="table cmp-rcpt-table">
        <thead><tr><th>${t('cmp.rcpt.contact')}</th><th>${t('cmp.rcpt.status')}</th><th>${t('cmp.rcpt.detail')}</th><th class="hide-phone">${t('cmp.rcpt.when')}</th></tr></thead>
        <tbody>${items.map((r) => html`<tr key=${r.id} data-testid="recipient-row" data-status=${r.status} data-phone=${r.contact.phone}>
          <td><div class="cell-person-text"><strong>${r.contact.name ?? phoneText(r.contact.phone)}</strong><small class="muted">${phoneText(r.contact.phone)}</small></div></td>
          <td><span class=${`cmp-rpill cmp-rpill-${r.status}`}>${tDynamic(`cmp.rstatus.${r.status}`)}</span>
            ${r.repliedAt && html` <span class="badge badge-green" data-testid="recipient-replied">${t('cmp.rcpt.replied')}</span>`}</td>
          <td class="cmp-rcpt-why">${why(r)}</td>
          <td class="muted small hide-phone">${dateTime(r.readAt ?? r.deliveredAt ?? r.failedAt ?? r.sentAt)}</td>
        </tr>`)}</tbody>
      </table>
      ${cursor && html`<div class="list-foot"><button type="button" class="btn" disabled=${loading} onClick=${more} data-testid="rcpt-more">${t('common.loadMore')}</button></div>`}`}
  </div>`;
}

/** The reason beside a status: Meta's code and title, a skip or a wait in words. @param {Recipient} r */
function why(r) {
  if (r.status === 'failed') {
    return html`<span class="text-bad" data-testid="recipient-error">${r.errorCode ? html`<code class="inline-code">${r.errorCode}</code> ` : null}${r.errorTitle ?? (r.reason ? tDynamic(`cmp.reason.${r.reason}`) : '')}</span>`;
  }
  if (!r.reason) return html`<span class="muted">—</span>`;
  const key = `cmp.reason.${r.reason}`;
  const text = tDynamic(key);
  return html`<span class=${r.status === 'skipped' ? 'muted' : 'text-warn'} data-testid="recipient-reason">${text === key ? r.reason : text}</span>`;
}
