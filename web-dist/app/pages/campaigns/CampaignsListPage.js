import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { Icon } from '../../components/Icon.js';
import { Modal } from '../../components/Modal.js';
import { api } from '../../lib/api.js';
import { dateTime, number } from '../../lib/format.js';
import { t, tDynamic } from '../../lib/i18n.js';
import { navigate, route } from '../../lib/router.js';
import { isRestricted } from '../../state/license.js';
import { me } from '../../state/session.js';
import { EmptyState, LoadError, Loading, PageHead, readOnlyTitle, useLoad, useSubmit, valueOf } from '../admin/common.js';
import { STATUSES, Seg, StatusPill, funnel, percent } from './campaign.js';

/** @typedef {import('./types.js').Campaign} Campaign */

/**
 * The campaigns, newest first, filtered by status (`?status=` in the address), paged by cursor. Each row
 * says how far it got in words people check: delivered of the audience, not only "completed".
 */
export function CampaignsListPage() {
  const status = route.value.query.get('status') ?? '';
  const [more, setMore] = useState(/** @type {{ items: Campaign[], nextCursor: string | null } | null} */ (null));
  const list = useLoad(async () => {
    setMore(null);
    return /** @type {{ items: Campaign[], nextCursor: string | null }} */ (await api('GET', `/api/campaigns?status=${encodeURIComponent(status)}`));
  }, [status]);
  const conns = useLoad(async () => /** @type {import('./types.js').Connection[]} */ ((await api('GET', '/api/connections')).items));
  const [creating, setCreating] = useState(false);
  const [loadingMore, setLoadingMore] = useState(false);
  const admin = me.value?.role === 'admin';
  const locked = isRestricted() || !admin;
  const items = [...(list.data?.items ?? []), ...(more?.items ?? [])];
  const cursor = more ? more.nextCursor : list.data?.nextCursor ?? null;
  const connName = (/** @type {string} */ id) => conns.data?.find((c) => c.id === id)?.name ?? '';

  const loadMore = async () => {
    if (!cursor) return;
    setLoadingMore(true);
    try {
      const page = await api('GET', `/api/campaigns?status=${encodeURIComponent(status)}&cursor=${encodeURIComponent(cursor)}`);
      setMore({ items: [...(more?.items ?? []), ...page.items], nextCursor: page.nextCursor });
    } finally {
      setLoadingMore(false);
    }
  };

  let body;
  if (list.loading && !list.data) body = html`<${Loading} />`;
  else if (list.error && !list.data) body = html`<${LoadError} error=${list.error} onRetry=${list.reload} />`;
  else if (!items.length) {
    body = status
      ? html`<${EmptyState} icon="send" title=${t('cmp.list.emptyFiltered')} />`
      : html`<${EmptyState} icon="send" title=${t('cmp.list.empty')} body=${t('cmp.list.emptyBody')}>
          ${admin && html`<button type="button" class="btn btn-primary" disabled=${locked} title=${readOnlyTitle()} onClick=${() => setCreating(true)}>
            <${Icon} name="plus" />${t('cmp.list.create')}</button>`}
        <//>`;
  } else {
    body = html`<table class="table table-click cmp-table">
      <thead><tr>
        <th>${t('cmp.list.name')}</th><th>${t('cmp.list.status')}</th><th>${t('cmp.list.template')}</th>
        <th class="cmp-col-progress">${t('cmp.list.progress')}</th><th class="hide-phone">${t('cmp.list.when')}</th>
      </tr></thead>
      <tbody>
        ${items.map((c) => {
          const f = funnel(c.progress);
          const href = c.status === 'draft' && admin ? `/campaigns/${c.id}/edit` : `/campaigns/${c.id}`;
          return html`<tr key=${c.id} data-testid="campaign-row" data-id=${c.id} onClick=${(/** @type {MouseEvent} */ e) => {
            if (!/** @type {HTMLElement} */ (e.target).closest('a, button')) navigate(href);
          }}>
            <td><a href=${href} class="row-link" data-testid="campaign-open"><span class="flow-row-icon"><${Icon} name="send" size=${15} /></span>
              <span class="cmp-row-name"><span>${c.name}</span><small class="muted">${connName(c.connectionId)}</small></span></a></td>
            <td><${StatusPill} status=${c.status} /></td>
            <td>${c.template ? html`<span class="mono">${c.template.name}</span>` : html`<span class="muted">${t('cmp.list.noTemplate')}</span>`}</td>
            <td class="cmp-col-progress">${f.audience > 0
              ? html`<div class="cmp-mini" title=${t('cmp.list.progressTitle', { delivered: number(f.delivered), audience: number(f.audience) })}>
                  <div class="cmp-mini-bar"><${Seg} cls="cmp-mini-delivered" w=${f.delivered / (f.attempted || 1)} /><${Seg} cls="cmp-mini-sent" w=${(f.sent - f.delivered) / (f.attempted || 1)} /><${Seg} cls="cmp-mini-failed" w=${f.failed / (f.attempted || 1)} /></div>
                  <small>${t('cmp.list.delivered', { n: number(f.delivered), total: number(f.attempted), pct: percent(f.delivered, f.attempted) })}</small></div>`
              : html`<span class="muted">—</span>`}</td>
            <td class="muted small hide-phone">${whenOf(c)}</td>
          </tr>`;
        })}
      </tbody>
    </table>
    ${cursor && html`<div class="list-foot"><button type="button" class="btn" disabled=${loadingMore} onClick=${loadMore} data-testid="campaigns-more">${t('common.loadMore')}</button></div>`}`;
  }

  return html`<section class="page" data-testid="page-campaigns">
    <${PageHead} title=${t('nav.campaigns')} subtitle=${t('cmp.list.subtitle')}>
      ${admin && html`<button type="button" class="btn btn-primary" disabled=${locked} title=${readOnlyTitle()} onClick=${() => setCreating(true)} data-testid="campaign-create">
        <${Icon} name="plus" />${t('cmp.list.create')}</button>`}
    <//>
    <div class="cmp-filters seg" role="tablist" aria-label=${t('cmp.list.status')}>
      ${['', ...STATUSES].map((s) => html`<button type="button" role="tab" aria-selected=${s === status} class=${s === status ? 'seg-on' : ''}
        onClick=${() => navigate(s ? `/campaigns?status=${s}` : '/campaigns')} data-testid=${`campaigns-filter-${s || 'all'}`}>${s ? tDynamic(`cmp.status.${s}`) : t('cmp.list.all')}</button>`)}
    </div>
    <div class="card card-table">${body}</div>
    ${creating && html`<${CreateCampaignDialog} connections=${(conns.data ?? []).filter((c) => c.channel === 'whatsapp')} onClose=${() => setCreating(false)} />`}
  </section>`;
}

/** The moment that says most about a campaign: when it ended, started, is due, or was made. @param {Campaign} c */
function whenOf(c) {
  if (c.status === 'completed' && c.completedAt) return t('cmp.list.completedAt', { when: dateTime(c.completedAt) });
  if (c.status === 'cancelled' && c.cancelledAt) return t('cmp.list.cancelledAt', { when: dateTime(c.cancelledAt) });
  if (c.status === 'scheduled' && c.scheduledAt) return t('cmp.list.scheduledFor', { when: dateTime(c.scheduledAt) });
  if (c.startedAt) return t('cmp.list.startedAt', { when: dateTime(c.startedAt) });
  return t('cmp.list.createdAt', { when: dateTime(c.createdAt) });
}

/**
 * A new campaign starts as a draft with its name and number; the wizard takes it from there.
 * @param {{ connections: import('./types.js').Connection[], onClose: () => void }} props
 */
function CreateCampaignDialog({ connections, onClose }) {
  const [name, setName] = useState('');
  const [connectionId, setConnectionId] = useState(connections[0]?.id ?? '');
  const { busy, error, submit } = useSubmit(async () => {
    const c = await api('POST', '/api/campaigns', { name: name.trim(), connectionId });
    onClose();
    navigate(`/campaigns/${c.id}/edit`);
  });
  return html`<${Modal} title=${t('cmp.create.title')} onClose=${onClose} testid="campaign-create-dialog">
    <form novalidate onSubmit=${submit}>
      ${error && html`<p class="form-error" role="alert" data-testid="form-error">${error}</p>`}
      <label class="field"><span>${t('cmp.create.name')}</span>
        <input type="text" name="name" required maxlength="120" placeholder=${t('cmp.create.namePlaceholder')} value=${name}
          onInput=${(/** @type {Event} */ e) => setName(valueOf(e))} data-testid="campaign-create-name" />
        <small>${t('cmp.create.nameHint')}</small></label>
      ${connections.length === 0
        ? html`<p class="notice notice-warning">${t('cmp.create.noConnection')} <a href="/admin/connections">${t('nav.connections')}</a></p>`
        : html`<label class="field"><span>${t('cmp.create.connection')}</span>
            <select required value=${connectionId} onChange=${(/** @type {Event} */ e) => setConnectionId(valueOf(e))} data-testid="campaign-create-connection">
              ${connections.map((c) => html`<option value=${c.id} key=${c.id}>${c.name}${c.displayPhoneNumber ? ` · ${c.displayPhoneNumber}` : ''}</option>`)}
            </select>
            <small>${t('cmp.create.connectionHint')}</small></label>`}
      <div class="form-actions">
        <button type="button" class="btn" onClick=${onClose}>${t('common.cancel')}</button>
        <button type="submit" class="btn btn-primary" disabled=${busy || !name.trim() || !connectionId} data-testid="campaign-create-save">
          ${busy && html`<span class="spinner spinner-sm"></span>`}${t('cmp.create.submit')}</button>
      </div>
    </form>
  <//>`;
}
