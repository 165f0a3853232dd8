import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { Icon } from '../../components/Icon.js';
import { reasonText } from '../../components/LicenseBanner.js';
import { toast } from '../../components/Toast.js';
import { api } from '../../lib/api.js';
import { errorText } from '../../lib/errors.js';
import { dateTime, duration, number } from '../../lib/format.js';
import { hasKey, lang, t, tDynamic } from '../../lib/i18n.js';
import { on } from '../../lib/realtime.js';
import { noteLicenseView } from '../../state/license.js';
import { LoadError, Loading, PageHead, useLoad } from './common.js';

/**
 * @typedef {{ used: number, limit: number | null, over: boolean }} UsageLine
 * @typedef {'users'|'connections'|'messagesThisMonth'|'campaignsThisMonth'} UsageKey
 * @typedef {{
 *   state: 'active'|'warning'|'grace'|'restricted', reason: string | null, vendorReason: string | null, activated: boolean, now: string,
 *   graceEndsAt: string | null, graceSecondsLeft: number | null, installationId: string | null,
 *   client: { id: string, name: string } | null,
 *   plan: { code: string, name: string, version: number, limits: Record<string, number>, features: Record<string, boolean> } | null,
 *   usage: Record<UsageKey, UsageLine> | null,
 *   licenseExpiresAt: string | null, leaseNotAfter: string | null, boundIp: string | null,
 *   lastHeartbeatAt: string | null, lastAttemptAt: string | null, lastError: { code: string, message: string | null } | null,
 *   nextHeartbeatAt: string | null,
 * }} LicenseView
 */

/** @type {UsageKey[]} */
const USAGE_KEYS = ['users', 'connections', 'messagesThisMonth', 'campaignsThisMonth'];
const FEATURES = ['instagram', 'chatbot', 'campaigns', 'api'];
/** Restrictions the vendor can lift; the appliance then checks every minute and recovers by itself. */
const RECOVERABLE = new Set(['license_suspended', 'license_expired', 'ip_mismatch']);

/** @param {LicenseView['state']} state */
const stateBadge = (state) => ({ active: 'badge-green', warning: 'badge-amber', grace: 'badge-amber', restricted: 'badge-red' })[state] ?? '';

/**
 * The license as the appliance holds it: state and why, plan and client, each limit against this
 * month's use, features, the dates that matter, and the heartbeat with the license service.
 */
export function LicensePage() {
  const lic = useLoad(async () => /** @type {LicenseView} */ (await api('GET', '/api/license')));
  const [checking, setChecking] = useState(false);

  // The appliance says when the license changes; the picture here follows.
  useEffect(() => {
    const offs = [on('license:changed', () => void lic.reload()), on('resync', () => void lic.reload())];
    return () => offs.forEach((off) => off());
  }, []);

  const checkNow = async () => {
    setChecking(true);
    try {
      /** @type {LicenseView} */
      const next = await api('POST', '/api/license/refresh');
      lic.setData(next);
      noteLicenseView(next);
      if (next.lastError && next.lastAttemptAt && (!next.lastHeartbeatAt || next.lastAttemptAt > next.lastHeartbeatAt)) {
        toast(t('lic.checkFailed', { error: errorLine(next.lastError) }), 'error');
      } else if (next.state !== 'active') {
        toast(t('lic.checkedState', { state: tDynamic(`lic.state.${next.state}`) }), 'info');
      } else toast(t('lic.checked'), 'success');
    } catch (err) {
      toast(errorText(err), 'error');
    } finally {
      setChecking(false);
    }
  };

  const l = lic.data;
  const head = html`<${PageHead} title=${t('nav.license')} subtitle=${t('lic.subtitle')}>
    <button type="button" class="btn" onClick=${checkNow} disabled=${checking || !l} data-testid="license-refresh">
      ${checking ? html`<span class="spinner spinner-sm"></span>` : html`<${Icon} name="refresh" />`}${t('lic.checkNow')}</button>
  <//>`;

  if (!l) {
    return html`<section class="page" data-testid="page-license">${head}
      <div class="card">${lic.error ? html`<${LoadError} error=${lic.error} onRetry=${lic.reload} />` : html`<${Loading} />`}</div>
    </section>`;
  }

  return html`<section class="page page-narrow" data-testid="page-license" data-state=${l.state}>
    ${head}
    <div class=${`card card-pad license-state license-state-${l.state}`} data-testid="license-state">
      <div class="license-state-main">
        <span class=${`license-state-icon license-state-icon-${l.state}`}><${Icon} name=${l.state === 'active' ? 'check' : l.state === 'restricted' ? 'lock' : 'alert'} size=${22} /></span>
        <div>
          <div class="license-state-title">
            <span class=${`badge ${stateBadge(l.state)}`} data-testid="license-state-badge">${tDynamic(`lic.state.${l.state}`)}</span>
            ${l.plan && html`<strong>${t('lic.planName', { name: l.plan.name })}</strong>`}
          </div>
          <p class="license-state-text">${stateSentence(l)}</p>
          ${l.vendorReason && html`<p class="license-state-text" data-testid="license-page-vendor-reason">
            <strong>${t('lic.vendorReason')}:</strong> “${l.vendorReason}”</p>`}
          ${l.state === 'restricted' && RECOVERABLE.has(l.reason ?? '') && html`<p class="license-state-text muted small" data-testid="license-lifts-by-itself">${t('lic.liftsByItself')}</p>`}
        </div>
      </div>
      ${l.state === 'grace' && l.graceSecondsLeft !== null && html`<div class="license-countdown">
        <small>${t('lic.readOnlyIn')}</small><strong>${duration(l.graceSecondsLeft)}</strong></div>`}
    </div>

    ${!l.activated || !l.plan
      ? html`<div class="card card-pad"><div class="notice notice-warning">${t('lic.notActivated')}</div>
          <dl class="kv">${kvRows(l)}</dl></div>`
      : html`<div class="grid-2 license-grid">
      <div class="card card-pad">
        <h2 class="card-title">${t('lic.usage')}</h2>
        <p class="muted small card-sub">${t('lic.usageHint')}</p>
        ${USAGE_KEYS.map((key) => l.usage && html`<${UsageRow} key=${key} name=${key} line=${l.usage[key]} />`)}
        ${!l.usage && html`<p class="muted">${t('lic.noUsage')}</p>`}
      </div>
      <div class="card card-pad">
        <h2 class="card-title">${t('lic.plan')}</h2>
        <dl class="kv">
          <dt>${t('lic.client')}</dt><dd>${l.client?.name ?? '—'}</dd>
          <dt>${t('lic.planLabel')}</dt><dd>${l.plan.name} <span class="muted small">(${l.plan.code} · v${l.plan.version})</span></dd>
        </dl>
        <h3 class="card-subtitle">${t('lic.features')}</h3>
        <ul class="feature-list" data-testid="license-features">
          ${featureNames(l.plan.features).map((f) => {
            const on = !!l.plan?.features[f];
            return html`<li key=${f} class=${on ? 'feature-on' : 'feature-off'} data-feature=${f} data-enabled=${String(on)}>
              <${Icon} name=${on ? 'check' : 'x'} size=${16} /><span>${tDynamic(`lic.feature.${f}`)}</span>
              <span class=${`badge ${on ? 'badge-green' : ''}`}>${on ? t('lic.included') : t('lic.notIncluded')}</span></li>`;
          })}
        </ul>
      </div>
    </div>
    <div class="card card-pad">
      <h2 class="card-title">${t('lic.validity')}</h2>
      <dl class="kv kv-wide">${kvRows(l)}</dl>
    </div>`}
  </section>`;
}

/** The known features first, in a fixed order, then any the plan has that this page does not know yet. @param {Record<string, boolean>} features */
const featureNames = (features) => [...FEATURES.filter((f) => f in features), ...Object.keys(features).filter((f) => !FEATURES.includes(f))];

/**
 * The service's refusal in the person's language when we know its code (the definitive ones are license
 * reasons), else the service's own words; the code always shows, for support.
 * @param {{ code: string, message: string | null }} e
 */
const errorLine = (e) => {
  const known = hasKey(`license.reason.${e.code}`) ? tDynamic(`license.reason.${e.code}`) : hasKey(`error.${e.code}`) ? tDynamic(`error.${e.code}`) : null;
  const text = known ? known.charAt(0).toUpperCase() + known.slice(1) : e.message;
  return text ? `${text} (${e.code})` : e.code;
};

/** One sentence on where the license stands and what to do. @param {LicenseView} l */
function stateSentence(l) {
  const reason = reasonText(l.reason);
  if (l.state === 'active') return t('lic.sentence.active');
  if (l.state === 'warning') return t('lic.sentence.warning', { reason });
  if (l.state === 'grace') return t('lic.sentence.grace', { reason, time: dateTime(l.graceEndsAt) });
  return t('lic.sentence.restricted', { reason });
}

/**
 * The dates and heartbeat facts, as definition-list rows.
 * @param {LicenseView} l
 */
function kvRows(l) {
  const soon = (/** @type {string | null} */ iso, days = 15) => !!iso && new Date(iso).getTime() - Date.now() < days * 86_400_000;
  return html`
    <dt>${t('lic.expires')}</dt>
    <dd data-testid="license-expires"><span class=${soon(l.licenseExpiresAt) ? 'text-warn' : ''}>${dateTime(l.licenseExpiresAt)}</span>
      ${l.licenseExpiresAt && html` <span class="muted small">${relative(l.licenseExpiresAt)}</span>`}</dd>
    <dt>${t('lic.leaseUntil')}</dt>
    <dd>${dateTime(l.leaseNotAfter)} <span class="muted small">${t('lic.leaseHint')}</span></dd>
    ${l.graceEndsAt && html`<dt>${t('lic.graceEnds')}</dt><dd class="text-warn">${dateTime(l.graceEndsAt)}</dd>`}
    <dt>${t('lic.lastHeartbeat')}</dt>
    <dd data-testid="license-last-heartbeat">${dateTime(l.lastHeartbeatAt)}${l.lastHeartbeatAt && html` <span class="muted small">${relative(l.lastHeartbeatAt)}</span>`}</dd>
    ${l.lastAttemptAt && (!l.lastHeartbeatAt || Date.parse(l.lastAttemptAt) - Date.parse(l.lastHeartbeatAt) > 60_000) && html`<dt>${t('lic.lastAttempt')}</dt><dd>${dateTime(l.lastAttemptAt)}</dd>`}
    <dt>${t('lic.nextHeartbeat')}</dt>
    <dd>${dateTime(l.nextHeartbeatAt)}</dd>
    <dt>${t('lic.lastError')}</dt>
    <dd data-testid="license-last-error">${l.lastError ? html`<span class="text-bad">${errorLine(l.lastError)}</span>` : html`<span class="muted">${t('lic.noError')}</span>`}</dd>
    <dt>${t('lic.boundIp')}</dt>
    <dd class="mono">${l.boundIp ?? '—'}</dd>
    <dt>${t('lic.installation')}</dt>
    <dd class="mono small">${l.installationId ?? '—'}</dd>`;
}

/** "in 3 days" / "2 hours ago". @param {string} iso */
function relative(iso) {
  const diff = (new Date(iso).getTime() - Date.now()) / 1000;
  const abs = Math.abs(diff);
  const fmt = new Intl.RelativeTimeFormat(lang.value, { numeric: 'auto' });
  if (abs < 60) return fmt.format(Math.round(diff), 'second');
  if (abs < 3600) return fmt.format(Math.round(diff / 60), 'minute');
  if (abs < 86_400) return fmt.format(Math.round(diff / 3600), 'hour');
  return fmt.format(Math.round(diff / 86_400), 'day');
}

/**
 * One limit against its use: "12 / 20", a bar (amber from 80 %, red when over), or "unlimited".
 * The bar's width is set from a ref: the CSP forbids style attributes, not CSSOM writes.
 * @param {{ name: UsageKey, line: UsageLine }} props
 */
function UsageRow({ name, line }) {
  const bar = useRef(/** @type {HTMLSpanElement | null} */ (null));
  const unlimited = line.limit === null;
  const pct = unlimited ? 0 : line.limit === 0 ? (line.used > 0 ? 100 : 0) : Math.min(100, (line.used / /** @type {number} */ (line.limit)) * 100);
  const level = line.over ? 'over' : !unlimited && pct >= 80 ? 'warn' : 'ok';
  useEffect(() => {
    if (bar.current) bar.current.style.width = `${unlimited ? 0 : Math.max(pct, line.used > 0 ? 2 : 0)}%`;
  }, [pct, unlimited, line.used]);
  return html`<div class=${`usage usage-${level}`} data-testid=${`usage-${name}`} data-level=${level} data-used=${line.used} data-limit=${line.limit ?? ''}>
    <div class="usage-head">
      <span>${tDynamic(`lic.usage.${name}`)}</span>
      <span class="usage-figures">
        ${unlimited
          ? html`<strong>${number(line.used)}</strong> <span class="muted">· ${t('common.unlimited')}</span>`
          : html`<strong>${number(line.used)}</strong> <span class="muted">/ ${number(/** @type {number} */ (line.limit))}</span>`}
      </span>
    </div>
    <div class=${`bar ${level === 'ok' ? '' : level} ${unlimited ? 'bar-unlimited' : ''}`} role="progressbar" aria-label=${tDynamic(`lic.usage.${name}`)}
      aria-valuemin="0" aria-valuemax=${unlimited ? undefined : line.limit} aria-valuenow=${line.used}><span ref=${bar}></span></div>
    ${line.over && html`<small class="usage-note text-bad">${tDynamic(`lic.over.${name}`)}</small>`}
    ${!line.over && level === 'warn' && html`<small class="usage-note text-warn">${t('lic.nearLimit')}</small>`}
  </div>`;
}
