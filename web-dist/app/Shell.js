import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { Icon } from './components/Icon.js';
import { LicenseBanner } from './components/LicenseBanner.js';
import { PasswordChangeDialog } from './components/PasswordChangeDialog.js';
import { LANGS, lang, setLang, t } from './lib/i18n.js';
import { initials } from './lib/format.js';
import { link } from './lib/realtime.js';
import { route } from './lib/router.js';
import { isAdmin, isSupervisorOrAdmin, logout, me } from './state/session.js';

/**
 * The frame around every logged-in page: navigation (a side rail on desktop, a bottom bar on phones),
 * the license banner and the live-link notice. Admin entries are only listed for those who may use them.
 * @param {{ children: any }} props
 */
/** Entries a phone's bottom bar shows before "Mais" (the account button takes the last place). */
const PHONE_BAR_ENTRIES = 4;

export function Shell({ children }) {
  const user = me.value;
  const path = route.value.path;
  const [menu, setMenu] = useState(false);
  const [passwordDialog, setPasswordDialog] = useState(false);
  const [more, setMore] = useState(false);
  useEffect(() => {
    if (!more) return;
    const close = () => setMore(false);
    document.addEventListener('click', close);
    return () => document.removeEventListener('click', close);
  }, [more]);
  // The account menu closes on a click anywhere else, or on Escape.
  useEffect(() => {
    if (!menu) return;
    /** @param {Event} e */
    const close = (e) => {
      if (e instanceof KeyboardEvent ? e.key === 'Escape' : !/** @type {HTMLElement} */ (e.target).closest?.('.rail-foot')) setMenu(false);
    };
    document.addEventListener('click', close);
    document.addEventListener('keydown', close);
    return () => {
      document.removeEventListener('click', close);
      document.removeEventListener('keydown', close);
    };
  }, [menu]);
  /** @type {{ href: string, icon: import('./components/Icon.js').IconName, label: string, short?: string, show: boolean, testid: string }[]} */
  const items = [
    { href: '/inbox', icon: 'inbox', label: t('nav.inbox'), show: true, testid: 'nav-inbox' },
    { href: '/schedules', icon: 'clock', label: t('nav.schedules'), show: true, testid: 'nav-schedules' },
    { href: '/flows', icon: 'flow', label: t('nav.flows'), show: isSupervisorOrAdmin(), testid: 'nav-flows' },
    { href: '/campaigns', icon: 'send', label: t('nav.campaigns'), show: isSupervisorOrAdmin(), testid: 'nav-campaigns' },
    { href: '/contacts', icon: 'user', label: t('nav.contacts'), show: isSupervisorOrAdmin(), testid: 'nav-contacts' },
    { href: '/admin/users', icon: 'users', label: t('nav.users'), show: isAdmin(), testid: 'nav-users' },
    { href: '/admin/teams', icon: 'team', label: t('nav.teams'), show: isAdmin(), testid: 'nav-teams' },
    { href: '/admin/connections', icon: 'plug', label: t('nav.connections'), show: isAdmin(), testid: 'nav-connections' },
    { href: '/admin/quick-replies', icon: 'bolt', label: t('nav.quickReplies'), short: t('nav.quickRepliesShort'), show: isSupervisorOrAdmin(), testid: 'nav-quick-replies' },
    { href: '/admin/business-hours', icon: 'clock', label: t('nav.businessHours'), short: t('nav.businessHoursShort'), show: isSupervisorOrAdmin(), testid: 'nav-business-hours' },
    { href: '/admin/license', icon: 'key', label: t('nav.license'), show: isAdmin(), testid: 'nav-license' },
  ];
  const visible = items.filter((i) => i.show);
  // A phone's bottom bar holds a few entries whole; the rest go under "Mais".
  const overflow = visible.length > PHONE_BAR_ENTRIES + 1;
  const moreActive = overflow && visible.slice(PHONE_BAR_ENTRIES).some((i) => path.startsWith(i.href));
  return html`<div class="shell">
    <nav class="rail" aria-label=${t('nav.menu')}>
      <a class="brand" href="/inbox"><span class="brand-mark"></span><span class="brand-name">${t('app.name')}</span></a>
      <ul class="rail-items">
        ${visible.map((i, n) => html`<li key=${i.href} class=${n >= PHONE_BAR_ENTRIES && overflow ? 'nav-overflow' : undefined}>
          <a href=${i.href} class=${path.startsWith(i.href) ? 'active' : ''} data-testid=${i.testid} aria-current=${path.startsWith(i.href) ? 'page' : undefined}>
            <${Icon} name=${i.icon} size=${20} /><span class=${i.short ? 'nav-long' : undefined}>${i.label}</span>${i.short && html`<span class="nav-short">${i.short}</span>`}</a></li>`)}
        ${overflow && html`<li class="nav-more only-phone">
          <button type="button" class=${moreActive ? 'active' : ''} aria-expanded=${more} onClick=${(/** @type {Event} */ e) => { e.stopPropagation(); setMore(!more); }} data-testid="nav-more">
            <${Icon} name="menu" size=${20} /><span>${t('nav.more')}</span></button>
          ${more && html`<div class="more-menu" role="menu" data-testid="nav-more-menu">
            ${visible.slice(PHONE_BAR_ENTRIES).map((i) => html`<a key=${i.href} role="menuitem" href=${i.href} class=${path.startsWith(i.href) ? 'active' : ''} onClick=${() => setMore(false)}
              data-testid=${`more-${i.testid}`}><${Icon} name=${i.icon} size=${18} />${i.label}</a>`)}
          </div>`}
        </li>`}
      </ul>
      <div class="rail-foot">
        <button type="button" class="account-btn" onClick=${() => setMenu(!menu)} aria-expanded=${menu} data-testid="account-menu">
          <span class="avatar avatar-sm">${initials(user?.name)}</span>
          <span class="account-name"><strong>${user?.name}</strong><small>${user && t(`role.${user.role}`)}</small></span>
        </button>
        ${menu && html`<div class="account-menu" role="menu">
          <div class="menu-label">${t('nav.language')}</div>
          ${LANGS.map((l) => html`<button type="button" role="menuitemradio" aria-checked=${lang.value === l} class=${lang.value === l ? 'active' : ''}
            onClick=${() => { setLang(l); setMenu(false); }}><${Icon} name="globe" />${l === 'en' ? 'English' : 'Português (Brasil)'}</button>`)}
          <hr />
          <button type="button" role="menuitem" onClick=${() => { setMenu(false); setPasswordDialog(true); }} data-testid="change-password">
            <${Icon} name="lock" />${t('account.changePassword')}</button>
          <button type="button" role="menuitem" onClick=${() => logout()} data-testid="logout"><${Icon} name="logout" />${t('nav.logout')}</button>
        </div>`}
      </div>
    </nav>
    <div class="main">
      <${LicenseBanner} />
      ${link.value === 'offline' && html`<div class="banner banner-offline" role="status" data-testid="offline"><${Icon} name="refresh" /> ${t('link.offline')}</div>`}
      ${children}
    </div>
    ${passwordDialog && html`<${PasswordChangeDialog} onClose=${() => setPasswordDialog(false)} />`}
  </div>`;
}
