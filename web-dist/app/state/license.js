import { signal } from '@preact/signals';

/**
 * @typedef {'active'|'warning'|'grace'|'restricted'} LicenseState
 * @typedef {{ state: LicenseState, reason: string | null, graceEndsAt: string | null, vendorReason?: string | null }} LicenseBrief
 */

/**
 * What the banners show. Every API answer carries X-Atendo-License headers, so this follows the
 * appliance without polling; the socket's `license:changed` asks for the full picture.
 * `vendorReason` is the vendor's own words for a suspension or revocation ("fatura em aberto").
 * @type {import('@preact/signals').Signal<LicenseBrief>}
 */
export const license = signal({ state: 'active', reason: null, graceEndsAt: null, vendorReason: null });

/** The header carries the vendor's text percent-encoded (headers are ASCII). @param {string | null} v */
function decodeReason(v) {
  if (!v) return null;
  try {
    return decodeURIComponent(v);
  } catch {
    return null;
  }
}

/** @param {LicenseBrief} next */
function setBrief(next) {
  const cur = license.value;
  const same = cur.state === next.state && cur.reason === next.reason && cur.graceEndsAt === next.graceEndsAt
    && (cur.vendorReason ?? null) === (next.vendorReason ?? null);
  if (!same) license.value = next;
}

/** @param {Headers} headers */
export function noteLicenseHeaders(headers) {
  const state = headers.get('x-atendo-license');
  if (!state) return;
  setBrief({
    state: /** @type {LicenseState} */ (state),
    reason: headers.get('x-atendo-license-reason'),
    graceEndsAt: headers.get('x-atendo-license-grace-ends'),
    vendorReason: decodeReason(headers.get('x-atendo-license-vendor-reason')),
  });
}

/**
 * The brief from a full GET /api/license answer.
 * @param {{ state: LicenseState, reason: string | null, graceEndsAt: string | null, vendorReason?: string | null }} l
 */
export function noteLicenseView(l) {
  setBrief({ state: l.state, reason: l.reason, graceEndsAt: l.graceEndsAt, vendorReason: l.vendorReason ?? null });
}

/** Read-only: the composer and every change button are disabled, with the reason shown. */
export const isRestricted = () => license.value.state === 'restricted';
