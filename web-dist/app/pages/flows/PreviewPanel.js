import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../../lib/api.js';
import { errorText } from '../../lib/errors.js';
import { t } from '../../lib/i18n.js';

/**
 * @typedef {{ from: 'bot' | 'me', text: string, options?: { id: string, title: string, description?: string }[], kind?: string }} Line
 */

/**
 * A chat that walks the DRAFT on the server (POST /api/flows/:id/preview) without sending anything to
 * Meta: what the customer would see, buttons included. Starts over on demand; the state between turns
 * is the server's, handed back each time.
 * @param {{ flowId: string, beforeRun: () => Promise<void> }} props
 */
export function PreviewPanel({ flowId, beforeRun }) {
  const [lines, setLines] = useState(/** @type {Line[]} */ ([]));
  const [state, setState] = useState(/** @type {unknown} */ (undefined));
  const [ended, setEnded] = useState(false);
  const [busy, setBusy] = useState(false);
  const [unavailable, setUnavailable] = useState(false);
  const [error, setError] = useState(/** @type {string | null} */ (null));
  const [text, setText] = useState('');
  const [waiting, setWaiting] = useState(false);
  const end = useRef(/** @type {HTMLDivElement | null} */ (null));
  useEffect(() => { end.current?.scrollIntoView?.({ block: 'end' }); }, [lines.length]);

  /** @param {{ text?: string, optionId?: string, timeout?: true } | undefined} input @param {unknown} from @param {string} [shown] */
  const send = async (input, from, shown) => {
    setBusy(true);
    setError(null);
    if (shown) setLines((l) => [...l, { from: 'me', text: shown }]);
    try {
      await beforeRun();
      const r = await api('POST', `/api/flows/${flowId}/preview`, { ...(from === undefined ? {} : { state: from }), ...(input ? { input } : {}) });
      setLines((l) => [...l, ...(r.replies ?? []).map((/** @type {any} */ x) => ({ from: /** @type {const} */ ('bot'), text: x.text, options: x.options, kind: x.kind }))]);
      setState(r.state);
      setEnded(!!r.ended);
      setWaiting(r.status === 'waiting_answer');
    } catch (err) {
      if (err instanceof ApiError && (err.status === 404 || err.status === 405 || err.status === 501)) setUnavailable(true);
      else setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const restart = () => { setLines([]); setState(undefined); setEnded(false); void send(undefined, undefined); };

  if (unavailable) {
    return html`<div class="fp" data-testid="preview-panel"><h3 class="fp-title">${t('flows.preview.title')}</h3>
      <div class="fp-unavailable" data-testid="preview-unavailable"><strong>${t('flows.preview.unavailable')}</strong><p class="muted small">${t('flows.preview.unavailableBody')}</p></div></div>`;
  }
  const last = [...lines].reverse().find((l) => l.from === 'bot');
  return html`<div class="fp fp-preview" data-testid="preview-panel">
    <div class="fp-title-row"><h3 class="fp-title">${t('flows.preview.title')}</h3>
      <button type="button" class="btn btn-sm" onClick=${restart} disabled=${busy} data-testid="preview-start">${lines.length ? t('flows.preview.restart') : t('flows.preview.start')}</button></div>
    <p class="muted small fs-lead">${t('flows.preview.lead')}</p>
    <div class="fpv-chat" data-testid="preview-chat">
      ${!lines.length && !busy && html`<p class="fp-empty">${t('flows.preview.empty')}</p>`}
      ${lines.map((l, i) => html`<div key=${i} class=${`fpv-msg fpv-${l.kind === 'note' ? 'note' : l.from}`} data-testid="preview-message" data-from=${l.from}>
        <div class="fpv-text">${l.text}</div>
        ${l.options?.length && html`<div class=${`fpv-options fpv-${l.kind ?? 'buttons'}`}>
          ${l.options.map((o) => html`<button type="button" key=${o.id} disabled=${busy || ended || l !== last}
            onClick=${() => send({ optionId: o.id }, state, o.title)} data-testid="preview-option">${l.kind === 'numbered' ? `${(l.options ?? []).indexOf(o) + 1}. ` : ''}${o.title}</button>`)}</div>`}
      </div>`)}
      ${busy && html`<div class="fpv-msg fpv-bot fpv-typing"><span></span><span></span><span></span></div>`}
      ${ended && html`<p class="fpv-ended" data-testid="preview-ended">${t('flows.preview.ended')}</p>`}
      <div ref=${end}></div>
    </div>
    ${error && html`<p class="form-error" role="alert">${error}</p>`}
    ${waiting && !ended && html`<button type="button" class="link-btn small fpv-timeout" disabled=${busy} onClick=${() => send({ timeout: true }, state, t('flows.preview.noReplyShown'))}
      data-testid="preview-timeout">${t('flows.preview.noReply')}</button>`}
    <form class="fpv-input" novalidate onSubmit=${(/** @type {Event} */ e) => {
      e.preventDefault();
      const v = text.trim();
      if (!v || busy) return;
      setText('');
      void send({ text: v }, state, v);
    }}>
      <input type="text" value=${text} placeholder=${t('flows.preview.placeholder')} disabled=${!lines.length || ended}
        onInput=${(/** @type {Event} */ e) => setText(/** @type {HTMLInputElement} */ (e.currentTarget).value)} data-testid="preview-input" />
      <button type="submit" class="btn btn-primary btn-sm" disabled=${busy || !text.trim() || ended}>${t('flows.preview.send')}</button>
    </form>
  </div>`;
}
