import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { Modal } from '../../components/Modal.js';
import { api } from '../../lib/api.js';
import { errorText } from '../../lib/errors.js';
import { t } from '../../lib/i18n.js';
import { directory } from '../../state/directory.js';

/**
 * Gives the conversation to another team, another person, or both. With a team and no person it goes
 * to that team's queue.
 * @param {{ conversation: import('../../state/inbox.js').Conversation, onClose: () => void, onDone: (c: any) => void }} props
 */
export function TransferDialog({ conversation: c, onClose, onDone }) {
  const [teamId, setTeamId] = useState(c.teamId ?? '');
  const [userId, setUserId] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const { teams, users } = directory.value;
  const people = users.filter((u) => u.id !== c.assigneeId && (!teamId || u.teamIds.includes(teamId) || u.role === 'admin'));

  /** @param {SubmitEvent} e */
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      /** @type {{ teamId?: string | null, userId?: string | null }} */
      const body = {};
      if (teamId !== (c.teamId ?? '')) body.teamId = teamId || null;
      body.userId = userId || null;
      onDone(await api('POST', `/api/conversations/${c.id}/transfer`, body));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return html`<${Modal} title=${t('transfer.title')} onClose=${onClose} testid="transfer-dialog">
    <form novalidate onSubmit=${submit}>
      <label class="field"><span>${t('transfer.team')}</span>
        <select data-testid="transfer-team" value=${teamId} onChange=${(/** @type {any} */ e) => { setTeamId(e.currentTarget.value); setUserId(''); }}>
          ${!c.teamId && html`<option value="">${t('inbox.noTeam')}</option>`}
          ${teams.map((team) => html`<option key=${team.id} value=${team.id}>${team.name}</option>`)}
        </select></label>
      <label class="field"><span>${t('transfer.user')}</span>
        <select data-testid="transfer-user" value=${userId} onChange=${(/** @type {any} */ e) => setUserId(e.currentTarget.value)}>
          <option value="">${t('transfer.anyone')}</option>
          ${people.map((u) => html`<option key=${u.id} value=${u.id}>${u.name} · ${t(`role.${/** @type {'admin'} */ (u.role)}`)}</option>`)}
        </select></label>
      <p class="muted small">${t('transfer.hint')}</p>
      ${error && html`<p class="form-error" role="alert">${error}</p>`}
      <div class="form-actions">
        <button type="button" class="btn" onClick=${onClose}>${t('common.cancel')}</button>
        <button type="submit" class="btn btn-primary" data-testid="transfer-confirm" disabled=${busy}>${t('transfer.submit')}</button>
      </div>
    </form>
  <//>`;
}
