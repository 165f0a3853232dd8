import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { Icon } from '../../components/Icon.js';
import { api } from '../../lib/api.js';
import { dateTime, number } from '../../lib/format.js';
import { t } from '../../lib/i18n.js';
import { route } from '../../lib/router.js';
import { isRestricted } from '../../state/license.js';
import { EmptyState, LoadError, Loading, PageHead, readOnlyTitle, useLoad } from '../admin/common.js';
import { ContactsTabs } from './common.js';
import { ContactImportDialog } from './ContactImportDialog.js';

/** @typedef {import('./ContactImportDialog.js').ImportResult} ImportResult */

/**
 * The CSV imports, newest first, and the import dialog. `/contacts/imports?new=1` opens the dialog at once
 * (the campaign wizard links here); `&connectionId=` preselects the connection.
 */
export function ImportsPage() {
  const list = useLoad(async () => /** @type {ImportResult[]} */ ((await api('GET', '/api/contacts/imports?limit=50')).items));
  const query = route.value.query;
  const [open, setOpen] = useState(query.get('new') === '1');
  const locked = isRestricted();
  const items = list.data ?? [];

  let body;
  if (list.loading && !list.data) body = html`<${Loading} />`;
  else if (list.error && !list.data) body = html`<${LoadError} error=${list.error} onRetry=${list.reload} />`;
  else if (!items.length) {
    body = html`<${EmptyState} icon="file" title=${t('ct.emptyImports')} body=${t('ct.emptyImportsBody')}>
      <button type="button" class="btn btn-primary" disabled=${locked} title=${readOnlyTitle()} onClick=${() => setOpen(true)}><${Icon} name="plus" />${t('ct.import')}</button>
    <//>`;
  } else {
    body = html`<table class="table" data-testid="imports-table">
      <thead><tr><th>${t('ct.colFile')}</th><th>${t('ct.colDate')}</th><th>${t('ct.colResult')}</th></tr></thead>
      <tbody>${items.map((r) => html`<tr key=${r.id} data-testid="import-row">
        <td><strong>${r.filename ?? `#${r.id}`}</strong><div class="muted small">${t('ci.total')}: ${number(r.counts.totalRows)}</div></td>
        <td class="nowrap">${dateTime(r.createdAt)}</td>
        <td>${t('ct.resultLine', { imported: number(r.counts.imported), merged: number(r.counts.merged), invalid: number(r.counts.invalid) })}</td>
      </tr>`)}</tbody>
    </table>`;
  }
  return html`<section class="page" data-testid="page-imports">
    <${ContactsTabs} active="imports" />
    <${PageHead} title=${t('ct.importsTitle')} subtitle=${t('ct.importsSubtitle')}>
      <button type="button" class="btn btn-primary" disabled=${locked} title=${readOnlyTitle()} onClick=${() => setOpen(true)} data-testid="import-open">
        <${Icon} name="plus" />${t('ct.import')}</button>
    <//>
    <div class="card card-table">${body}</div>
    ${open && html`<${ContactImportDialog} connectionId=${query.get('connectionId') ?? undefined} onClose=${() => setOpen(false)}
      onImported=${(/** @type {ImportResult} */ r) => list.setData([r, ...items])} />`}
  </section>`;
}
