import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { Icon } from '../../components/Icon.js';
import { t } from '../../lib/i18n.js';
import { navigate, route } from '../../lib/router.js';
import { loadDirectory } from '../../state/directory.js';
import {
  conversations, counts, filters, inboxHref, isQueueFor, landingQueue, listLoading, loadCounts, refreshCounts, reloadList,
} from '../../state/inbox.js';
import { loadQuickReplies } from '../../state/quickReplies.js';
import { me } from '../../state/session.js';
import { ContactPanel } from './ContactPanel.js';
import { ConversationList } from './ConversationList.js';
import { ConversationView } from './ConversationView.js';
import { NewConversation } from './NewConversation.js';

/** Whose inbox already landed on a queue in this page's life (their later choices then stand). */
let landedFor = /** @type {string | null} */ (null);

/**
 * The attendant's working screen: queues and conversations on the left, the open conversation in the
 * middle, the contact on the right (a drawer on small screens). On a phone one column shows at a time.
 * @param {{ id?: string }} props
 */
export function InboxPage({ id }) {
  const [panel, setPanel] = useState(() => window.matchMedia('(min-width: 1280px)').matches);
  const [contactId, setContactId] = useState(/** @type {string | null} */ (null));
  const [starting, setStarting] = useState(false);

  // The queue on screen is the one the address names (?queue=); without one, the inbox lands where
  // the work is (landingQueue) the first time it opens for this person, and keeps their choice after.
  const user = me.value;
  const asked = route.value.query.get('queue');
  const [ready, setReady] = useState(() => landedFor === user?.id);
  const listedHere = useRef(false);
  useEffect(() => {
    void loadDirectory();
    void loadQuickReplies();
    refreshCounts(0);
  }, []);
  useEffect(() => {
    let live = true;
    const role = user?.role;
    /** @param {import('../../state/inbox.js').Queue} queue */
    const show = (queue) => {
      landedFor = user?.id ?? null;
      const changed = queue !== filters.value.queue || !listedHere.current;
      listedHere.current = true;
      filters.value = { ...filters.value, queue };
      if (changed) void reloadList();
      if (asked !== queue) navigate(inboxHref(id ?? null, queue), { replace: true });
      setReady(true);
    };
    if (isQueueFor(asked, role)) show(asked);
    else if (landedFor === user?.id) show(filters.value.queue);
    else {
      listLoading.value = true;
      void loadCounts().then((c) => { if (live) show(landingQueue(role, c)); });
    }
    return () => { live = false; };
  }, [asked, id, user?.id]);

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
        navigate(inboxHref(next.id));
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
    <${ConversationList} openId=${id ?? null} ready=${ready} onNew=${() => setStarting(true)} />
    ${id
      ? html`<${ConversationView} key=${id} id=${id} panelOpen=${panel} onTogglePanel=${() => setPanel(!panel)} onContact=${setContactId} />`
      : html`<section class="conv"><div class="conv-empty"><div>
          <${EmptyIllustration} />
        </div></div></section>`}
    ${id && panel && contactId && html`<${ContactPanel} key=${contactId} contactId=${contactId} conversationId=${id} onClose=${() => setPanel(false)} />`}
    ${starting && html`<${NewConversation} onClose=${() => setStarting(false)} />`}
  </div>`;
}

function EmptyIllustration() {
  return html`<div class="empty-page">
    <${Icon} name="inbox" size=${44} />
    <h2>${t('inbox.pick')}</h2>
    <p>${t('inbox.pickHint')}</p>
  </div>`;
}
