import { html } from 'htm/preact';
import { useRef, useState } from 'preact/hooks';
import { Icon } from '../../components/Icon.js';
import { Modal } from '../../components/Modal.js';
import { toast } from '../../components/Toast.js';
import { api } from '../../lib/api.js';
import { errorText } from '../../lib/errors.js';
import { dateTime } from '../../lib/format.js';
import { t } from '../../lib/i18n.js';
import { navigate } from '../../lib/router.js';
import { isRestricted } from '../../state/license.js';
import { me } from '../../state/session.js';
import { ConfirmDialog, EmptyState, LoadError, Loading, PageHead, readOnlyTitle, useLoad, useSubmit, valueOf } from '../admin/common.js';
import { FlowIcon } from './icons.js';
import { autoLayout, needsLayout } from './layout.js';

/**
 * The flows: their state (off, test, live), published version, trigger and sessions, with create,
 * import (a file exported from here or another Atendo), export and delete.
 */
export function FlowsListPage() {
  const list = useLoad(async () => /** @type {import('./types.js').Flow[]} */ ((await api('GET', '/api/flows')).items));
  const [dialog, setDialog] = useState(/** @type {null | { kind: 'create' } | { kind: 'delete', flow: import('./types.js').Flow }} */ (null));
  const file = useRef(/** @type {HTMLInputElement | null} */ (null));
  // Supervisors see the flows and open them read-only; admins build them.
  const locked = isRestricted() || me.value?.role !== 'admin';
  const items = list.data ?? [];

  /** @param {Event} e */
  const onImport = async (e) => {
    const input = /** @type {HTMLInputElement} */ (e.currentTarget);
    const f = input.files?.[0];
    input.value = '';
    if (!f) return;
    try {
      const json = JSON.parse(await f.text());
      // Positions missing or all at one point (hand-written or from another tool): lay it out first.
      for (const key of ['draft', 'definition']) {
        const d = json?.[key] ?? json?.flow?.[key];
        if (d?.nodes && needsLayout(d)) Object.assign(d, autoLayout(d));
      }
      const flow = await api('POST', '/api/flows/import', json);
      toast(t('flows.list.imported', { name: flow.name }), 'success');
      navigate(`/flows/${flow.id}`);
    } catch (err) {
      toast(err instanceof SyntaxError ? t('flows.list.badFile') : errorText(err), 'error');
    }
  };

  let body;
  if (list.loading && !list.data) body = html`<${Loading} />`;
  else if (list.error && !list.data) body = html`<${LoadError} error=${list.error} onRetry=${list.reload} />`;
  else if (!items.length) {
    body = html`<${EmptyState} icon="bolt" title=${t('flows.list.empty')} body=${t('flows.list.emptyBody')}>
      <button type="button" class="btn btn-primary" disabled=${locked} title=${readOnlyTitle()} onClick=${() => setDialog({ kind: 'create' })}>
        <${Icon} name="plus" />${t('flows.list.create')}</button>
    <//>`;
  } else {
    body = html`<table class="table table-click flows-table">
      <thead><tr>
        <th>${t('flows.list.name')}</th><th>${t('flows.list.status')}</th><th>${t('flows.list.trigger')}</th>
        <th>${t('flows.list.version')}</th><th>${t('flows.list.sessions')}</th><th class="actions"><span class="sr-only">${t('common.actions')}</span></th>
      </tr></thead>
      <tbody>
        ${items.map((f) => html`<tr key=${f.id} data-testid="flow-row" data-id=${f.id} onClick=${(/** @type {MouseEvent} */ e) => {
          if (!/** @type {HTMLElement} */ (e.target).closest('a, button')) navigate(`/flows/${f.id}`);
        }}>
          <td><a href=${`/flows/${f.id}`} class="row-link" data-testid="flow-open"><span class="flow-row-icon"><${FlowIcon} name="condition" size=${16} /></span>${f.name}</a>
            ${f.isFallback && html` <span class="badge">${t('flows.list.fallback')}</span>`}</td>
          <td><span class=${`flow-pill flow-pill-${f.status}`} data-testid="flow-row-status">${t(/** @type {any} */ (`flows.status.${f.status}`))}</span></td>
          <td class="muted">${t(/** @type {any} */ (`flows.trigger.${f.trigger?.type ?? 'none'}`))}</td>
          <td>${f.publishedVersion
            ? html`<span>v${f.publishedVersion.version}</span> <span class="muted small">${dateTime(f.publishedVersion.publishedAt)}</span>
                ${f.draftChanged && html` <span class="badge badge-amber">${t('flows.list.unpublished')}</span>`}`
            : html`<span class="muted">${t('flows.list.neverPublished')}</span>`}</td>
          <td class="muted">${(f.sessionCounts?.running ?? 0) + (f.sessionCounts?.waiting ?? 0)} ${t('flows.list.running')}</td>
          <td class="actions"><div class="row-actions">
            <a class="btn btn-sm" href=${`/api/flows/${f.id}/export`} download=${`${f.name}.json`} data-testid="flow-export"><${FlowIcon} name="download" size=${14} />${t('flows.list.export')}</a>
            <button type="button" class="btn btn-sm btn-danger" disabled=${locked} title=${readOnlyTitle()} onClick=${() => setDialog({ kind: 'delete', flow: f })} data-testid="flow-delete">${t('common.delete')}</button>
          </div></td>
        </tr>`)}
      </tbody>
    </table>`;
  }

  return html`<section class="page" data-testid="page-flows">
    <${PageHead} title=${t('nav.flows')} subtitle=${t('flows.list.subtitle')}>
      <button type="button" class="btn" disabled=${locked} title=${readOnlyTitle()} onClick=${() => file.current?.click()} data-testid="flow-import">
        <${FlowIcon} name="upload" size=${15} />${t('flows.list.import')}</button>
      <input type="file" accept="application/json,.json" class="sr-only" ref=${file} onChange=${onImport} data-testid="flow-import-file" tabindex="-1" />
      <button type="button" class="btn btn-primary" disabled=${locked} title=${readOnlyTitle()} onClick=${() => setDialog({ kind: 'create' })} data-testid="flow-create">
        <${Icon} name="plus" />${t('flows.list.create')}</button>
    <//>
    <div class="card card-table">${body}</div>
    ${dialog?.kind === 'create' && html`<${CreateFlowDialog} onClose=${() => setDialog(null)} />`}
    ${dialog?.kind === 'delete' && html`<${ConfirmDialog} title=${t('flows.list.deleteTitle', { name: dialog.flow.name })} body=${t('flows.list.deleteBody')}
      confirmLabel=${t('common.delete')} danger onClose=${() => setDialog(null)}
      onConfirm=${async () => {
        await api('DELETE', `/api/flows/${dialog.flow.id}`);
        list.setData(items.filter((x) => x.id !== dialog.flow.id));
        toast(t('flows.list.deleted', { name: dialog.flow.name }), 'success');
      }} />`}
  </section>`;
}

/** @param {{ onClose: () => void }} props */
function CreateFlowDialog({ onClose }) {
  const [name, setName] = useState('');
  const { busy, error, submit } = useSubmit(async () => {
    const flow = await api('POST', '/api/flows', { name: name.trim() });
    onClose();
    navigate(`/flows/${flow.id}`);
  });
  return html`<${Modal} title=${t('flows.list.createTitle')} onClose=${onClose} testid="flow-create-dialog">
    <form novalidate onSubmit=${submit}>
      ${error && html`<p class="form-error" role="alert" data-testid="form-error">${error}</p>`}
      <label class="field"><span>${t('flows.name')}</span>
        <input type="text" name="name" required maxlength="100" placeholder=${t('flows.list.namePlaceholder')} value=${name}
          onInput=${(/** @type {Event} */ e) => setName(valueOf(e))} data-testid="flow-create-name" />
        <small>${t('flows.list.createHint')}</small></label>
      <div class="form-actions">
        <button type="button" class="btn" onClick=${onClose}>${t('common.cancel')}</button>
        <button type="submit" class="btn btn-primary" disabled=${busy || !name.trim()} data-testid="flow-create-save">
          ${busy && html`<span class="spinner spinner-sm"></span>`}${t('common.create')}</button>
      </div>
    </form>
  <//>`;
}
