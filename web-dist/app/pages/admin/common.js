import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { Icon } from '../../components/Icon.js';
import { Modal } from '../../components/Modal.js';
import { toast } from '../../components/Toast.js';
import { errorText } from '../../lib/errors.js';
import { checkForm } from '../../lib/forms.js';
import { t } from '../../lib/i18n.js';
import { isRestricted } from '../../state/license.js';

/**
 * Shared parts of the admin console: page heading, loading/empty/error states, confirm dialog,
 * copyable fields and the read-only rule for change buttons.
 */

/** The tooltip of a change button while the license is restricted (undefined otherwise). */
export const readOnlyTitle = () => (isRestricted() ? t('admin.readOnly') : undefined);

/**
 * The title row of an admin page.
 * @param {{ title: string, subtitle?: string, children?: any }} props
 */
export function PageHead({ title, subtitle, children }) {
  return html`<header class="page-head">
    <div><h1>${title}</h1>${subtitle && html`<p>${subtitle}</p>`}</div>
    ${children && html`<div class="page-head-actions">${children}</div>`}
  </header>`;
}

/** A spinner with a label, for the first load of a list. */
export function Loading() {
  return html`<div class="admin-loading" role="status" aria-busy="true"><span class="spinner"></span>${t('common.loading')}</div>`;
}

/**
 * A failed load, with a way to try again.
 * @param {{ error: unknown, onRetry: () => void }} props
 */
export function LoadError({ error, onRetry }) {
  return html`<div class="admin-empty" role="alert">
    <span class="admin-empty-icon admin-empty-icon-error"><${Icon} name="alert" size=${24} /></span>
    <h2>${t('admin.loadFailed')}</h2>
    <p>${errorText(error)}</p>
    <button type="button" class="btn" onClick=${onRetry}><${Icon} name="refresh" />${t('common.retry')}</button>
  </div>`;
}

/**
 * What a list shows before it has anything in it.
 * @param {{ icon: import('../../components/Icon.js').IconName, title: string, body?: string, children?: any }} props
 */
export function EmptyState({ icon, title, body, children }) {
  return html`<div class="admin-empty">
    <span class="admin-empty-icon"><${Icon} name=${icon} size=${24} /></span>
    <h2>${title}</h2>
    ${body && html`<p>${body}</p>`}
    ${children}
  </div>`;
}

/**
 * "Are you sure?": runs `onConfirm`, shows its error in the dialog, closes on success.
 * @param {{ title: string, body: any, confirmLabel: string, danger?: boolean, onConfirm: () => Promise<void>, onClose: () => void, testid?: string }} props
 */
export function ConfirmDialog({ title, body, confirmLabel, danger, onConfirm, onClose, testid }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(/** @type {string | null} */ (null));
  const go = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      onClose();
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };
  return html`<${Modal} title=${title} onClose=${onClose} testid=${testid ?? 'confirm-dialog'}>
    ${error && html`<p class="form-error" role="alert">${error}</p>`}
    <div class="confirm-body">${body}</div>
    <div class="form-actions">
      <button type="button" class="btn" onClick=${onClose}>${t('common.cancel')}</button>
      <button type="button" class=${`btn ${danger ? 'btn-danger-solid' : 'btn-primary'}`} disabled=${busy} onClick=${go} data-testid="confirm">
        ${busy && html`<span class="spinner spinner-sm"></span>`}${confirmLabel}</button>
    </div>
  <//>`;
}

/**
 * Copies text to the clipboard; falls back to selecting an input (plain-HTTP pages have no clipboard API).
 * @param {string} text
 * @param {HTMLInputElement | null} [input]
 */
export async function copyText(text, input) {
  try {
    if (!navigator.clipboard) throw new Error('no clipboard');
    await navigator.clipboard.writeText(text);
  } catch {
    if (!input) return toast(t('admin.copyFailed'), 'error');
    input.focus();
    input.select();
    if (!document.execCommand('copy')) return toast(t('admin.copyFailed'), 'error');
  }
  toast(t('common.copied'), 'success');
}

/**
 * A read-only value with a copy button (webhook URL, verify token).
 * @param {{ label: string, value: string, hint?: any, testid?: string }} props
 */
export function CopyField({ label, value, hint, testid }) {
  const ref = useRef(/** @type {HTMLInputElement | null} */ (null));
  return html`<label class="field">
    <span>${label}</span>
    <div class="copy-field">
      <input type="text" readonly value=${value} ref=${ref} data-testid=${testid} onFocus=${(/** @type {FocusEvent} */ e) => /** @type {HTMLInputElement} */ (e.currentTarget).select()} />
      <button type="button" class="btn" onClick=${() => copyText(value, ref.current)} data-testid=${testid ? `${testid}-copy` : undefined}>${t('common.copy')}</button>
    </div>
    ${hint && html`<small>${hint}</small>`}
  </label>`;
}

/** A random secret for the verify token: 32 URL-safe characters. */
export function randomToken() {
  const bytes = new Uint8Array(24);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * A password strong enough for the server's rule (10+ characters), readable enough to dictate.
 * @returns {string}
 */
export function randomPassword() {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = new Uint8Array(14);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

/**
 * Runs a load on mount (and when `deps` change), keeping data, error and loading together.
 * @template T
 * @param {() => Promise<T>} load
 * @param {unknown[]} [deps]
 * @returns {{ data: T | null, error: unknown, loading: boolean, reload: () => Promise<void>, setData: (v: T | null) => void }}
 */
export function useLoad(load, deps = []) {
  const [data, setData] = useState(/** @type {T | null} */ (null));
  const [error, setError] = useState(/** @type {unknown} */ (null));
  const [loading, setLoading] = useState(true);
  const seq = useRef(0);
  const reload = async () => {
    const mine = ++seq.current;
    setLoading(true);
    try {
      const v = await load();
      if (mine !== seq.current) return;
      setData(v);
      setError(null);
    } catch (err) {
      if (mine !== seq.current) return;
      setError(err);
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  };
  useEffect(() => { void reload(); }, deps);
  return { data, error, loading, reload, setData };
}

/**
 * A submit handler for dialogs: busy flag, error text, no double submits. Submitted from a form (which
 * carries `novalidate`), the fields are checked first and the first problem is said in our words
 * (lib/forms.js) instead of the browser's.
 * @param {() => Promise<void>} run
 */
export function useSubmit(run) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(/** @type {string | null} */ (null));
  /** @param {Event} [e] */
  const submit = async (e) => {
    e?.preventDefault();
    if (busy) return;
    const form = e?.currentTarget;
    if (form instanceof HTMLFormElement) {
      const problem = checkForm(form);
      setError(problem);
      if (problem) return;
    }
    setBusy(true);
    setError(null);
    try {
      await run();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, submit };
}

/**
 * "4 of 20 on your plan" under a page title, from GET /license's usage; nothing when unknown or unlimited.
 * @param {{ usage: { used: number, limit: number | null } | null | undefined, label: (p: { used: number, limit: number }) => string }} props
 */
export function PlanUsage({ usage, label }) {
  if (!usage || usage.limit === null) return null;
  const level = usage.used > usage.limit ? 'badge-red' : usage.used >= usage.limit * 0.8 ? 'badge-amber' : '';
  return html`<a href="/admin/license" class=${`badge plan-usage ${level}`} data-testid="plan-usage">${label({ used: usage.used, limit: usage.limit })}</a>`;
}

/**
 * The value of an input/select/textarea from its event.
 * @param {Event} e
 */
export const valueOf = (e) => /** @type {HTMLInputElement} */ (e.currentTarget).value;
