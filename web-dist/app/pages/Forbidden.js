import { html } from 'htm/preact';
import { Icon } from '../components/Icon.js';
import { t } from '../lib/i18n.js';

/** What an attendant sees on an admin address: not the page, and why. */
export function Forbidden() {
  return html`<section class="empty-page" data-testid="forbidden">
    <${Icon} name="lock" size=${40} />
    <h1>${t('forbidden.title')}</h1>
    <p>${t('forbidden.body')}</p>
    <a class="btn" href="/inbox">${t('nav.inbox')}</a>
  </section>`;
}

export function NotFound() {
  return html`<section class="empty-page"><h1>${t('notFound.title')}</h1><a class="btn" href="/inbox">${t('nav.inbox')}</a></section>`;
}
