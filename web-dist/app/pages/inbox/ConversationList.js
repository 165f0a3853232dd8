import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { Icon } from '../../components/Icon.js';
import { errorText } from '../../lib/errors.js';
import { initials, phone, shortTime } from '../../lib/format.js';
import { plural, t } from '../../lib/i18n.js';
import { navigate } from '../../lib/router.js';
import { conversations, counts, filters, inboxHref, listError, listLoading, loadMore, nextCursor, queuesFor, reloadList } from '../../state/inbox.js';
import { me } from '../../state/session.js';

/** @typedef {import('../../state/inbox.js').Queue} Queue */

/**
 * The queues, the search box and the conversation list, newest activity first. Until the inbox has
 * picked its queue (`ready`), no tab is marked as the one on screen.
 * @param {{ openId: string | null, ready: boolean, onNew?: () => void }} props
 */
export function ConversationList({ openId, ready, onNew }) {
  const f = filters.value;
  const queues = queuesFor(me.value?.role);
  const [q, setQ] = useState(f.q);
  const timer = useRef(/** @type {ReturnType<typeof setTimeout> | undefined} */ (undefined));

  /** @param {Queue} queue */
  const pickQueue = (queue) => navigate(inboxHref(openId, queue));
  /** @param {string} value */
  const search = (value) => {
    setQ(value);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      filters.value = { ...filters.value, q: value };
      void reloadList();
    }, 250);
  };
  const toggleStatus = () => {
    filters.value = { ...filters.value, status: f.status === 'open' ? 'resolved' : 'open' };
    void reloadList();
  };
  useEffect(() => () => clearTimeout(timer.current), []);

  const c = counts.value;
  const list = conversations.value;
  return html`<aside class="inbox-list">
    <div class="inbox-list-head">
      <div class="queue-tabs" role="tablist">
        ${queues.map((queue) => {
          const n = c?.[queue];
          return html`<button key=${queue} type="button" role="tab" aria-selected=${ready && f.queue === queue} class=${ready && f.queue === queue ? 'active' : ''}
            data-testid=${`queue-${queue}`} onClick=${() => pickQueue(queue)}>
            <span class="queue-label">${t(`inbox.queue.${queue}`)}</span>${n ? html`<span class="count" title=${plural(n.unread, 'inbox.unreadOne', 'inbox.unreadOther')}>${n.total}</span>` : html`<span class="count">0</span>`}
          </button>`;
        })}
      </div>
      <div class="search-box">
        <${Icon} name="search" size=${16} />
        <input type="search" placeholder=${t('inbox.search')} aria-label=${t('inbox.search')} value=${q} data-testid="inbox-search"
          onInput=${(/** @type {any} */ e) => search(e.currentTarget.value)} />
      </div>
      <div class="status-toggle">
        ${onNew && html`<button type="button" class="btn btn-sm new-conv-btn" data-testid="new-conversation" onClick=${onNew}>
          <${Icon} name="plus" size=${14} />${t('newConv.open')}</button>`}
        <button type="button" class="link-btn small" onClick=${toggleStatus} data-testid="status-toggle">
          ${f.status === 'open' ? t('inbox.status.resolved') : t('inbox.status.open')}
        </button>
      </div>
    </div>
    <ul class="conv-items" data-testid="conversation-list" aria-busy=${listLoading.value}>
      ${list.map((conv) => html`<${ConversationItem} key=${conv.id} conv=${conv} active=${conv.id === openId} />`)}
    </ul>
    ${listError.value && html`<div class="list-foot"><p class="form-error">${errorText(listError.value)}</p>
      <button class="btn btn-sm" onClick=${() => reloadList()}>${t('common.retry')}</button></div>`}
    ${ready && !list.length && !listLoading.value && !listError.value && html`<div class="list-empty">${
      f.q ? t('inbox.empty.search', { q: f.q }) : f.status === 'resolved' ? t('inbox.empty.resolved') : t(`inbox.empty.${f.queue}`)}</div>`}
    ${nextCursor.value && html`<div class="list-foot"><button class="btn btn-sm" disabled=${listLoading.value} onClick=${() => loadMore()}>${t('common.loadMore')}</button></div>`}
  </aside>`;
}

/** @param {{ conv: import('../../state/inbox.js').Conversation, active: boolean }} props */
function ConversationItem({ conv, active }) {
  const name = conv.contact.name || phone(conv.contact.externalId);
  const unread = conv.unreadCount > 0;
  return html`<li>
    <a href=${inboxHref(conv.id)} class=${`conv-item ${active ? 'active' : ''} ${unread ? 'unread' : ''}`} data-testid="conversation-item" data-id=${conv.id}
      aria-current=${active ? 'true' : undefined}>
      <span class="avatar">${initials(conv.contact.name ?? '') === '?' ? html`<${Icon} name="user" />` : initials(conv.contact.name)}</span>
      <span class="conv-main">
        <span class="conv-top"><span class="conv-name">${name}</span>
          ${conv.botActive && html`<span class="badge badge-bot" data-testid="bot-badge" title=${t('inbox.botBadgeTitle')}><${Icon} name="bot" size=${12} />${t('inbox.botBadge')}</span>`}
          <span class="conv-time">${shortTime(conv.lastMessageAt)}</span></span>
        <span class="conv-bottom">
          <span class="conv-preview"><span class=${`channel channel-${conv.connection.channel}`}><${Icon} name=${conv.connection.channel} size=${13} /></span> ${conv.lastMessagePreview ?? ''}</span>
          ${unread && html`<span class="unread-dot" aria-label=${plural(conv.unreadCount, 'inbox.unreadOne', 'inbox.unreadOther')}>${conv.unreadCount > 99 ? '99+' : conv.unreadCount}</span>`}
        </span>
      </span>
    </a>
  </li>`;
}
