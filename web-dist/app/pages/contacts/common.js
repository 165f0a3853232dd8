import { html } from 'htm/preact';
import { ApiError } from '../../lib/api.js';
import { t } from '../../lib/i18n.js';
import { noteLicenseHeaders } from '../../state/license.js';
import { isAdmin } from '../../state/session.js';

/** The tabs over the contacts area: opt-outs (supervisors and admins) and imports (admins). @param {{ active: 'optOuts' | 'imports' }} props */
export function ContactsTabs({ active }) {
  if (!isAdmin()) return null;
  return html`<nav class="seg ct-tabs" aria-label=${t('nav.contacts')}>
    <a href="/contacts" class=${`seg-link ${active === 'optOuts' ? 'seg-on' : ''}`} aria-current=${active === 'optOuts' ? 'page' : undefined} data-testid="tab-opt-outs">${t('ct.tabOptOuts')}</a>
    <a href="/contacts/imports" class=${`seg-link ${active === 'imports' ? 'seg-on' : ''}`} aria-current=${active === 'imports' ? 'page' : undefined} data-testid="tab-imports">${t('ct.tabImports')}</a>
  </nav>`;
}

/**
 * POSTs a file as the raw body (the CSV import and its preview take the file itself, like /api/uploads).
 * @param {string} path
 * @param {Blob} file
 * @returns {Promise<any>}
 */
export async function postFile(path, file) {
  /** @type {Response} */
  let res;
  try {
    res = await fetch(path, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'text/csv', accept: 'application/json' }, body: file });
  } catch {
    throw new ApiError(0, 'network', 'network error');
  }
  noteLicenseHeaders(res.headers);
  const data = await res.json().catch(() => null);
  if (res.ok) return data;
  const { code, message, ...details } = data?.error ?? { code: `http_${res.status}`, message: res.statusText };
  throw new ApiError(res.status, code, message, details);
}

/** @typedef {{ id: string, name: string, channel: 'whatsapp' | 'instagram', displayPhoneNumber?: string | null }} Connection */

/** WhatsApp connections, for the pickers. @param {any} list @returns {Connection[]} */
export const whatsAppConnections = (list) => (list?.items ?? []).filter((/** @type {Connection} */ c) => c.channel === 'whatsapp');
