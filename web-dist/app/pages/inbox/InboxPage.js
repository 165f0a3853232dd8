import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { Icon } from '../../components/Icon.js';
import { t } from '../../lib/i18n.js';
import { navigate } from '../../lib/router.js';
import { loadDirectory } from '../../state/directory.js';
import { conversations, counts, filters, refreshCounts, reloadList } from '../../state/inbox.js';
import { loadQuickReplies } from '../../state/quickReplies.js';
import { me } from '../../state/session.js';
import { ContactPanel } from './ContactPanel.js';
import { ConversationList } from './ConversationList.js';
import { ConversationView } from './ConversationView.js';

/**
 * The attendant's working screen: queues and conversations on the left, the open conversation in the
 * middle, the contact on the right (a drawer on small screens). On a phone one column shows at a time.
 * @param {{ id?: string }} props
 */
export function InboxPage({ id }) {
  const [panel, setPanel] = useState(() => window.matchMedia('(min-width: 1280px)').matches);
  const [contactId, setContactId] = useState(/** @type {string | null} */ (null));

  useEffect(() => {
    // Attendants start with their own conversations; leaders with the team's.
    const role = me.value?.role;
    if (!sessionStorage.getItem('atendo.queue')) filters.value = { ...filters.value, queue: role === 'attendant' ? 'mine' : 'team' };
    else filters.value = { ...filters.value, queue: /** @type {any} */ (sessionStorage.getItem('atendo.queue')) };
    void reloadList();
    refreshCounts(0);
    void loadDirectory();
    void loadQuickReplies();
  }, []);

  // Alt+↓ / Alt+↑ move to the next or previous conversation, even from the composer.
  useEffect(() => {
    /** @param {KeyboardEvent} e */
    const onKey = (e) => {
      if (!e.altKey || (e.key !== 'ArrowDown' && e.key !== 'ArrowUp')) return;
      const list = conversations.value;
      const i = list.findIndex((c) => c.id === id);
      const next = list[e.key === 'ArrowDown' ? i + 1 : i <= 0 ? 0 : i - 1];
      if (next) {
        e.preventDefault();
        navigate(`/inbox/${next.id}`);
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [id]);

  // The tab's title shows how many conversations wait with unread messages (mine and the queue).
  const c = counts.value;
  useEffect(() => {
    const waiting = c ? c.mine.unread + c.unassigned.unread : 0;
    document.title = waiting ? `(${waiting}) Atendo` : 'Atendo';
    return () => { document.title = 'Atendo'; };
  }, [c]);

  return html`<div class=${`inbox ${id ? 'has-open' : ''} ${id && panel ? 'with-panel' : ''}`}>
    <${ConversationList} openId=${id ?? null} />
    ${id
      ? html`<${ConversationView} key=${id} id=${id} panelOpen=${panel} onTogglePanel=${() => setPanel(!panel)} onContact=${setContactId} />`
      : html`<section class="conv"><div class="conv-empty"><div>
          <${EmptyIllustration} />
        </div></div></section>`}
    ${id && panel && contactId && html`<${ContactPanel} key=${contactId} contactId=${contactId} conversationId=${id} onClose=${() => setPanel(false)} />`}
  </div>`;
}

function EmptyIllustration() {
  return html`<div class="empty-page">
    <${Icon} name="inbox" size=${44} />
    <h2>${t('inbox.pick')}</h2>
    <p>${t('inbox.pickHint')}</p>
  </div>`;
}
