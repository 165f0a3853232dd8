import { signal } from '@preact/signals';

/**
 * @typedef {'active'|'warning'|'grace'|'restricted'} LicenseState
 * @typedef {{ state: LicenseState, reason: string | null, graceEndsAt: string | null }} LicenseBrief
 */

/**
 * What the banners show. Every API answer carries X-Atendo-License headers, so this follows the
 * appliance without polling; the socket's `license:changed` asks for the full picture.
 * @type {import('@preact/signals').Signal<LicenseBrief>}
 */
export const license = signal({ state: 'active', reason: null, graceEndsAt: null });

/** @param {Headers} headers */
export function noteLicenseHeaders(headers) {
  const state = headers.get('x-atendo-license');
  if (!state) return;
  const next = {
    state: /** @type {LicenseState} */ (state),
    reason: headers.get('x-atendo-license-reason'),
    graceEndsAt: headers.get('x-atendo-license-grace-ends'),
  };
  const cur = license.value;
  if (cur.state !== next.state || cur.reason !== next.reason || cur.graceEndsAt !== next.graceEndsAt) license.value = next;
}

/** Read-only: the composer and every change button are disabled, with the reason shown. */
export const isRestricted = () => license.value.state === 'restricted';
