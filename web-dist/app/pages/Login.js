import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { ApiError } from '../lib/api.js';
import { errorText } from '../lib/errors.js';
import { checkForm } from '../lib/forms.js';
import { LANGS, lang, setLang, t } from '../lib/i18n.js';
import { login, sessionExpired } from '../state/session.js';

export function Login() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  /** @param {SubmitEvent} e */
  const submit = async (e) => {
    e.preventDefault();
    const problem = checkForm(/** @type {HTMLFormElement} */ (e.currentTarget));
    setError(problem ?? '');
    if (problem) return;
    setBusy(true);
    try {
      await login(email.trim(), password);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'invalid_credentials') setError(t('login.failed'));
      else if (err instanceof ApiError && err.code === 'too_many_attempts') setError(t('login.rateLimited'));
      else setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return html`<main class="login-page">
    <form novalidate class="login-card" onSubmit=${submit} data-testid="login-form">
      <div class="brand brand-lg"><span class="brand-mark"></span>${t('app.name')}</div>
      <h1>${t('login.title')}</h1>
      <p class="muted">${t('login.subtitle')}</p>
      ${sessionExpired.value && html`<p class="notice notice-info" data-testid="session-expired">${t('login.expired')}</p>`}
      <label class="field"><span>${t('login.email')}</span>
        <input type="email" name="email" autocomplete="username" required value=${email}
          onInput=${(/** @type {any} */ e) => setEmail(e.currentTarget.value)} /></label>
      <label class="field"><span>${t('login.password')}</span>
        <input type="password" name="password" autocomplete="current-password" required value=${password}
          onInput=${(/** @type {any} */ e) => setPassword(e.currentTarget.value)} /></label>
      ${error && html`<p class="form-error" role="alert" data-testid="form-error">${error}</p>`}
      <button class="btn btn-primary btn-block" type="submit" disabled=${busy}>${t('login.submit')}</button>
      <div class="lang-switch">
        ${LANGS.map((l) => html`<button type="button" class=${`link-btn ${lang.value === l ? 'active' : ''}`} onClick=${() => setLang(l)}>${l === 'en' ? 'English' : 'Português'}</button>`)}
      </div>
    </form>
  </main>`;
}
