import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { Icon } from '../../components/Icon.js';
import { Modal } from '../../components/Modal.js';
import { toast } from '../../components/Toast.js';
import { api } from '../../lib/api.js';
import { errorText } from '../../lib/errors.js';
import { t } from '../../lib/i18n.js';
import { navigate } from '../../lib/router.js';
import { inboxHref, refreshCounts, reloadList } from '../../state/inbox.js';
import { me } from '../../state/session.js';
import { TemplatePicker } from './TemplatePicker.js';

/** @typedef {{ id: string, name: string, displayPhoneNumber: string | null, teamId: string | null, qualityRating: string | null }} StartConnection */

/**
 * "Nova conversa": a phone number that may never have written, a WhatsApp number to write from and an
 * approved template with its parameters. The server normalises the phone (+55, the ninth digit) and
 * opens the conversation assigned to whoever starts it; the dialog then opens it.
 * @param {{ onClose: () => void }} props
 */
export function NewConversation({ onClose }) {
  const [connections, setConnections] = useState(/** @type {StartConnection[] | null} */ (null));
  const [connectionId, setConnectionId] = useState('');
  const [phone, setPhone] = useState('');
  const [choice, setChoice] = useState(/** @type {import('./TemplatePicker.js').Choice} */ ({ template: null, params: {}, complete: false }));
  const [error, setError] = useState(/** @type {string | null} */ (null));
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api('GET', '/api/templates/connections')
      .then((r) => {
        setConnections(r.items);
        const user = me.value;
        const mine = r.items.find((/** @type {StartConnection} */ c) => user?.role === 'admin' || (c.teamId && user?.teamIds.includes(c.teamId)));
        setConnectionId((mine ?? r.items[0])?.id ?? '');
      })
      .catch((err) => setError(errorText(err)));
  }, []);

  /** Attendants and supervisors start in a team of theirs: the number's team when it is one, else their first. */
  const teamFor = (/** @type {StartConnection | undefined} */ c) => {
    const user = me.value;
    if (!user || user.role === 'admin' || !c) return undefined;
    return c.teamId && user.teamIds.includes(c.teamId) ? undefined : user.teamIds[0];
  };

  const start = async () => {
    if (!choice.template || !choice.complete || !phone.trim() || busy) return;
    setBusy(true);
    setError(null);
    const connection = connections?.find((c) => c.id === connectionId);
    const teamId = teamFor(connection);
    try {
      const conv = await api('POST', '/api/conversations', {
        connectionId, phone: phone.trim(), templateId: choice.template.id, params: choice.params, clientId: crypto.randomUUID(),
        ...(teamId ? { teamId } : {}),
      });
      toast(conv.opened ? t('newConv.started') : t('newConv.existing'), 'success');
      onClose();
      void reloadList();
      refreshCounts(0);
      navigate(inboxHref(conv.id, 'mine'));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return html`<${Modal} title=${t('newConv.title')} onClose=${onClose} wide testid="new-conversation">
    <form novalidate class="new-conv" onSubmit=${(/** @type {Event} */ e) => { e.preventDefault(); void start(); }}>
      ${error && html`<p class="form-error" data-testid="new-conversation-error" role="alert">${error}</p>`}
      <div class="new-conv-row">
        <label class="field"><span>${t('newConv.phone')}</span>
          <input type="tel" data-testid="new-conversation-phone" value=${phone} autocomplete="off" placeholder="(11) 98765-4321" maxlength="40"
            onInput=${(/** @type {any} */ e) => setPhone(e.currentTarget.value)} />
          <small>${t('newConv.phoneHint')}</small>
        </label>
        <label class="field"><span>${t('newConv.connection')}</span>
          <select data-testid="new-conversation-connection" value=${connectionId} onChange=${(/** @type {any} */ e) => setConnectionId(e.currentTarget.value)}>
            ${(connections ?? []).map((c) => html`<option key=${c.id} value=${c.id}>${c.name}${c.displayPhoneNumber ? ` · ${c.displayPhoneNumber}` : ''}</option>`)}
          </select>
        </label>
      </div>
      ${connections && !connections.length && html`<p class="muted">${t('newConv.noConnections')}</p>`}
      ${connectionId && html`<${TemplatePicker} key=${connectionId} connectionId=${connectionId} onChange=${setChoice} />`}
      <div class="form-actions">
        <button type="button" class="btn" onClick=${onClose}>${t('newConv.cancel')}</button>
        <button type="submit" class="btn btn-primary" data-testid="new-conversation-start" disabled=${busy || !phone.trim() || !choice.complete}>
          <${Icon} name="send" size=${16} />${t('newConv.start')}</button>
      </div>
    </form>
  <//>`;
}
