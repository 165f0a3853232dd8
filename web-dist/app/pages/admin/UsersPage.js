import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { Icon } from '../../components/Icon.js';
import { Modal } from '../../components/Modal.js';
import { toast } from '../../components/Toast.js';
import { api } from '../../lib/api.js';
import { errorText } from '../../lib/errors.js';
import { initials } from '../../lib/format.js';
import { t } from '../../lib/i18n.js';
import { isRestricted } from '../../state/license.js';
import { me } from '../../state/session.js';
import {
  ConfirmDialog, EmptyState, LoadError, Loading, PageHead, PlanUsage, randomPassword, readOnlyTitle, useLoad, useSubmit, valueOf,
} from './common.js';

/**
 * @typedef {'admin'|'supervisor'|'attendant'} Role
 * @typedef {{ id: string, email: string, name: string, role: Role, teamIds: string[], disabled: boolean, createdAt: string }} AdminUser
 * @typedef {{ id: string, name: string, memberCount: number }} Team
 */

/** @type {Role[]} */
const ROLES = ['attendant', 'supervisor', 'admin'];
const PAGE_SIZE = 50;

/** @param {Role} role */
const roleBadge = (role) => (role === 'admin' ? 'badge badge-blue' : role === 'supervisor' ? 'badge badge-amber' : 'badge');

/**
 * The people who use the dashboard: create, edit role and teams, disable, reset password.
 */
export function UsersPage() {
  const [users, setUsers] = useState(/** @type {AdminUser[]} */ ([]));
  const [cursor, setCursor] = useState(/** @type {string | null} */ (null));
  const [more, setMore] = useState(false);
  const [dialog, setDialog] = useState(/** @type {null | { kind: 'create' } | { kind: 'edit' | 'password' | 'toggle', user: AdminUser }} */ (null));

  const teams = useLoad(async () => /** @type {Team[]} */ ((await api('GET', '/api/teams')).items));
  const usage = useLoad(async () => (await api('GET', '/api/license')).usage?.users ?? null);
  const list = useLoad(async () => {
    const page = await api('GET', `/api/users?limit=${PAGE_SIZE}`);
    setUsers(page.items);
    setCursor(page.nextCursor ?? null);
    return true;
  });

  const loadMore = async () => {
    if (!cursor) return;
    setMore(true);
    try {
      const page = await api('GET', `/api/users?limit=${PAGE_SIZE}&cursor=${encodeURIComponent(cursor)}`);
      setUsers((cur) => [...cur, ...page.items.filter((/** @type {AdminUser} */ u) => !cur.some((c) => c.id === u.id))]);
      setCursor(page.nextCursor ?? null);
    } catch (err) {
      toast(errorText(err), 'error');
    } finally {
      setMore(false);
    }
  };

  /** @param {AdminUser} u */
  const replace = (u) => setUsers((cur) => cur.map((x) => (x.id === u.id ? u : x)));
  const teamName = new Map((teams.data ?? []).map((tm) => [tm.id, tm.name]));
  const locked = isRestricted();
  const close = () => setDialog(null);

  let body;
  if (list.loading && !users.length) body = html`<${Loading} />`;
  else if (list.error && !users.length) body = html`<${LoadError} error=${list.error} onRetry=${list.reload} />`;
  else if (!users.length) {
    body = html`<${EmptyState} icon="users" title=${t('users.empty')} body=${t('users.emptyBody')} />`;
  } else {
    body = html`<table class="table">
      <thead><tr>
        <th>${t('users.name')}</th>
        <th class="hide-sm">${t('users.email')}</th>
        <th class="hide-sm">${t('users.role')}</th>
        <th class="hide-sm">${t('users.teams')}</th>
        <th class="hide-sm">${t('users.status')}</th>
        <th class="actions"><span class="sr-only">${t('common.actions')}</span></th>
      </tr></thead>
      <tbody>
        ${users.map((u) => html`<tr key=${u.id} data-testid="user-row" data-id=${u.id} class=${u.disabled ? 'row-muted' : ''}>
          <td>
            <div class="cell-person">
              <span class="avatar avatar-sm">${initials(u.name)}</span>
              <div class="cell-person-text">
                <strong>${u.name}${u.id === me.value?.id ? html` <span class="muted small">${t('users.you')}</span>` : null}</strong>
                <small class="only-phone muted">${u.email}</small>
                <span class="only-phone cell-badges"><span class=${roleBadge(u.role)}>${t(`role.${u.role}`)}</span>
                  ${u.disabled && html`<span class="badge badge-red">${t('users.disabled')}</span>`}</span>
              </div>
            </div>
          </td>
          <td class="hide-sm">${u.email}</td>
          <td class="hide-sm"><span class=${roleBadge(u.role)}>${t(`role.${u.role}`)}</span></td>
          <td class="hide-sm">
            ${u.teamIds.length
              ? html`<div class="chip-list">${u.teamIds.map((id) => html`<span class="chip" key=${id}>${teamName.get(id) ?? '…'}</span>`)}</div>`
              : html`<span class="muted">${t('users.noTeams')}</span>`}
          </td>
          <td class="hide-sm">${u.disabled
            ? html`<span class="badge badge-red">${t('users.disabled')}</span>`
            : html`<span class="badge badge-green">${t('users.active')}</span>`}</td>
          <td class="actions">
            <div class="row-actions">
              <button type="button" class="btn btn-sm" disabled=${locked} title=${readOnlyTitle()} onClick=${() => setDialog({ kind: 'edit', user: u })} data-testid="user-edit">${t('common.edit')}</button>
              <button type="button" class="btn btn-sm hide-sm-inline" onClick=${() => setDialog({ kind: 'password', user: u })} data-testid="user-password">${t('users.resetPassword')}</button>
              <button type="button" class=${`btn btn-sm ${u.disabled ? '' : 'btn-danger'}`} disabled=${(locked && u.disabled) || u.id === me.value?.id}
                title=${u.id === me.value?.id ? t('users.cannotDisableSelf') : u.disabled ? readOnlyTitle() : undefined}
                onClick=${() => setDialog({ kind: 'toggle', user: u })} data-testid="user-toggle">${u.disabled ? t('users.enable') : t('users.disable')}</button>
            </div>
          </td>
        </tr>`)}
      </tbody>
    </table>
    ${cursor && html`<div class="list-foot"><button type="button" class="btn" onClick=${loadMore} disabled=${more} data-testid="load-more">
      ${more && html`<span class="spinner spinner-sm"></span>`}${t('common.loadMore')}</button></div>`}`;
  }

  return html`<section class="page" data-testid="page-users">
    <${PageHead} title=${t('nav.users')} subtitle=${t('users.subtitle')}>
      <${PlanUsage} usage=${usage.data} label=${(/** @type {{ used: number, limit: number }} */ p) => t('users.planUsage', p)} />
      <button type="button" class="btn btn-primary" disabled=${locked} title=${readOnlyTitle()} onClick=${() => setDialog({ kind: 'create' })} data-testid="user-create">
        <${Icon} name="plus" />${t('users.create')}</button>
    <//>
    <div class="card card-table">${body}</div>

    ${dialog?.kind === 'create' && html`<${UserDialog} teams=${teams.data ?? []} onClose=${close}
      onSaved=${(/** @type {AdminUser} */ u) => { setUsers((cur) => [u, ...cur]); close(); toast(t('users.created', { name: u.name }), 'success'); void teams.reload(); void usage.reload(); }} />`}
    ${dialog?.kind === 'edit' && html`<${UserDialog} user=${dialog.user} teams=${teams.data ?? []} onClose=${close}
      onResetPassword=${() => dialog.kind === 'edit' && setDialog({ kind: 'password', user: dialog.user })}
      onSaved=${(/** @type {AdminUser} */ u) => { replace(u); close(); toast(t('common.saved'), 'success'); void teams.reload(); }} />`}
    ${dialog?.kind === 'password' && html`<${PasswordDialog} user=${dialog.user} onClose=${close} />`}
    ${dialog?.kind === 'toggle' && html`<${ConfirmDialog}
      title=${dialog.user.disabled ? t('users.enableTitle', { name: dialog.user.name }) : t('users.disableTitle', { name: dialog.user.name })}
      body=${dialog.user.disabled ? t('users.enableBody') : t('users.disableBody')}
      confirmLabel=${dialog.user.disabled ? t('users.enable') : t('users.disable')}
      danger=${!dialog.user.disabled}
      onClose=${close}
      onConfirm=${async () => {
        const u = await api('PATCH', `/api/users/${dialog.user.id}`, { disabled: !dialog.user.disabled });
        replace(u);
        void usage.reload();
        toast(u.disabled ? t('users.disabledToast', { name: u.name }) : t('users.enabledToast', { name: u.name }), 'success');
      }} />`}
  </section>`;
}

/**
 * Create (no `user`) or edit a user. Creating asks for the email and an initial password too.
 * @param {{ user?: AdminUser, teams: Team[], onClose: () => void, onSaved: (u: AdminUser) => void, onResetPassword?: () => void }} props
 */
function UserDialog({ user, teams, onClose, onSaved, onResetPassword }) {
  const [name, setName] = useState(user?.name ?? '');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [showPassword, setShowPassword] = useState(false);
  const [role, setRole] = useState(/** @type {Role} */ (user?.role ?? 'attendant'));
  const [teamIds, setTeamIds] = useState(/** @type {string[]} */ (user?.teamIds ?? []));
  const { busy, error, submit } = useSubmit(async () => {
    const saved = user
      ? await api('PATCH', `/api/users/${user.id}`, { name: name.trim(), role, teamIds })
      : await api('POST', '/api/users', { name: name.trim(), email: email.trim(), password, role, teamIds });
    onSaved(saved);
  });
  /** @param {string} id */
  const toggleTeam = (id) => setTeamIds((cur) => (cur.includes(id) ? cur.filter((x) => x !== id) : [...cur, id]));
  const self = user && user.id === me.value?.id;

  return html`<${Modal} title=${user ? t('users.editTitle', { name: user.name }) : t('users.createTitle')} onClose=${onClose} testid="user-dialog">
    <form novalidate onSubmit=${submit} data-testid="user-form">
      ${error && html`<p class="form-error" role="alert" data-testid="form-error">${error}</p>`}
      <label class="field"><span>${t('users.name')}</span>
        <input type="text" name="name" required maxlength="120" autocomplete="off" value=${name} onInput=${(/** @type {Event} */ e) => setName(valueOf(e))} /></label>
      ${!user && html`
        <label class="field"><span>${t('users.email')}</span>
          <input type="email" name="email" required maxlength="254" autocomplete="off" value=${email} onInput=${(/** @type {Event} */ e) => setEmail(valueOf(e))} /></label>
        <label class="field"><span>${t('users.initialPassword')}</span>
          <div class="copy-field">
            <input type=${showPassword ? 'text' : 'password'} name="password" required minlength="10" maxlength="200" autocomplete="new-password"
              value=${password} onInput=${(/** @type {Event} */ e) => setPassword(valueOf(e))} />
            <button type="button" class="btn" onClick=${() => { setPassword(randomPassword()); setShowPassword(true); }}>${t('users.generate')}</button>
          </div>
          <small>${t('users.passwordHint')}</small></label>`}
      <label class="field"><span>${t('users.role')}</span>
        <select name="role" value=${role} disabled=${self} onChange=${(/** @type {Event} */ e) => setRole(/** @type {Role} */ (valueOf(e)))}>
          ${ROLES.map((r) => html`<option value=${r} key=${r}>${t(`role.${r}`)}</option>`)}
        </select>
        <small>${self ? t('users.ownRole') : t(`users.roleHint.${role}`)}</small></label>
      <fieldset class="field fieldset">
        <legend>${t('users.teams')}</legend>
        ${teams.length
          ? html`<div class="checks">${teams.map((tm) => html`<label key=${tm.id}>
              <input type="checkbox" name="teamIds" value=${tm.id} checked=${teamIds.includes(tm.id)} onChange=${() => toggleTeam(tm.id)} />${tm.name}</label>`)}</div>`
          : html`<small>${t('users.noTeamsYet')} <a href="/admin/teams">${t('users.goTeams')}</a></small>`}
        ${role === 'admin' && teams.length ? html`<small>${t('users.adminSeesAll')}</small>` : null}
      </fieldset>
      <div class="form-actions">
        ${onResetPassword && html`<button type="button" class="btn btn-ghost form-actions-start" onClick=${onResetPassword}>${t('users.resetPassword')}</button>`}
        <button type="button" class="btn" onClick=${onClose}>${t('common.cancel')}</button>
        <button type="submit" class="btn btn-primary" disabled=${busy} data-testid="user-save">
          ${busy && html`<span class="spinner spinner-sm"></span>`}${user ? t('common.save') : t('users.submit')}</button>
      </div>
    </form>
  <//>`;
}

/**
 * Sets a new password for someone who forgot theirs; their open sessions end on the server's side.
 * @param {{ user: AdminUser, onClose: () => void }} props
 */
function PasswordDialog({ user, onClose }) {
  const [password, setPassword] = useState('');
  const [show, setShow] = useState(false);
  const { busy, error, submit } = useSubmit(async () => {
    await api('POST', `/api/users/${user.id}/password`, { password });
    toast(t('users.passwordChanged', { name: user.name }), 'success');
    onClose();
  });
  return html`<${Modal} title=${t('users.resetTitle', { name: user.name })} onClose=${onClose} testid="password-dialog">
    <form novalidate onSubmit=${submit}>
      ${error && html`<p class="form-error" role="alert" data-testid="form-error">${error}</p>`}
      <p class="muted confirm-body">${t('users.resetBody')}</p>
      <label class="field"><span>${t('users.newPassword')}</span>
        <div class="copy-field">
          <input type=${show ? 'text' : 'password'} name="password" required minlength="10" maxlength="200" autocomplete="new-password"
            value=${password} onInput=${(/** @type {Event} */ e) => setPassword(valueOf(e))} />
          <button type="button" class="btn" onClick=${() => { setPassword(randomPassword()); setShow(true); }}>${t('users.generate')}</button>
        </div>
        <small>${t('users.passwordHint')}</small></label>
      <div class="form-actions">
        <button type="button" class="btn" onClick=${onClose}>${t('common.cancel')}</button>
        <button type="submit" class="btn btn-primary" disabled=${busy}>${busy && html`<span class="spinner spinner-sm"></span>`}${t('users.resetPassword')}</button>
      </div>
    </form>
  <//>`;
}
