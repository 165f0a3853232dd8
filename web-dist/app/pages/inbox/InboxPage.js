import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { loadDirectory } from '../../state/directory.js';
import { filters, refreshCounts, reloadList } from '../../state/inbox.js';
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

import { Icon } from '../../components/Icon.js';
import { t } from '../../lib/i18n.js';

function EmptyIllustration() {
  return html`<div class="empty-page">
    <${Icon} name="inbox" size=${44} />
    <h2>${t('inbox.pick')}</h2>
    <p>${t('inbox.pickHint')}</p>
  </div>`;
}
