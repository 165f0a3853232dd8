import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { Icon } from '../../components/Icon.js';
import { Modal } from '../../components/Modal.js';
import { toast } from '../../components/Toast.js';
import { api } from '../../lib/api.js';
import { errorText } from '../../lib/errors.js';
import { dateTime, phone, shortTime } from '../../lib/format.js';
import { plural, t } from '../../lib/i18n.js';
import { navigate, route } from '../../lib/router.js';
import { isRestricted } from '../../state/license.js';
import { ConnectionTemplates } from './ConnectionTemplates.js';
import {
  ConfirmDialog, CopyField, EmptyState, LoadError, Loading, PageHead, PlanUsage, randomToken, readOnlyTitle, useLoad, useSubmit, valueOf,
} from './common.js';

/**
 * @typedef {'whatsapp'|'instagram'} Channel
 * @typedef {'untested'|'ok'|'error'} ConnStatus
 * @typedef {{
 *   id: string, channel: Channel, name: string, externalId: string, businessAccountId: string | null,
 *   displayPhoneNumber: string | null, teamId: string | null, sendRatePerSecond: number | null,
 *   status: ConnStatus, lastError: string | null, lastTestedAt: string | null, webhookUrl: string, createdAt: string,
 * }} Connection
 * @typedef {{ id: string, name: string, memberCount?: number }} Team
 * @typedef {{
 *   status: ConnStatus, lastError: string | null, lastTestedAt: string | null, lastInboundAt: string | null,
 *   lastOutboundAt: string | null, signatureFailures: number, lastSignatureFailureAt: string | null,
 *   sendErrorsLastDay: { code: string | null, count: number }[], queuedMessages: number,
 *   sendQueue: { waiting: number, active: number, delayed: number } | null,
 *   setAsideLastDay: number, setAsideLatest: { kind: string, providerId: string | null, reason: string, at: string }[],
 * }} Health
 */

/** @param {ConnStatus} s */
const statusClass = (s) => (s === 'ok' ? 'badge badge-green' : s === 'error' ? 'badge badge-red' : 'badge');

/** The number people see: the display number when known, else Meta's id. @param {Connection} c */
const address = (c) => (c.channel === 'whatsapp' ? (c.displayPhoneNumber ? phone(c.displayPhoneNumber.replace(/\D/g, '')) : c.externalId) : c.externalId);

/** @param {{ channel: Channel, size?: number }} props */
function ChannelIcon({ channel, size = 20 }) {
  return html`<span class=${`channel-badge channel-badge-${channel}`} title=${t(`conn.channel.${channel}`)}><${Icon} name=${channel} size=${size} label=${t(`conn.channel.${channel}`)} /></span>`;
}

/**
 * WhatsApp and Instagram numbers/accounts the appliance answers: list, create (with the webhook
 * details to paste into Meta), test, health, edit, delete. `?id=<connection>` opens one.
 */
export function ConnectionsPage() {
  const conns = useLoad(async () => /** @type {Connection[]} */ ((await api('GET', '/api/connections')).items));
  const teams = useLoad(async () => /** @type {Team[]} */ ((await api('GET', '/api/teams')).items));
  const lic = useLoad(async () => await api('GET', '/api/license'), [conns.data?.length]);
  /** @type {Record<string, boolean> | null} */
  const features = lic.data?.plan?.features ?? null;
  const [creating, setCreating] = useState(false);
  const [testing, setTesting] = useState(/** @type {string | null} */ (null));
  const locked = isRestricted();
  const list = conns.data ?? [];
  const openId = route.value.query.get('id');
  const open = openId ? list.find((c) => c.id === openId) ?? null : null;
  const teamName = new Map((teams.data ?? []).map((tm) => [tm.id, tm.name]));

  /** @param {Connection} c */
  const replace = (c) => conns.setData(list.some((x) => x.id === c.id) ? list.map((x) => (x.id === c.id ? c : x)) : [...list, c]);

  /** Asks Meta, through the appliance, whether the token and id work. @param {Connection} c @param {boolean} [quiet] no toast (the caller shows the result) */
  const test = async (c, quiet = false) => {
    setTesting(c.id);
    try {
      /** @type {Connection} */
      const next = await api('POST', `/api/connections/${c.id}/test`);
      replace(next);
      if (quiet) return next;
      if (next.status === 'ok') toast(t('conn.testOk', { name: next.name }), 'success');
      else toast(t('conn.testFailed', { error: next.lastError ?? '' }), 'error');
      return next;
    } catch (err) {
      toast(errorText(err), 'error');
      return null;
    } finally {
      setTesting(null);
    }
  };

  if (openId && (open || conns.loading || conns.error)) {
    return html`<section class="page" data-testid="page-connections">
      ${open
        ? html`<${ConnectionDetail} key=${open.id} conn=${open} teams=${teams.data ?? []} teamName=${teamName} testing=${testing === open.id}
            onTest=${() => test(open)} onChanged=${replace}
            onDeleted=${() => { conns.setData(list.filter((x) => x.id !== open.id)); navigate('/admin/connections'); }} />`
        : conns.error ? html`<div class="card"><${LoadError} error=${conns.error} onRetry=${conns.reload} /></div>`
        : html`<div class="card"><${Loading} /></div>`}
    </section>`;
  }

  let body;
  if (conns.loading && !conns.data) body = html`<${Loading} />`;
  else if (conns.error && !conns.data) body = html`<${LoadError} error=${conns.error} onRetry=${conns.reload} />`;
  else if (!list.length) {
    body = html`<${EmptyState} icon="plug" title=${t('conn.empty')} body=${t('conn.emptyBody')}>
      <button type="button" class="btn btn-primary" disabled=${locked} title=${readOnlyTitle()} onClick=${() => setCreating(true)}>
        <${Icon} name="plus" />${t('conn.create')}</button>
    <//>`;
  } else {
    body = html`<table class="table">
      <thead><tr>
        <th>${t('conn.name')}</th>
        <th class="hide-sm">${t('conn.team')}</th>
        <th class="hide-sm">${t('conn.status')}</th>
        <th class="hide-sm">${t('conn.lastTested')}</th>
        <th class="actions"><span class="sr-only">${t('common.actions')}</span></th>
      </tr></thead>
      <tbody>
        ${list.map((c) => html`<tr key=${c.id} data-testid="connection-row" data-id=${c.id} data-status=${c.status}>
          <td>
            <div class="cell-person">
              <${ChannelIcon} channel=${c.channel} />
              <div class="cell-person-text">
                <a href=${`/admin/connections?id=${c.id}`} class="row-title" data-testid="connection-open">${c.name}</a>
                <small class="muted">${address(c)}</small>
                <span class="only-phone cell-badges"><span class=${statusClass(c.status)}>${t(`conn.status.${c.status}`)}</span></span>
              </div>
            </div>
          </td>
          <td class="hide-sm" data-testid="connection-team">${c.teamId ? teamName.get(c.teamId) ?? '…' : html`<span class="badge badge-amber" title=${t('conn.audienceNone')}>${t('conn.noTeamAdminsOnly')}</span>`}</td>
          <td class="hide-sm">
            <span class=${statusClass(c.status)} data-testid="connection-status">${t(`conn.status.${c.status}`)}</span>
            ${c.lastError && html`<div class="cell-error small" title=${c.lastError}>${c.lastError}</div>`}
          </td>
          <td class="hide-sm muted">${c.lastTestedAt ? shortTime(c.lastTestedAt) : t('conn.never')}</td>
          <td class="actions"><div class="row-actions">
            <button type="button" class="btn btn-sm" onClick=${() => test(c)} disabled=${testing === c.id} data-testid="connection-test">
              ${testing === c.id && html`<span class="spinner spinner-sm"></span>`}${t('conn.test')}</button>
            <a class="btn btn-sm btn-ghost hide-sm" href=${`/admin/connections?id=${c.id}`}>${t('conn.details')}</a>
          </div></td>
        </tr>`)}
      </tbody>
    </table>`;
  }

  return html`<section class="page" data-testid="page-connections">
    <${PageHead} title=${t('nav.connections')} subtitle=${t('conn.subtitle')}>
      <${PlanUsage} usage=${lic.data?.usage?.connections} label=${(/** @type {{ used: number, limit: number }} */ p) => t('conn.planUsage', p)} />
      <button type="button" class="btn btn-primary" disabled=${locked} title=${readOnlyTitle()} onClick=${() => setCreating(true)} data-testid="connection-create">
        <${Icon} name="plus" />${t('conn.create')}</button>
    <//>
    <div class="card card-table">${body}</div>
    ${creating && html`<${CreateDialog} teams=${teams.data ?? []} instagramAllowed=${features ? features.instagram !== false : true}
      onCreated=${replace} onTest=${test} onClose=${() => setCreating(false)} />`}
  </section>`;
}

/**
 * New connection: pick the channel, fill what Meta gives, then see the webhook details to paste back.
 * @param {{ teams: Team[], instagramAllowed: boolean, onCreated: (c: Connection) => void, onTest: (c: Connection, quiet?: boolean) => Promise<Connection | null>, onClose: () => void }} props
 */
function CreateDialog({ teams, instagramAllowed, onCreated, onTest, onClose }) {
  const [channel, setChannel] = useState(/** @type {Channel} */ ('whatsapp'));
  const [f, setF] = useState(() => ({
    name: '', phoneNumberId: '', businessAccountId: '', displayPhoneNumber: '', accountId: '',
    accessToken: '', appSecret: '', verifyToken: randomToken(), teamId: '',
  }));
  const [created, setCreated] = useState(/** @type {{ conn: Connection, verifyToken: string } | null} */ (null));
  const [tested, setTested] = useState(/** @type {Connection | null} */ (null));
  const [testing, setTesting] = useState(false);
  /** @param {keyof typeof f} k */
  const bind = (k) => ({ value: f[k], onInput: (/** @type {Event} */ e) => setF({ ...f, [k]: valueOf(e) }) });

  const { busy, error, submit } = useSubmit(async () => {
    const common = {
      name: f.name.trim(), accessToken: f.accessToken.trim(), appSecret: f.appSecret.trim(), verifyToken: f.verifyToken.trim(),
      teamId: f.teamId || null,
    };
    const body = channel === 'whatsapp'
      ? {
        channel, ...common, phoneNumberId: f.phoneNumberId.trim(),
        ...(f.businessAccountId.trim() ? { businessAccountId: f.businessAccountId.trim() } : {}),
        ...(f.displayPhoneNumber.trim() ? { displayPhoneNumber: f.displayPhoneNumber.trim() } : {}),
      }
      : { channel, ...common, accountId: f.accountId.trim() };
    /** @type {Connection} */
    const conn = await api('POST', '/api/connections', body);
    onCreated(conn);
    setCreated({ conn, verifyToken: common.verifyToken });
    toast(t('conn.created', { name: conn.name }), 'success');
  });

  if (created) {
    const runTest = async () => {
      setTesting(true);
      setTested(await onTest(created.conn, true));
      setTesting(false);
    };
    return html`<${Modal} title=${t('conn.setupTitle', { name: created.conn.name })} onClose=${onClose} wide testid="connection-setup">
      <div class="notice notice-success notice-icon"><${Icon} name="check" /><span>${t('conn.createdBody')}</span></div>
      <${WebhookSetup} conn=${created.conn} verifyToken=${created.verifyToken} />
      ${tested && html`<div class=${`notice notice-icon ${tested.status === 'ok' ? 'notice-success' : 'notice-error'}`} data-testid="connection-test-result">
        <${Icon} name=${tested.status === 'ok' ? 'check' : 'alert'} />
        <span>${tested.status === 'ok' ? t('conn.testOkLong') : t('conn.testFailed', { error: tested.lastError ?? '' })}</span></div>`}
      <div class="form-actions">
        <button type="button" class="btn" onClick=${runTest} disabled=${testing} data-testid="connection-test">
          ${testing && html`<span class="spinner spinner-sm"></span>`}${tested ? t('conn.testAgain') : t('conn.testNow')}</button>
        <button type="button" class="btn btn-primary" onClick=${() => { onClose(); navigate(`/admin/connections?id=${created.conn.id}`); }}>${t('conn.done')}</button>
      </div>
    <//>`;
  }

  return html`<${Modal} title=${t('conn.createTitle')} onClose=${onClose} wide testid="connection-dialog">
    <form novalidate onSubmit=${submit} data-testid="connection-form">
      <fieldset class="field fieldset">
        <legend>${t('conn.channel')}</legend>
        <div class="channel-pick" role="radiogroup">
          ${/** @type {Channel[]} */ (['whatsapp', 'instagram']).map((ch) => {
            const disabled = ch === 'instagram' && !instagramAllowed;
            return html`<label key=${ch} class=${`channel-option ${channel === ch ? 'selected' : ''} ${disabled ? 'disabled' : ''}`}>
              <input type="radio" name="channel" value=${ch} checked=${channel === ch} disabled=${disabled} onChange=${() => setChannel(ch)} />
              <${ChannelIcon} channel=${ch} size=${22} />
              <span><strong>${t(`conn.channel.${ch}`)}</strong><small>${disabled ? t('conn.instagramNotInPlan') : t(`conn.channelHint.${ch}`)}</small></span>
            </label>`;
          })}
        </div>
      </fieldset>

      <label class="field"><span>${t('conn.name')}</span>
        <input type="text" name="name" required maxlength="80" autocomplete="off" placeholder=${t(`conn.namePlaceholder.${channel}`)} ...${bind('name')} />
        <small>${t('conn.nameHint')}</small></label>

      <h3 class="form-section">${t('conn.fromMeta')}</h3>
      <p class="muted small form-section-hint">${t(`conn.fromMetaHint.${channel}`)}</p>
      ${channel === 'whatsapp'
        ? html`<div class="grid-2 grid-tight">
            <label class="field"><span>${t('conn.phoneNumberId')}</span>
              <input type="text" name="phoneNumberId" required inputmode="numeric" pattern="\\d{5,30}" autocomplete="off" ...${bind('phoneNumberId')} />
              <small>${t('conn.phoneNumberIdHint')}</small></label>
            <label class="field"><span>${t('conn.businessAccountId')}</span>
              <input type="text" name="businessAccountId" inputmode="numeric" pattern="\\d{5,30}" autocomplete="off" ...${bind('businessAccountId')} />
              <small>${t('conn.businessAccountIdHint')}</small></label>
          </div>
          <label class="field"><span>${t('conn.displayPhoneNumber')} <em class="optional">${t('conn.optional')}</em></span>
            <input type="text" name="displayPhoneNumber" maxlength="40" autocomplete="off" placeholder="+55 11 98765-4321" ...${bind('displayPhoneNumber')} />
            <small>${t('conn.displayPhoneNumberHint')}</small></label>`
        : html`<label class="field"><span>${t('conn.accountId')}</span>
            <input type="text" name="accountId" required inputmode="numeric" pattern="\\d{5,30}" autocomplete="off" ...${bind('accountId')} />
            <small>${t('conn.accountIdHint')}</small></label>`}
      <label class="field"><span>${t('conn.accessToken')}</span>
        <input type="password" name="accessToken" required minlength="8" maxlength="2048" autocomplete="off" spellcheck="false" ...${bind('accessToken')} />
        <small>${t(`conn.accessTokenHint.${channel}`)}</small></label>
      <label class="field"><span>${t('conn.appSecret')}</span>
        <input type="password" name="appSecret" required minlength="8" maxlength="2048" autocomplete="off" spellcheck="false" ...${bind('appSecret')} />
        <small>${t('conn.appSecretHint')}</small></label>

      <h3 class="form-section">${t('conn.inAtendo')}</h3>
      <label class="field"><span>${t('conn.verifyToken')}</span>
        <div class="copy-field">
          <input type="text" name="verifyToken" required minlength="8" maxlength="2048" autocomplete="off" spellcheck="false" ...${bind('verifyToken')} />
          <button type="button" class="btn" onClick=${() => setF({ ...f, verifyToken: randomToken() })}>${t('conn.generate')}</button>
        </div>
        <small>${t('conn.verifyTokenHint')}</small></label>
      <label class="field"><span>${t('conn.team')}</span>
        <select name="teamId" value=${f.teamId} onChange=${(/** @type {Event} */ e) => setF({ ...f, teamId: valueOf(e) })}>
          <option value="">${t('conn.noTeamOption')}</option>
          ${teams.map((tm) => html`<option key=${tm.id} value=${tm.id}>${tm.name}</option>`)}
        </select>
        <small>${f.teamId ? t('conn.teamHint') : t('conn.teamHintNone')}</small></label>

      ${error && html`<p class="form-error" role="alert" data-testid="form-error">${error}</p>`}
      <div class="form-actions">
        <button type="button" class="btn" onClick=${onClose}>${t('common.cancel')}</button>
        <button type="submit" class="btn btn-primary" disabled=${busy} data-testid="connection-save">
          ${busy && html`<span class="spinner spinner-sm"></span>`}${t('conn.submit')}</button>
      </div>
    </form>
  <//>`;
}

/**
 * What to paste into Meta's app dashboard: the callback URL and the verify token, with where they go.
 * Without a known token (it is never read back) it offers to set a new one.
 * @param {{ conn: Connection, verifyToken?: string, onRotated?: (c: Connection) => void }} props
 */
function WebhookSetup({ conn, verifyToken, onRotated }) {
  const [token, setToken] = useState(verifyToken ?? '');
  const [rotating, setRotating] = useState(false);
  const locked = isRestricted();
  const save = useSubmit(async () => {
    const next = await api('PATCH', `/api/connections/${conn.id}`, { verifyToken: token.trim() });
    onRotated?.(next);
    setRotating(false);
    toast(t('conn.verifyTokenSaved'), 'success');
  });
  return html`<div class="webhook-setup" data-testid="webhook-setup">
    <h3>${t('conn.webhookTitle')}</h3>
    <ol class="steps">
      <li>${t(`conn.step1.${conn.channel}`)}</li>
      <li>${t('conn.step2')}</li>
      <li>${t(`conn.step3.${conn.channel}`)}</li>
    </ol>
    <${CopyField} label=${t('conn.callbackUrl')} value=${conn.webhookUrl} testid="webhook-url" />
    ${verifyToken !== undefined
      ? html`<${CopyField} label=${t('conn.verifyToken')} value=${verifyToken} testid="verify-token" hint=${t('conn.verifyTokenOnce')} />`
      : rotating
      ? html`<form novalidate class="field" onSubmit=${save.submit}>
          <span class="field-label">${t('conn.newVerifyToken')}</span>
          ${save.error && html`<p class="form-error" role="alert">${save.error}</p>`}
          <div class="copy-field">
            <input type="text" name="verifyToken" required minlength="8" maxlength="2048" autocomplete="off" spellcheck="false" data-testid="verify-token"
              value=${token} onInput=${(/** @type {Event} */ e) => setToken(valueOf(e))} />
            <button type="button" class="btn" onClick=${() => setToken(randomToken())}>${t('conn.generate')}</button>
          </div>
          <small>${t('conn.newVerifyTokenHint')}</small>
          <div class="form-actions">
            <button type="button" class="btn" onClick=${() => setRotating(false)}>${t('common.cancel')}</button>
            <button type="submit" class="btn btn-primary" disabled=${save.busy || token.trim().length < 8}>${t('conn.saveVerifyToken')}</button>
          </div>
        </form>`
      : html`<div class="field">
          <span class="field-label">${t('conn.verifyToken')}</span>
          <div class="copy-field">
            <input type="text" readonly value="••••••••••••••••" aria-label=${t('conn.verifyToken')} data-testid="verify-token" />
            <button type="button" class="btn" disabled=${locked} title=${readOnlyTitle()} onClick=${() => { setToken(randomToken()); setRotating(true); }} data-testid="verify-token-new">${t('conn.setNewToken')}</button>
          </div>
          <small>${t('conn.verifyTokenHidden')}</small>
        </div>`}
  </div>`;
}

/**
 * One connection: its details, the webhook setup, health, and the test/edit/delete actions.
 * @param {{ conn: Connection, teams: Team[], teamName: Map<string, string>, testing: boolean, onTest: () => Promise<Connection | null>, onChanged: (c: Connection) => void, onDeleted: () => void }} props
 */
function ConnectionDetail({ conn, teams, teamName, testing, onTest, onChanged, onDeleted }) {
  const health = useLoad(async () => /** @type {Health} */ (await api('GET', `/api/connections/${conn.id}/health`)), [conn.id]);
  const [dialog, setDialog] = useState(/** @type {null | 'edit' | 'delete'} */ (null));
  const locked = isRestricted();
  const test = async () => {
    await onTest();
    void health.reload();
  };
  const h = health.data;

  return html`<div data-testid="connection-detail" data-id=${conn.id}>
    <a href="/admin/connections" class="back-link"><${Icon} name="back" size=${16} />${t('nav.connections')}</a>
    <header class="page-head">
      <div class="detail-title">
        <${ChannelIcon} channel=${conn.channel} size=${24} />
        <div><h1>${conn.name}</h1><p>${t(`conn.channel.${conn.channel}`)} · ${address(conn)}</p></div>
      </div>
      <div class="page-head-actions">
        <button type="button" class="btn" onClick=${test} disabled=${testing} data-testid="connection-test">
          ${testing ? html`<span class="spinner spinner-sm"></span>` : html`<${Icon} name="refresh" />`}${t('conn.test')}</button>
        <button type="button" class="btn" disabled=${locked} title=${readOnlyTitle()} onClick=${() => setDialog('edit')} data-testid="connection-edit">${t('common.edit')}</button>
        <button type="button" class="btn btn-danger" onClick=${() => setDialog('delete')} data-testid="connection-delete">${t('common.delete')}</button>
      </div>
    </header>

    <div class=${`notice notice-icon ${conn.status === 'ok' ? 'notice-success' : conn.status === 'error' ? 'notice-error' : 'notice-info'}`} data-testid="connection-status" data-status=${conn.status}>
      <${Icon} name=${conn.status === 'ok' ? 'check' : conn.status === 'error' ? 'alert' : 'info'} />
      <span><strong>${t(`conn.status.${conn.status}`)}</strong> — ${conn.status === 'error'
        ? html`${t('conn.statusErrorBody')} <code class="inline-code">${conn.lastError}</code>`
        : t(`conn.statusBody.${conn.status}`)}
        ${conn.lastTestedAt && conn.status !== 'untested' && html` <span class="muted">(${t('conn.testedAt', { when: dateTime(conn.lastTestedAt) })})</span>`}</span>
    </div>

    <div class="grid-2">
      <div class="card card-pad">
        <h2 class="card-title">${t('conn.details')}</h2>
        <dl class="kv">
          <dt>${t('conn.channel')}</dt><dd>${t(`conn.channel.${conn.channel}`)}</dd>
          ${conn.channel === 'whatsapp'
            ? html`<dt>${t('conn.phoneNumberId')}</dt><dd class="mono">${conn.externalId}</dd>
                <dt>${t('conn.displayPhoneNumber')}</dt><dd>${conn.displayPhoneNumber ? phone(conn.displayPhoneNumber.replace(/\D/g, '')) : html`<span class="muted">${t('conn.filledByTest')}</span>`}</dd>
                <dt>${t('conn.businessAccountId')}</dt><dd class="mono">${conn.businessAccountId ?? '—'}</dd>`
            : html`<dt>${t('conn.accountId')}</dt><dd class="mono">${conn.externalId}</dd>`}
          <dt>${t('conn.team')}</dt><dd>${conn.teamId ? teamName.get(conn.teamId) ?? '…' : html`<span class="muted">${t('conn.noTeam')}</span>`}</dd>
          <dt>${t('conn.sendRate')}</dt><dd>${conn.sendRatePerSecond ? t('conn.perSecond', { n: conn.sendRatePerSecond }) : html`<span class="muted">${t('conn.defaultRate')}</span>`}</dd>
          <dt>${t('conn.secrets')}</dt><dd><span class="badge"><${Icon} name="lock" size=${12} />${t('conn.secretsStored')}</span></dd>
          <dt>${t('conn.createdAt')}</dt><dd>${dateTime(conn.createdAt)}</dd>
        </dl>
      </div>
      <div class="card card-pad" data-testid="connection-health">
        <div class="card-title-row"><h2 class="card-title">${t('conn.health')}</h2>
          <button type="button" class="icon-btn" onClick=${health.reload} aria-label=${t('conn.refreshHealth')} title=${t('conn.refreshHealth')}><${Icon} name="refresh" size=${16} /></button></div>
        ${health.loading && !h ? html`<${Loading} />`
          : health.error && !h ? html`<${LoadError} error=${health.error} onRetry=${health.reload} />`
          : h && html`<dl class="kv">
            <dt>${t('conn.lastInbound')}</dt><dd>${h.lastInboundAt ? dateTime(h.lastInboundAt) : html`<span class="muted">${t('conn.nothingYet')}</span>`}</dd>
            <dt>${t('conn.lastOutbound')}</dt><dd>${h.lastOutboundAt ? dateTime(h.lastOutboundAt) : html`<span class="muted">${t('conn.nothingYet')}</span>`}</dd>
            <dt>${t('conn.queued')}</dt><dd>${h.queuedMessages}</dd>
            <dt>${t('conn.sendErrors')}</dt>
            <dd>${h.sendErrorsLastDay.length
              ? html`<ul class="plain-list">${h.sendErrorsLastDay.map((e) => html`<li key=${e.code ?? '-'}><span class="badge badge-red">${e.count}</span> <code class="inline-code">${e.code ?? '?'}</code></li>`)}</ul>`
              : html`<span class="muted">${t('conn.noSendErrors')}</span>`}</dd>
            <dt>${t('conn.signatureFailures')}</dt>
            <dd>${h.signatureFailures
              ? html`<span class="text-bad">${h.signatureFailures}</span> <span class="muted small">${t('conn.lastAt', { when: dateTime(h.lastSignatureFailureAt) })}</span>
                  <div class="small muted">${t('conn.signatureHint')}</div>`
              : html`<span class="muted">${t('conn.none')}</span>`}</dd>
            <dt>${t('conn.setAside')}</dt>
            <dd data-testid="connection-set-aside">${h.setAsideLastDay
              ? html`<span class="text-bad">${h.setAsideLastDay}</span> <span class="muted small">${t('conn.setAsideHint')}</span>
                  <ul class="plain-list small">${h.setAsideLatest.map((x) => html`<li key=${x.at + (x.providerId ?? '')}>${dateTime(x.at)} · <code class="inline-code">${x.reason.split(':')[0]}</code></li>`)}</ul>`
              : html`<span class="muted">${t('conn.none')}</span>`}</dd>
            ${h.sendQueue && html`<dt>${t('conn.sendQueue')}</dt><dd>${t('conn.sendQueueLine', { waiting: h.sendQueue.waiting, active: h.sendQueue.active, delayed: h.sendQueue.delayed })}</dd>`}
          </dl>`}
      </div>
    </div>

    ${conn.channel === 'whatsapp' && html`<${ConnectionTemplates} conn=${conn} />`}

    <${Audience} conn=${conn} teams=${teams} onChanged=${onChanged} />

    <div class="card card-pad">
      <${WebhookSetup} conn=${conn} onRotated=${onChanged} />
    </div>

    ${dialog === 'edit' && html`<${EditDialog} conn=${conn} teams=${teams} onClose=${() => setDialog(null)}
      onSaved=${(/** @type {Connection} */ c) => { onChanged(c); setDialog(null); toast(t('common.saved'), 'success'); }} />`}
    ${dialog === 'delete' && html`<${ConfirmDialog} title=${t('conn.deleteTitle', { name: conn.name })} body=${t('conn.deleteBody')}
      confirmLabel=${t('conn.deleteConfirm')} danger onClose=${() => setDialog(null)}
      onConfirm=${async () => {
        await api('DELETE', `/api/connections/${conn.id}`);
        toast(t('conn.deleted', { name: conn.name }), 'success');
        onDeleted();
      }} />`}
  </div>`;
}

/**
 * Who will see this connection's conversations, said plainly from the rule in
 * server/src/policies/conversations.ts (canSeeConversation), with the team settable in place.
 * @param {{ conn: Connection, teams: Team[], onChanged: (c: Connection) => void }} props
 */
function Audience({ conn, teams, onChanged }) {
  const [teamId, setTeamId] = useState(conn.teamId ?? '');
  const locked = isRestricted();
  const save = useSubmit(async () => {
    onChanged(await api('PATCH', `/api/connections/${conn.id}`, { teamId: teamId || null }));
    toast(t('conn.teamSaved'), 'success');
  });
  const team = conn.teamId ? teams.find((x) => x.id === conn.teamId) : undefined;
  const name = team?.name ?? '…';
  return html`<div class="card card-pad" data-testid="connection-audience" data-team=${conn.teamId ?? ''}>
    <h2 class="card-title">${t('conn.audience')}</h2>
    ${conn.teamId
      ? html`<p class="audience-lead">${t('conn.audienceTeam', { team: name, members: plural(team?.memberCount ?? 0, 'teams.memberCount.one', 'teams.memberCount.other') })}</p>
          <ul class="audience-list">
            <li><${Icon} name="user" size=${16} /><span>${t('conn.audienceAttendants', { team: name })}</span></li>
            <li><${Icon} name="team" size=${16} /><span>${t('conn.audienceSupervisors', { team: name })}</span></li>
            <li><${Icon} name="key" size=${16} /><span>${t('conn.audienceAdmins')}</span></li>
          </ul>`
      : html`<div class="notice notice-warning notice-icon" data-testid="connection-audience-none"><${Icon} name="alert" />
          <span>${t('conn.audienceNone')} ${t('conn.audienceNoneAction')}</span></div>`}
    <p class="muted small">${t('conn.audienceAssignee')} ${t('conn.audienceExisting')}</p>
    <form novalidate class="audience-form" onSubmit=${save.submit}>
      <label class="field"><span>${t('conn.team')}</span>
        <select name="teamId" value=${teamId} disabled=${locked} data-testid="connection-team-select"
          onChange=${(/** @type {Event} */ e) => setTeamId(valueOf(e))}>
          <option value="">${t('conn.noTeamOption')}</option>
          ${teams.map((tm) => html`<option key=${tm.id} value=${tm.id}>${tm.name}</option>`)}
        </select></label>
      <button type="submit" class="btn btn-primary" data-testid="connection-team-save" title=${readOnlyTitle()}
        disabled=${locked || save.busy || teamId === (conn.teamId ?? '')}>${t('conn.saveTeam')}</button>
    </form>
    ${save.error && html`<p class="form-error" role="alert">${save.error}</p>`}
  </div>`;
}

/**
 * Name, team and send rate; the secrets can be replaced (left blank they stay as they are).
 * @param {{ conn: Connection, teams: Team[], onClose: () => void, onSaved: (c: Connection) => void }} props
 */
function EditDialog({ conn, teams, onClose, onSaved }) {
  const [f, setF] = useState({
    name: conn.name, teamId: conn.teamId ?? '', sendRate: conn.sendRatePerSecond ? String(conn.sendRatePerSecond) : '',
    accessToken: '', appSecret: '', verifyToken: '',
  });
  /** @param {keyof typeof f} k */
  const bind = (k) => ({ value: f[k], onInput: (/** @type {Event} */ e) => setF({ ...f, [k]: valueOf(e) }) });
  const { busy, error, submit } = useSubmit(async () => {
    /** @type {Record<string, unknown>} */
    const patch = { name: f.name.trim(), teamId: f.teamId || null, sendRatePerSecond: f.sendRate ? Number(f.sendRate) : null };
    for (const k of /** @type {const} */ (['accessToken', 'appSecret', 'verifyToken'])) if (f[k].trim()) patch[k] = f[k].trim();
    onSaved(await api('PATCH', `/api/connections/${conn.id}`, patch));
  });
  const rotating = !!(f.accessToken.trim() || f.appSecret.trim() || f.verifyToken.trim());
  return html`<${Modal} title=${t('conn.editTitle', { name: conn.name })} onClose=${onClose} wide testid="connection-edit-dialog">
    <form novalidate onSubmit=${submit}>
      <label class="field"><span>${t('conn.name')}</span>
        <input type="text" name="name" required maxlength="80" autocomplete="off" ...${bind('name')} /></label>
      <div class="grid-2 grid-tight">
        <label class="field"><span>${t('conn.team')}</span>
          <select name="teamId" value=${f.teamId} onChange=${(/** @type {Event} */ e) => setF({ ...f, teamId: valueOf(e) })}>
            <option value="">${t('conn.noTeamOption')}</option>
            ${teams.map((tm) => html`<option key=${tm.id} value=${tm.id}>${tm.name}</option>`)}
          </select></label>
        <label class="field"><span>${t('conn.sendRate')} <em class="optional">${t('conn.optional')}</em></span>
          <input type="number" name="sendRatePerSecond" min="1" max="1000" step="1" placeholder=${t('conn.defaultRate')} ...${bind('sendRate')} />
          <small>${t('conn.sendRateHint')}</small></label>
      </div>
      <h3 class="form-section">${t('conn.rotateTitle')}</h3>
      <p class="muted small form-section-hint">${t('conn.rotateHint')}</p>
      <label class="field"><span>${t('conn.newAccessToken')}</span>
        <input type="password" name="accessToken" minlength="8" maxlength="2048" autocomplete="off" placeholder=${t('conn.keepCurrent')} ...${bind('accessToken')} /></label>
      <label class="field"><span>${t('conn.newAppSecret')}</span>
        <input type="password" name="appSecret" minlength="8" maxlength="2048" autocomplete="off" placeholder=${t('conn.keepCurrent')} ...${bind('appSecret')} /></label>
      <label class="field"><span>${t('conn.newVerifyToken')}</span>
        <input type="text" name="verifyToken" minlength="8" maxlength="2048" autocomplete="off" spellcheck="false" placeholder=${t('conn.keepCurrent')} ...${bind('verifyToken')} /></label>
      ${rotating && html`<div class="notice notice-warning">${t('conn.rotateWarning')}</div>`}
      ${error && html`<p class="form-error" role="alert" data-testid="form-error">${error}</p>`}
      <div class="form-actions">
        <button type="button" class="btn" onClick=${onClose}>${t('common.cancel')}</button>
        <button type="submit" class="btn btn-primary" disabled=${busy} data-testid="connection-save">
          ${busy && html`<span class="spinner spinner-sm"></span>`}${t('common.save')}</button>
      </div>
    </form>
  <//>`;
}
