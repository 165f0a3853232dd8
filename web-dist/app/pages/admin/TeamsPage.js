import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { Icon } from '../../components/Icon.js';
import { Modal } from '../../components/Modal.js';
import { toast } from '../../components/Toast.js';
import { api } from '../../lib/api.js';
import { initials } from '../../lib/format.js';
import { plural, t } from '../../lib/i18n.js';
import { navigate, route } from '../../lib/router.js';
import { isRestricted } from '../../state/license.js';
import { EmptyState, LoadError, Loading, PageHead, readOnlyTitle, useLoad, useSubmit, valueOf } from './common.js';

/**
 * @typedef {{ id: string, name: string, memberCount: number, createdAt: string }} Team
 * @typedef {{ id: string, name: string, email: string, role: 'admin'|'supervisor'|'attendant', disabled: boolean }} Member
 */

/**
 * Teams: who answers which connection's conversations. List with member counts; the chosen team
 * (`?team=<id>`, so the view can be linked) shows its members.
 */
export function TeamsPage() {
  const teams = useLoad(async () => /** @type {Team[]} */ ((await api('GET', '/api/teams')).items));
  const [dialog, setDialog] = useState(/** @type {null | { kind: 'create' } | { kind: 'rename', team: Team }} */ (null));
  const selectedId = route.value.query.get('team');
  const locked = isRestricted();
  const list = teams.data ?? [];
  const selected = list.find((tm) => tm.id === selectedId) ?? null;

  /** @param {string | null} id */
  const select = (id) => navigate(id ? `/admin/teams?team=${encodeURIComponent(id)}` : '/admin/teams');

  let body;
  if (teams.loading && !teams.data) body = html`<div class="card"><${Loading} /></div>`;
  else if (teams.error && !teams.data) body = html`<div class="card"><${LoadError} error=${teams.error} onRetry=${teams.reload} /></div>`;
  else if (!list.length) {
    body = html`<div class="card"><${EmptyState} icon="team" title=${t('teams.empty')} body=${t('teams.emptyBody')}>
      <button type="button" class="btn btn-primary" disabled=${locked} title=${readOnlyTitle()} onClick=${() => setDialog({ kind: 'create' })}>
        <${Icon} name="plus" />${t('teams.create')}</button>
    <//></div>`;
  } else {
    body = html`<div class=${`split ${selected ? 'split-open' : ''}`}>
      <div class="card card-table split-list">
        <table class="table table-click">
          <thead><tr><th>${t('teams.name')}</th><th>${t('teams.members')}</th><th class="actions"><span class="sr-only">${t('common.actions')}</span></th></tr></thead>
          <tbody>
            ${list.map((tm) => html`<tr key=${tm.id} data-testid="team-row" data-id=${tm.id} class=${tm.id === selectedId ? 'row-selected' : ''}>
              <td><button type="button" class="row-link" onClick=${() => select(tm.id)} aria-pressed=${tm.id === selectedId}>
                <span class="team-dot"><${Icon} name="team" size=${16} /></span>${tm.name}</button></td>
              <td><span class="muted">${plural(tm.memberCount, 'teams.memberCount.one', 'teams.memberCount.other')}</span></td>
              <td class="actions"><button type="button" class="btn btn-sm" disabled=${locked} title=${readOnlyTitle()}
                onClick=${() => setDialog({ kind: 'rename', team: tm })} data-testid="team-rename">${t('teams.rename')}</button></td>
            </tr>`)}
          </tbody>
        </table>
      </div>
      ${selected
        ? html`<${TeamMembers} key=${selected.id} team=${selected} onClose=${() => select(null)} />`
        : html`<div class="card split-detail split-hint hide-phone"><${EmptyState} icon="users" title=${t('teams.pick')} body=${t('teams.pickBody')} /></div>`}
    </div>`;
  }

  return html`<section class="page" data-testid="page-teams">
    <${PageHead} title=${t('nav.teams')} subtitle=${t('teams.subtitle')}>
      <button type="button" class="btn btn-primary" disabled=${locked} title=${readOnlyTitle()} onClick=${() => setDialog({ kind: 'create' })} data-testid="team-create">
        <${Icon} name="plus" />${t('teams.create')}</button>
    <//>
    ${body}
    ${dialog && html`<${TeamDialog} team=${dialog.kind === 'rename' ? dialog.team : undefined} onClose=${() => setDialog(null)}
      onSaved=${(/** @type {Team} */ saved) => {
        teams.setData(dialog.kind === 'rename' ? list.map((x) => (x.id === saved.id ? { ...x, name: saved.name } : x)) : [...list, saved].sort((a, b) => a.name.localeCompare(b.name)));
        toast(dialog.kind === 'rename' ? t('common.saved') : t('teams.created', { name: saved.name }), 'success');
        setDialog(null);
      }} />`}
  </section>`;
}

/**
 * The members of one team (GET /teams/:id), with a link to manage them on the Users page.
 * @param {{ team: Team, onClose: () => void }} props
 */
function TeamMembers({ team, onClose }) {
  const detail = useLoad(async () => /** @type {{ members: Member[] }} */ (await api('GET', `/api/teams/${team.id}`)), [team.id]);
  const members = detail.data?.members ?? [];
  return html`<div class="card split-detail" data-testid="team-members">
    <header class="card-head">
      <div><h2>${team.name}</h2><p class="muted small">${plural(team.memberCount, 'teams.memberCount.one', 'teams.memberCount.other')}</p></div>
      <button type="button" class="icon-btn" onClick=${onClose} aria-label=${t('common.close')}><${Icon} name="x" /></button>
    </header>
    ${detail.loading && !detail.data ? html`<${Loading} />`
      : detail.error ? html`<${LoadError} error=${detail.error} onRetry=${detail.reload} />`
      : !members.length ? html`<${EmptyState} icon="users" title=${t('teams.noMembers')} body=${t('teams.noMembersBody')} />`
      : html`<ul class="member-list">
          ${members.map((m) => html`<li key=${m.id} data-testid="team-member" class=${m.disabled ? 'row-muted' : ''}>
            <span class="avatar avatar-sm">${initials(m.name)}</span>
            <div class="cell-person-text"><strong>${m.name}</strong><small class="muted">${m.email}</small></div>
            ${m.disabled ? html`<span class="badge badge-red">${t('users.disabled')}</span>` : html`<span class="badge">${t(`role.${m.role}`)}</span>`}
          </li>`)}
        </ul>`}
    <footer class="card-foot"><a href="/admin/users">${t('teams.manageMembers')}</a></footer>
  </div>`;
}

/**
 * Create (no `team`) or rename a team.
 * @param {{ team?: Team, onClose: () => void, onSaved: (t: Team) => void }} props
 */
function TeamDialog({ team, onClose, onSaved }) {
  const [name, setName] = useState(team?.name ?? '');
  const { busy, error, submit } = useSubmit(async () => {
    const saved = team
      ? await api('PATCH', `/api/teams/${team.id}`, { name: name.trim() })
      : await api('POST', '/api/teams', { name: name.trim() });
    onSaved(saved);
  });
  return html`<${Modal} title=${team ? t('teams.renameTitle') : t('teams.createTitle')} onClose=${onClose} testid="team-dialog">
    <form novalidate onSubmit=${submit}>
      ${error && html`<p class="form-error" role="alert" data-testid="form-error">${error}</p>`}
      <label class="field"><span>${t('teams.name')}</span>
        <input type="text" name="name" required maxlength="80" autocomplete="off" placeholder=${t('teams.namePlaceholder')}
          value=${name} onInput=${(/** @type {Event} */ e) => setName(valueOf(e))} />
        ${!team && html`<small>${t('teams.nameHint')}</small>`}</label>
      <div class="form-actions">
        <button type="button" class="btn" onClick=${onClose}>${t('common.cancel')}</button>
        <button type="submit" class="btn btn-primary" disabled=${busy || !name.trim()} data-testid="team-save">
          ${busy && html`<span class="spinner spinner-sm"></span>`}${team ? t('common.save') : t('common.create')}</button>
      </div>
    </form>
  <//>`;
}
