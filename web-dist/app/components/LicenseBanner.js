import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { duration } from '../lib/format.js';
import { t, tDynamic } from '../lib/i18n.js';
import { license } from '../state/license.js';
import { isAdmin } from '../state/session.js';
import { Icon } from './Icon.js';

/** @param {string | null} reason */
export const reasonText = (reason) => (reason ? tDynamic(`license.reason.${reason}`) : '');

/**
 * The vendor's own words for a suspension or revocation, quoted and marked as theirs (plain text: Preact
 * escapes it). Nothing when the vendor gave none.
 * @param {{ text: string | null | undefined }} props
 */
export const VendorReason = ({ text }) =>
  text ? html` <span class="license-vendor-reason" data-testid="license-vendor-reason">${t('license.vendorReason', { text })}</span>` : null;

/**
 * The license state on every page: nothing when active; a notice for warning; the grace countdown;
 * read-only with why (the vendor's own reason too, when it gave one) and what to do when restricted.
 */
export function LicenseBanner() {
  const l = license.value;
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (l.state !== 'grace') return;
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, [l.state]);
  if (l.state === 'active') return null;
  const reason = reasonText(l.reason);
  const link = isAdmin() ? html` <a href="/admin/license">${t('license.open')}</a>` : null;
  if (l.state === 'warning') {
    return html`<div class="banner banner-warning" role="status" data-testid="license-banner" data-state="warning">
      <${Icon} name="info" /> <span>${t('license.warning', { reason })}${link}</span></div>`;
  }
  if (l.state === 'grace') {
    const left = l.graceEndsAt ? (new Date(l.graceEndsAt).getTime() - now) / 1000 : 0;
    return html`<div class="banner banner-grace" role="alert" data-testid="license-banner" data-state="grace">
      <${Icon} name="clock" /> <span>${t('license.grace', { reason, time: duration(left) })}${link}</span></div>`;
  }
  return html`<div class="banner banner-restricted" role="alert" data-testid="license-banner" data-state="restricted">
    <${Icon} name="lock" />
    <span><strong>${t('license.restricted', { reason })}</strong><${VendorReason} text=${l.vendorReason} /> ${isAdmin() ? link : t('license.restrictedAction')}</span></div>`;
}
