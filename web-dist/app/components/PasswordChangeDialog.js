import { html } from 'htm/preact';
import { useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../lib/api.js';
import { errorText } from '../lib/errors.js';
import { checkForm } from '../lib/forms.js';
import { t } from '../lib/i18n.js';
import { Modal } from './Modal.js';
import { toast } from './Toast.js';

/**
 * Anyone changes their own password (POST /api/auth/password): the current one, the new one twice.
 * The server ends every other session of the person and hands this browser a fresh cookie, so the
 * person stays logged in here. The rules (10+ characters) are checked in our words before sending.
 * @param {{ onClose: () => void }} props
 */
export function PasswordChangeDialog({ onClose }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [show, setShow] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(/** @type {string | null} */ (null));
  const currentRef = useRef(/** @type {HTMLInputElement | null} */ (null));
  const nextRef = useRef(/** @type {HTMLInputElement | null} */ (null));
  const againRef = useRef(/** @type {HTMLInputElement | null} */ (null));

  /** Marks one field as the problem and says why. @param {HTMLInputElement | null} field @param {string} message */
  const fail = (field, message) => {
    field?.setAttribute('aria-invalid', 'true');
    field?.focus();
    setError(message);
  };

  /** @param {Event} e */
  const submit = async (e) => {
    e.preventDefault();
    if (busy) return;
    const problem = checkForm(/** @type {HTMLFormElement} */ (e.currentTarget));
    if (problem) return setError(problem);
    if (next !== again) return fail(againRef.current, t('account.mismatch'));
    if (next === current) return fail(nextRef.current, t('account.sameAsCurrent'));
    setBusy(true);
    setError(null);
    try {
      await api('POST', '/api/auth/password', { currentPassword: current, newPassword: next });
      toast(t('account.passwordChanged'), 'success');
      onClose();
    } catch (err) {
      if (err instanceof ApiError && err.code === 'wrong_password') fail(currentRef.current, t('error.wrong_password'));
      else setError(errorText(err));
      setBusy(false);
    }
  };

  const type = show ? 'text' : 'password';
  return html`<${Modal} title=${t('account.passwordTitle')} onClose=${onClose} testid="change-password-dialog">
    <form novalidate onSubmit=${submit} data-testid="change-password-form">
      <p class="muted confirm-body">${t('account.passwordIntro')}</p>
      <label class="field"><span>${t('account.currentPassword')}</span>
        <input type=${type} name="currentPassword" ref=${currentRef} required maxlength="200" autocomplete="current-password" value=${current}
          onInput=${(/** @type {any} */ e) => setCurrent(e.currentTarget.value)} /></label>
      <label class="field"><span>${t('account.newPassword')}</span>
        <input type=${type} name="newPassword" ref=${nextRef} required minlength="10" maxlength="200" autocomplete="new-password" value=${next}
          aria-describedby="new-password-hint" onInput=${(/** @type {any} */ e) => setNext(e.currentTarget.value)} />
        <small id="new-password-hint">${t('account.newPasswordHint')}</small></label>
      <label class="field"><span>${t('account.confirmPassword')}</span>
        <input type=${type} name="confirmPassword" ref=${againRef} required maxlength="200" autocomplete="new-password" value=${again}
          onInput=${(/** @type {any} */ e) => setAgain(e.currentTarget.value)} /></label>
      <label class="check-line"><input type="checkbox" checked=${show} onChange=${() => setShow(!show)} />${t('account.show')}</label>
      ${error && html`<p class="form-error" role="alert" data-testid="form-error">${error}</p>`}
      <div class="form-actions">
        <button type="button" class="btn" onClick=${onClose}>${t('common.cancel')}</button>
        <button type="submit" class="btn btn-primary" disabled=${busy} data-testid="change-password-save">
          ${busy && html`<span class="spinner spinner-sm"></span>`}${t('account.changePassword')}</button>
      </div>
    </form>
  <//>`;
}
