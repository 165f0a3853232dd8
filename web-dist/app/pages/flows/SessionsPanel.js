import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../lib/api.js';
import { errorText } from '../../lib/errors.js';
import { dateTime, phone } from '../../lib/format.js';
import { t } from '../../lib/i18n.js';

/**
 * @typedef {{ id: string, conversationId: string, contact: { id: string, name: string | null, phone: string | null },
 *   version: number, status: string, reason: string | null, nodeId: string | null, startedAt: string, updatedAt: string, endedAt: string | null }} BotSession
 */

const FILTERS = ['running', 'handed_off', 'ended', 'failed'];

/**
 * The flow's sessions (conversations the bot is in or was in), by state, with a link to each conversation.
 * @param {{ flow: import('./types.js').Flow, nodeLabel: (id: string | null) => string }} props
 */
export function SessionsPanel({ flow, nodeLabel }) {
  const [status, setStatus] = useState('running');
  const [items, setItems] = useState(/** @type {BotSession[] | null} */ (null));
  const [cursor, setCursor] = useState(/** @type {string | null} */ (null));
  const [error, setError] = useState(/** @type {string | null} */ (null));
  /** @param {string | null} from */
  const load = async (from) => {
    try {
      const q = new URLSearchParams({ status });
      if (from) q.set('cursor', from);
      const r = await api('GET', `/api/flows/${flow.id}/sessions?${q}`);
      setItems((prev) => (from ? [...(prev ?? []), ...r.items] : r.items));
      setCursor(r.nextCursor ?? null);
      setError(null);
    } catch (err) {
      setError(errorText(err));
    }
  };
  useEffect(() => { setItems(null); void load(null); }, [flow.id, status]);
  const c = flow.sessionCounts ?? { running: 0, waiting: 0, handedOff: 0, ended: 0, failed: 0 };
  /** @type {Record<string, number>} */
  const counts = { running: c.running + c.waiting, handed_off: c.handedOff, ended: c.ended, failed: c.failed };
  return html`<div class="fp" data-testid="sessions-panel">
    <h3 class="fp-title">${t('flows.sessions.title')}</h3>
    <div class="fp-tabs" role="tablist">
      ${FILTERS.map((f) => html`<button type="button" role="tab" aria-selected=${status === f} class=${status === f ? 'on' : ''}
        onClick=${() => setStatus(f)} data-testid=${`sessions-${f}`}>${t(/** @type {any} */ (`flows.sessions.${f}`))}<span class="count">${counts[f] ?? 0}</span></button>`)}
    </div>
    ${error && html`<p class="form-error" role="alert">${error}</p>`}
    ${!items && !error && html`<div class="fp-loading"><span class="spinner"></span></div>`}
    ${items && !items.length && html`<p class="fp-empty">${t('flows.sessions.empty')}</p>`}
    ${items && items.length > 0 && html`<ul class="fss-list">
      ${items.map((s) => html`<li key=${s.id} data-testid="session-row">
        <a href=${`/inbox/${s.conversationId}`} class="fss-who">${s.contact?.name || phone(s.contact?.phone ?? '')}</a>
        <div class="muted small">${t('flows.sessions.at', { node: nodeLabel(s.nodeId), version: s.version })}</div>
        <div class="muted small">${dateTime(s.updatedAt)}${s.reason ? ` · ${s.reason}` : ''}</div>
      </li>`)}
    </ul>`}
    ${cursor && html`<button type="button" class="btn btn-sm btn-block" onClick=${() => load(cursor)}>${t('common.loadMore')}</button>`}
  </div>`;
}
