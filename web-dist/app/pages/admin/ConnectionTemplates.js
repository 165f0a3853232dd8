import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { Icon } from '../../components/Icon.js';
import { toast } from '../../components/Toast.js';
import { api } from '../../lib/api.js';
import { errorText } from '../../lib/errors.js';
import { dateTime } from '../../lib/format.js';
import { t, tDynamic } from '../../lib/i18n.js';
import { isRestricted } from '../../state/license.js';
import { LoadError, Loading, readOnlyTitle, useLoad } from './common.js';

/** @typedef {import('../inbox/TemplatePicker.js').Template} Template */

/** A word for Meta's value when we have one, else Meta's own. @param {string} key @param {string} raw */
const word = (key, raw) => { const s = tDynamic(key); return s === key ? raw : s; };

/** Meta's statuses, as a calm pill: approved green, waiting grey, refused or stopped red. @param {string} s */
const statusClass = (s) => (s === 'APPROVED' ? 'badge badge-green' : ['REJECTED', 'DISABLED', 'PAUSED', 'DELETED'].includes(s) ? 'badge badge-red' : 'badge');

/**
 * A WhatsApp number's message templates as the appliance last read them from Meta, with "Sincronizar"
 * to read them again now (they are also re-read periodically and on Meta's template webhooks).
 * @param {{ conn: { id: string, businessAccountId: string | null } }} props
 */
export function ConnectionTemplates({ conn }) {
  const list = useLoad(async () => /** @type {Template[]} */ ((await api('GET', `/api/templates?connectionId=${encodeURIComponent(conn.id)}`)).items), [conn.id]);
  const [syncing, setSyncing] = useState(false);
  const [error, setError] = useState(/** @type {string | null} */ (null));
  const items = (list.data ?? []).filter((x) => x.status !== 'DELETED');
  const synced = items.reduce((last, x) => (x.syncedAt && (!last || x.syncedAt > last) ? x.syncedAt : last), /** @type {string | null} */ (null));

  const sync = async () => {
    setSyncing(true);
    setError(null);
    try {
      const out = await api('POST', '/api/templates/sync', { connectionId: conn.id });
      const r = out.results[0];
      toast(t('conn.tpl.synced', { n: r?.templates ?? 0 }), 'success');
      await list.reload();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setSyncing(false);
    }
  };

  return html`<div class="card card-pad" data-testid="connection-templates">
    <div class="card-title-row">
      <h2 class="card-title">${t('conn.tpl.title')}</h2>
      <button type="button" class="btn btn-sm" data-testid="templates-sync" disabled=${syncing || isRestricted()} title=${readOnlyTitle()} onClick=${sync}>
        ${syncing ? html`<span class="spinner spinner-sm"></span>` : html`<${Icon} name="refresh" size=${14} />`}${t('conn.tpl.sync')}</button>
    </div>
    <p class="muted small">${conn.businessAccountId ? t('conn.tpl.hint') : t('conn.tpl.noWaba')}
      ${synced && html` <span data-testid="templates-synced-at">${t('conn.tpl.syncedAt', { when: dateTime(synced) })}</span>`}</p>
    ${error && html`<p class="form-error" role="alert" data-testid="templates-sync-error">${error}</p>`}
    ${list.loading && !list.data ? html`<${Loading} />`
      : list.error && !list.data ? html`<${LoadError} error=${list.error} onRetry=${list.reload} />`
      : items.length === 0 ? html`<p class="muted" data-testid="templates-empty">${t('conn.tpl.none')}</p>`
      : html`<table class="table conn-templates" data-testid="templates-table">
          <thead><tr><th>${t('conn.tpl.name')}</th><th>${t('conn.tpl.language')}</th><th>${t('conn.tpl.category')}</th><th>${t('conn.tpl.status')}</th></tr></thead>
          <tbody>${items.map((x) => html`<tr key=${x.id} data-testid="template-row" data-name=${x.name} data-status=${x.status}>
            <td class="mono">${x.name}</td>
            <td>${x.language}</td>
            <td>${word(`tpl.category.${x.category}`, x.category)}</td>
            <td><span class=${statusClass(x.status)}>${word(`conn.tpl.status.${x.status}`, x.status)}</span>
              ${x.quality && x.quality !== 'UNKNOWN' && html` <span class="muted small">${word(`conn.tpl.quality.${x.quality}`, x.quality)}</span>`}</td>
          </tr>`)}</tbody>
        </table>`}
  </div>`;
}
