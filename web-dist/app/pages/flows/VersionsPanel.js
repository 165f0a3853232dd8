import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { toast } from '../../components/Toast.js';
import { api } from '../../lib/api.js';
import { errorText } from '../../lib/errors.js';
import { dateTime } from '../../lib/format.js';
import { t } from '../../lib/i18n.js';

/** @typedef {{ id: string, version: number, publishedAt: string, publishedBy: { id: string, name: string } | null, live: boolean }} Version */

/**
 * Published versions, newest first: who published when, which one runs, and "Restaurar" (rollback):
 * the chosen version runs again for new sessions (sessions in flight keep theirs).
 * @param {{ flowId: string, reloadKey: number, readOnly?: boolean, onRestored: (flow: import('./types.js').Flow) => void }} props
 */
export function VersionsPanel({ flowId, reloadKey, readOnly, onRestored }) {
  const [items, setItems] = useState(/** @type {Version[] | null} */ (null));
  const [error, setError] = useState(/** @type {string | null} */ (null));
  const [busy, setBusy] = useState(/** @type {string | null} */ (null));
  const load = () => api('GET', `/api/flows/${flowId}/versions`).then((r) => { setItems(r.items ?? []); setError(null); }, (e) => setError(errorText(e)));
  useEffect(() => { void load(); }, [flowId, reloadKey]);
  /** @param {Version} v */
  const restore = async (v) => {
    setBusy(v.id);
    try {
      const res = await api('POST', `/api/flows/${flowId}/rollback`, { versionId: v.id });
      toast(t('flows.versions.restored', { n: v.version }), 'success');
      onRestored(res.flow ?? res);
      await load();
    } catch (err) {
      toast(errorText(err), 'error');
    } finally {
      setBusy(null);
    }
  };
  return html`<div class="fp" data-testid="versions-panel">
    <h3 class="fp-title">${t('flows.versions.title')}</h3>
    <p class="muted small fs-lead">${t('flows.versions.lead')}</p>
    ${error && html`<p class="form-error" role="alert">${error}</p>`}
    ${!items && !error && html`<div class="fp-loading"><span class="spinner"></span></div>`}
    ${items && !items.length && html`<p class="fp-empty">${t('flows.versions.empty')}</p>`}
    ${items && items.length > 0 && html`<ol class="fv-list">
      ${items.map((v) => html`<li key=${v.id} class=${`fv ${v.live ? 'fv-live' : ''}`} data-testid="version-row" data-version=${v.version}>
        <span class="fv-dot" aria-hidden="true"></span>
        <div class="fv-main">
          <div class="fv-title"><strong>${t('flows.versions.version', { n: v.version })}</strong>
            ${v.live && html`<span class="badge badge-green">${t('flows.versions.current')}</span>`}</div>
          <div class="muted small">${t('flows.versions.by', { name: v.publishedBy?.name ?? t('flows.versions.someone'), when: dateTime(v.publishedAt) })}</div>
        </div>
        ${!v.live && !readOnly && html`<button type="button" class="btn btn-sm" disabled=${!!busy} onClick=${() => restore(v)} data-testid="version-restore">
          ${busy === v.id && html`<span class="spinner spinner-sm"></span>`}${t('flows.versions.restore')}</button>`}
      </li>`)}
    </ol>`}
  </div>`;
}
