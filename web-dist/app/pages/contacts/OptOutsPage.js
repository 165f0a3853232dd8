import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { Icon } from '../../components/Icon.js';
import { Modal } from '../../components/Modal.js';
import { toast } from '../../components/Toast.js';
import { api } from '../../lib/api.js';
import { dateTime, phone as formatPhone } from '../../lib/format.js';
import { t } from '../../lib/i18n.js';
import { isRestricted } from '../../state/license.js';
import { ConfirmDialog, EmptyState, LoadError, Loading, PageHead, readOnlyTitle, useLoad, useSubmit, valueOf } from '../admin/common.js';
import { ContactsTabs, whatsAppConnections } from './common.js';

/**
 * @typedef {{ id: string, connectionId: string, contact: { id: string, name: string | null, phone: string | null },
 *   at: string, source: 'keyword' | 'button' | 'manual' | 'import', detail: string | null, recordedBy: { id: string, name: string | null } | null }} OptOut
 */

/** The opt-out ledger of a connection: who asked to stop, when and how; add by phone, remove with care. */
export function OptOutsPage() {
  const connections = useLoad(async () => whatsAppConnections(await api('GET', '/api/connections')));
  const [connectionId, setConnectionId] = useState(/** @type {string | null} */ (null));
  const [items, setItems] = useState(/** @type {OptOut[] | null} */ (null));
  const [next, setNext] = useState(/** @type {string | null} */ (null));
  const [error, setError] = useState(/** @type {unknown} */ (null));
  const [dialog, setDialog] = useState(/** @type {null | { kind: 'add' } | { kind: 'remove', item: OptOut }} */ (null));
  const locked = isRestricted();
  const chosen = connectionId ?? connections.data?.[0]?.id ?? null;

  /** @param {string | null} cursor */
  const load = async (cursor) => {
    if (!chosen) return;
    setError(null);
    try {
      const page = await api('GET', `/api/opt-outs?connectionId=${chosen}&limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      setItems((before) => (cursor ? [...(before ?? []), ...page.items] : page.items));
      setNext(page.nextCursor);
    } catch (err) {
      setError(err);
    }
  };
  useEffect(() => { setItems(null); void load(null); }, [chosen]);

  let body;
  if (connections.loading && !connections.data) body = html`<${Loading} />`;
  else if (connections.error) body = html`<${LoadError} error=${connections.error} onRetry=${connections.reload} />`;
  else if (!connections.data?.length) body = html`<p class="list-empty">${t('ct.noWhatsApp')}</p>`;
  else if (error && !items) body = html`<${LoadError} error=${error} onRetry=${() => load(null)} />`;
  else if (!items) body = html`<${Loading} />`;
  else if (!items.length) body = html`<${EmptyState} icon="user" title=${t('ct.emptyOptOuts')} body=${t('ct.emptyOptOutsBody')} />`;
  else {
    body = html`<table class="table" data-testid="opt-out-table">
        <thead><tr><th>${t('ct.colContact')}</th><th>${t('ct.colWhen')}</th><th>${t('ct.colHow')}</th><th class="actions"><span class="sr-only">${t('common.actions')}</span></th></tr></thead>
        <tbody>
          ${items.map((o) => html`<tr key=${o.id} data-testid="opt-out-row" data-phone=${o.contact.phone}>
            <td><div class="ct-contact"><strong>${o.contact.name ?? formatPhone(o.contact.phone ?? '')}</strong>
              ${o.contact.name && html`<span class="muted small">${formatPhone(o.contact.phone ?? '')}</span>`}</div></td>
            <td class="nowrap">${dateTime(o.at)}</td>
            <td>${howText(o)}${o.source === 'manual' && o.detail ? html`<div class="muted small">${o.detail}</div>` : null}</td>
            <td class="actions"><button type="button" class="btn btn-sm btn-danger" disabled=${locked} title=${readOnlyTitle()}
              onClick=${() => setDialog({ kind: 'remove', item: o })} data-testid="opt-out-remove">${t('ct.remove')}</button></td>
          </tr>`)}
        </tbody>
      </table>
      ${next && html`<div class="list-more"><button type="button" class="btn btn-sm" onClick=${() => load(next)} data-testid="opt-out-more">${t('ct.loadMore')}</button></div>`}`;
  }

  const list = connections.data ?? [];
  return html`<section class="page" data-testid="page-opt-outs">
    <${ContactsTabs} active="optOuts" />
    <${PageHead} title=${t('ct.optOutsTitle')} subtitle=${t('ct.optOutsSubtitle')}>
      <button type="button" class="btn btn-primary" disabled=${locked || !chosen} title=${readOnlyTitle()} onClick=${() => setDialog({ kind: 'add' })} data-testid="opt-out-add">
        <${Icon} name="plus" />${t('ct.addOptOut')}</button>
    <//>
    <div class="notice notice-info notice-icon"><${Icon} name="info" /><span>${t('ct.optOutsHow')}</span></div>
    <div class="card card-table">
      ${list.length > 1 && html`<div class="card-toolbar">
        <label class="field-inline"><span>${t('ct.connection')}</span>
          <select value=${chosen ?? ''} onChange=${(/** @type {Event} */ e) => setConnectionId(valueOf(e))} data-testid="opt-out-connection">
            ${list.map((c) => html`<option value=${c.id}>${c.name}${c.displayPhoneNumber ? ` · ${c.displayPhoneNumber}` : ''}</option>`)}
          </select></label>
      </div>`}
      ${body}
    </div>

    ${dialog?.kind === 'add' && chosen && html`<${AddOptOutDialog} connectionId=${chosen} known=${(items ?? []).map((x) => x.id)} onClose=${() => setDialog(null)}
      onAdded=${(/** @type {OptOut} */ o, /** @type {boolean} */ created) => {
        setItems((before) => [o, ...(before ?? []).filter((x) => x.id !== o.id)]);
        toast(t(created ? 'ct.added' : 'ct.alreadyOut', { phone: formatPhone(o.contact.phone ?? '') }), 'success');
        setDialog(null);
      }} />`}
    ${dialog?.kind === 'remove' && html`<${ConfirmDialog} title=${t('ct.removeTitle', { phone: formatPhone(dialog.item.contact.phone ?? '') })} body=${t('ct.removeBody')}
      confirmLabel=${t('ct.remove')} danger onClose=${() => setDialog(null)} testid="opt-out-confirm"
      onConfirm=${async () => {
        await api('DELETE', `/api/opt-outs/${dialog.item.id}`);
        setItems((before) => (before ?? []).filter((x) => x.id !== dialog.item.id));
        toast(t('ct.removed', { phone: formatPhone(dialog.item.contact.phone ?? '') }), 'success');
      }} />`}
  </section>`;
}

/** @param {OptOut} o */
function howText(o) {
  switch (o.source) {
    case 'keyword': return t('ct.how.keyword', { detail: o.detail ?? '' });
    case 'button': return t('ct.how.button', { detail: o.detail ?? '' });
    case 'manual': return t('ct.how.manual', { who: o.recordedBy?.name ?? t('ct.someone') });
    default: return t('ct.how.import');
  }
}

/** @param {{ connectionId: string, known: string[], onClose: () => void, onAdded: (o: OptOut, created: boolean) => void }} props */
function AddOptOutDialog({ connectionId, known, onClose, onAdded }) {
  const [phone, setPhone] = useState('');
  const [detail, setDetail] = useState('');
  const { busy, error, submit } = useSubmit(async () => {
    // 201 when recorded now, 200 when the number was already opted out (the first record stays).
    const o = await api('POST', '/api/opt-outs', { connectionId, phone: phone.trim(), ...(detail.trim() ? { detail: detail.trim() } : {}) });
    onAdded(o, !known.includes(o.id));
  });
  return html`<${Modal} title=${t('ct.addTitle')} onClose=${onClose} testid="opt-out-dialog">
    <form novalidate onSubmit=${submit}>
      <p class="muted">${t('ct.addBody')}</p>
      ${error && html`<p class="form-error" role="alert" data-testid="form-error">${error}</p>`}
      <label class="field"><span>${t('ct.phone')}</span>
        <input type="tel" name="phone" required maxlength="40" autocomplete="off" placeholder=${t('ct.phonePlaceholder')} value=${phone}
          onInput=${(/** @type {Event} */ e) => setPhone(valueOf(e))} data-testid="opt-out-phone" />
        <small>${t('ct.phoneHint')}</small></label>
      <label class="field"><span>${t('ct.detail')}</span>
        <input type="text" name="detail" maxlength="200" placeholder=${t('ct.detailPlaceholder')} value=${detail}
          onInput=${(/** @type {Event} */ e) => setDetail(valueOf(e))} data-testid="opt-out-detail" /></label>
      <div class="form-actions">
        <button type="button" class="btn" onClick=${onClose}>${t('common.cancel')}</button>
        <button type="submit" class="btn btn-primary" disabled=${busy || !phone.trim()} data-testid="opt-out-save">
          ${busy && html`<span class="spinner spinner-sm"></span>`}${t('ct.add')}</button>
      </div>
    </form>
  <//>`;
}
