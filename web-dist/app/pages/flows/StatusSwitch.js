import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { Modal } from '../../components/Modal.js';
import { toast } from '../../components/Toast.js';
import { api } from '../../lib/api.js';
import { errorText } from '../../lib/errors.js';
import { t } from '../../lib/i18n.js';

/** @param {Event} e */
const valueOf = (e) => /** @type {HTMLInputElement} */ (e.currentTarget).value;

/**
 * Off / test (only for one test phone) / live. Test and live run the published version; live needs one.
 * @param {{ flow: import('./types.js').Flow, readOnly?: boolean, onChanged: (f: import('./types.js').Flow) => void }} props
 */
export function StatusSwitch({ flow, readOnly, onChanged }) {
  const [asking, setAsking] = useState(false);
  const [testPhone, setTestPhone] = useState(flow.testPhone ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(/** @type {string | null} */ (null));
  /** @param {'off'|'test'|'live'} status @param {string} [phone] */
  const set = async (status, phone) => {
    setBusy(true);
    setError(null);
    try {
      const f = await api('POST', `/api/flows/${flow.id}/status`, phone ? { status, testPhone: phone } : { status });
      onChanged(f.flow ?? f);
      setAsking(false);
      toast(t(/** @type {any} */ (`flows.status.changed.${status}`)), 'success');
    } catch (err) {
      if (asking) setError(errorText(err));
      else toast(errorText(err), 'error');
    } finally {
      setBusy(false);
    }
  };
  const unpublished = !flow.publishedVersion;
  return html`<div class="seg flow-status" role="radiogroup" aria-label=${t('flows.status.label')} data-testid="flow-status" data-status=${flow.status}>
    ${(/** @type {const} */ (['off', 'test', 'live'])).map((s) => html`<button type="button" role="radio" aria-checked=${flow.status === s}
      class=${`${flow.status === s ? 'seg-on' : ''} seg-${s}`} disabled=${readOnly || busy || (s !== 'off' && unpublished)}
      title=${s !== 'off' && unpublished ? t('flows.status.needsPublish') : t(/** @type {any} */ (`flows.status.${s}.hint`))}
      onClick=${() => (s === 'test' ? setAsking(true) : flow.status !== s && set(s))} data-testid=${`status-${s}`}>
      <span class="seg-dot"></span>${t(/** @type {any} */ (`flows.status.${s}`))}${s === 'test' && flow.status === 'test' && flow.testPhone ? ` · ${flow.testPhone}` : ''}</button>`)}
    ${asking && html`<${Modal} title=${t('flows.status.testTitle')} onClose=${() => setAsking(false)} testid="test-phone-dialog">
      <form novalidate onSubmit=${(/** @type {Event} */ e) => { e.preventDefault(); const p = testPhone.replace(/\D/g, ''); if (p.length >= 10) void set('test', p); else setError(t('flows.status.badPhone')); }}>
        ${error && html`<p class="form-error" role="alert">${error}</p>`}
        <p class="muted">${t('flows.status.testBody')}</p>
        <label class="field"><span>${t('flows.status.testPhone')}</span>
          <input type="text" inputmode="tel" value=${testPhone} placeholder="5511999998888" onInput=${(/** @type {Event} */ e) => setTestPhone(valueOf(e))} data-testid="test-phone" /></label>
        <div class="form-actions">
          <button type="button" class="btn" onClick=${() => setAsking(false)}>${t('common.cancel')}</button>
          <button type="submit" class="btn btn-primary" disabled=${busy} data-testid="test-phone-save">${t('flows.status.startTest')}</button>
        </div>
      </form>
    <//>`}
  </div>`;
}
