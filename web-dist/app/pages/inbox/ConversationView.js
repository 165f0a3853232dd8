import { html } from 'htm/preact';
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { Icon } from '../../components/Icon.js';
import { toast } from '../../components/Toast.js';
import { api, ApiError } from '../../lib/api.js';
import { errorText } from '../../lib/errors.js';
import { dayLabel, initials, phone } from '../../lib/format.js';
import { t } from '../../lib/i18n.js';
import { on } from '../../lib/realtime.js';
import { teamName, userName } from '../../state/directory.js';
import { inboxHref, markReadLocally, placeConversation, refreshCounts, removedIds, setOpenConversation } from '../../state/inbox.js';
import { isRestricted } from '../../state/license.js';
import { me } from '../../state/session.js';
import { Composer } from './Composer.js';
import { ConversationSchedules } from '../schedules/ConversationSchedules.js';
import { MessageBubble } from './MessageBubble.js';
import { TransferDialog } from './TransferDialog.js';

/**
 * @typedef {import('../../state/inbox.js').Conversation} Conversation
 * @typedef {{
 *   id: string, conversationId: string, direction: 'in'|'out'|'note', origin: string, senderUserId: string | null,
 *   clientId: string | null, type: string, body: string | null, payload: any, status: string,
 *   error: { code: string, title: string | null, detail: string | null } | null,
 *   media: { status: string, mimeType: string | null, size: number | null, filename: string | null, error: string | null, url: string | null } | null,
 *   at: string, sentAt: string | null, deliveredAt: string | null, readAt: string | null, failedAt: string | null
 * }} Message
 */

/**
 * One conversation: header with the actions, the thread (live), and the composer.
 * @param {{ id: string, panelOpen: boolean, onTogglePanel: () => void, onContact: (id: string | null) => void }} props
 */
export function ConversationView({ id, panelOpen, onTogglePanel, onContact }) {
  const [conv, setConv] = useState(/** @type {Conversation | null} */ (null));
  const [messages, setMessages] = useState(/** @type {Message[]} */ ([]));
  const [older, setOlder] = useState(/** @type {string | null} */ (null));
  const [error, setError] = useState(/** @type {unknown} */ (null));
  const [transfer, setTransfer] = useState(false);
  const [busy, setBusy] = useState(false);
  const [scheduling, setScheduling] = useState(/** @type {string | null} */ (null));
  const thread = useRef(/** @type {HTMLDivElement | null} */ (null));
  const stickToBottom = useRef(true);

  const load = useCallback(async () => {
    try {
      const [c, page] = await Promise.all([api('GET', `/api/conversations/${id}`), api('GET', `/api/conversations/${id}/messages?limit=50`)]);
      setConv(c);
      onContact(c.contact.id);
      // Sends still in flight stay; a stored copy that already arrived settles them (mergeMessages).
      setMessages((prev) => mergeMessages(prev.filter((m) => m.status === 'sending'), page.items.reverse()));
      setOlder(page.nextCursor);
      setError(null);
      stickToBottom.current = true;
      if (c.unreadCount > 0) markRead();
    } catch (err) {
      setError(err);
    }
  }, [id]);

  const markRead = () => {
    markReadLocally(id);
    void api('POST', `/api/conversations/${id}/read`).then(() => refreshCounts()).catch(() => {});
  };

  useEffect(() => {
    setOpenConversation(id);
    void load();
    const offs = [
      on('message:new', (/** @type {{ message: Message, conversation?: Conversation }} */ e) => {
        if (e.message.conversationId !== id) return;
        if (e.conversation) setConv((c) => (c ? { ...c, ...e.conversation, contact: { ...c.contact, ...e.conversation?.contact } } : c));
        setMessages((prev) => mergeMessages(prev, [e.message]));
        if (e.message.direction === 'in' && document.visibilityState === 'visible') markRead();
      }),
      on('message:updated', (/** @type {{ message: Message }} */ e) => {
        if (e.message.conversationId === id) setMessages((prev) => mergeMessages(prev, [e.message]));
      }),
      on('conversation:updated', (/** @type {{ conversation: Conversation }} */ e) => {
        if (e.conversation.id === id) setConv((c) => (c ? { ...c, ...e.conversation } : e.conversation));
      }),
      on('resync', () => void load()),
    ];
    return () => {
      offs.forEach((off) => off());
      setOpenConversation(null);
    };
  }, [id]);

  // Stay at the newest message unless the person scrolled up to read older ones.
  useLayoutEffect(() => {
    const el = thread.current;
    if (el && stickToBottom.current) el.scrollTop = el.scrollHeight;
  }, [messages]);
  const onScroll = () => {
    const el = thread.current;
    if (el) stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
  };

  const loadOlder = async () => {
    if (!older) return;
    const el = thread.current;
    const before = el ? el.scrollHeight - el.scrollTop : 0;
    const page = await api('GET', `/api/conversations/${id}/messages?limit=50&cursor=${encodeURIComponent(older)}`).catch((err) => {
      toast(errorText(err), 'error');
      return null;
    });
    if (!page) return;
    stickToBottom.current = false;
    setMessages((prev) => mergeMessages(page.items.reverse(), prev));
    setOlder(page.nextCursor);
    requestAnimationFrame(() => { if (el) el.scrollTop = el.scrollHeight - before; });
  };

  /**
   * A conversation action (assign, resolve...). The answer is the conversation as it is now.
   * @param {string} path @param {unknown} body @param {import('../../lib/i18n.js').MessageKey} done
   */
  const act = async (path, body, done) => {
    setBusy(true);
    try {
      const c = await api('POST', `/api/conversations/${id}/${path}`, body);
      setConv((prev) => (prev ? { ...prev, ...c } : c));
      placeConversation(c);
      refreshCounts();
      toast(t(done), 'success');
    } catch (err) {
      toast(errorText(err), 'error');
    } finally {
      setBusy(false);
    }
  };

  /** Shows the message at once; the server's answer (or its socket echo) replaces it. @param {Message} m */
  const addPending = (m) => {
    stickToBottom.current = true;
    setMessages((prev) => [...prev, m]);
  };
  /** @param {string} clientId @param {Message | null} m */
  const settlePending = (clientId, m) => {
    setMessages((prev) => (m ? mergeMessages(prev, [m]) : prev.filter((x) => x.clientId !== clientId || x.status !== 'sending')));
  };

  if (error) {
    const gone = error instanceof ApiError && error.status === 404;
    return html`<section class="conv"><div class="conv-empty"><div class="empty-page">
      <${Icon} name=${gone ? 'lock' : 'alert'} size=${40} />
      <p>${gone ? t('error.not_found') : errorText(error)}</p>
      <a class="btn" href=${inboxHref()}>${t('action.back')}</a></div></div></section>`;
  }
  if (!conv) return html`<section class="conv" aria-busy="true"><div class="boot"></div></section>`;

  const user = me.value;
  const removed = removedIds.value.has(id);
  const mine = conv.assigneeId === user?.id;
  const name = conv.contact.name || phone(conv.contact.externalId);
  const assignee = conv.assigneeId ? (mine ? t('inbox.assignedToYou') : t('inbox.assignedTo', { name: userName(conv.assigneeId) ?? '…' })) : t('inbox.unassigned');
  const readOnly = isRestricted();
  const open = conv.status === 'open';
  // A bot flow is answering (banner with "Assumir"), or a person took it from one ("Devolver ao robô").
  const botActive = open && conv.botActive;
  const canHandBack = open && !conv.botActive && !!conv.humanSince;

  return html`<section class="conv" data-testid="conversation" data-id=${id}>
    <header class="conv-head">
      <a class="icon-btn only-phone" href=${inboxHref()} aria-label=${t('action.back')}><${Icon} name="back" /></a>
      <span class="avatar">${initials(conv.contact.name)}</span>
      <div class="who">
        <strong data-testid="conversation-name">${name}</strong>
        <small><span class=${`channel channel-${conv.connection.channel}`}><${Icon} name=${conv.connection.channel} size=${12} /></span>
          ${' '}${conv.connection.name} · ${teamName(conv.teamId) ?? t('inbox.noTeam')} · <span data-testid="assignee">${assignee}</span>
          ${conv.status === 'resolved' ? html` · <span class="badge badge-green">${t('inbox.resolved')}</span>` : ''}</small>
      </div>
      <div class="conv-actions">
        ${canHandBack && html`<button class="btn btn-sm" data-testid="hand-back" disabled=${busy || readOnly || removed} title=${t('action.handBackTitle')} aria-label=${t('action.handBack')}
          onClick=${() => act('bot/hand-back', undefined, 'toast.handedBack')}><${Icon} name="bot" size=${15} /><span>${t('action.handBack')}</span></button>`}
        ${conv.status === 'open' && !mine && !botActive && html`<button class="btn btn-sm btn-primary" data-testid="assign-me" disabled=${busy || readOnly || removed}
          onClick=${() => act('assign', { userId: user?.id }, 'toast.assigned')}><${Icon} name="user" size=${15} /><span>${t('action.assignMe')}</span></button>`}
        ${conv.status === 'open' && html`<button class="btn btn-sm" data-testid="transfer" disabled=${busy || readOnly || removed} onClick=${() => setTransfer(true)}>
          <${Icon} name="transfer" size=${15} /><span>${t('action.transfer')}</span></button>`}
        ${conv.status === 'open'
          ? html`<button class="btn btn-sm" data-testid="resolve" disabled=${busy || readOnly || removed} onClick=${() => act('resolve', undefined, 'toast.resolved')}>
              <${Icon} name="resolve" size=${15} /><span>${t('action.resolve')}</span></button>`
          : html`<button class="btn btn-sm" data-testid="reopen" disabled=${busy || readOnly} onClick=${() => act('reopen', undefined, 'toast.reopened')}>
              <${Icon} name="reopen" size=${15} /><span>${t('action.reopen')}</span></button>`}
        <button class=${`icon-btn ${panelOpen ? 'active' : ''}`} data-testid="toggle-contact" aria-pressed=${panelOpen} aria-label=${t('action.contact')}
          title=${t('action.contact')} onClick=${onTogglePanel}><${Icon} name="info" /></button>
      </div>
    </header>
    ${botActive && html`<div class="banner banner-bot" role="status" data-testid="bot-banner">
      <span class="banner-bot-icon"><${Icon} name="bot" size=${18} /></span>
      <span class="banner-bot-text">${t('inbox.botActive')}</span>
      <button class="btn btn-sm btn-primary" data-testid="take-over" disabled=${busy || readOnly || removed} title=${t('inbox.botActiveHint')}
        onClick=${() => act('bot/take-over', undefined, 'toast.takenOver')}>${t('action.takeOver')}</button>
    </div>`}
    ${removed && html`<div class="banner banner-warning" role="status" data-testid="conversation-removed"><${Icon} name="transfer" /> ${t('inbox.removed')}</div>`}
    <div class="thread" ref=${thread} onScroll=${onScroll} data-testid="thread" aria-live="polite">
      ${older && html`<button class="btn btn-sm btn-ghost day-sep" onClick=${loadOlder}>${t('action.loadOlder')}</button>`}
      ${withDays(messages).map((item) => (typeof item === 'string'
        ? html`<div class="day-sep" key=${`d-${item}`}>${item}</div>`
        : html`<${MessageBubble} key=${item.clientId && item.status === 'sending' ? `c-${item.clientId}` : item.id} message=${item} channel=${conv.connection.channel} />`))}
    </div>
    <${ConversationSchedules} conversation=${conv} creating=${scheduling} onCreated=${() => setScheduling(null)} readOnly=${isRestricted() || removed} />
    <${Composer} conversation=${conv} disabled=${removed} onPending=${addPending} onSettled=${settlePending} onSchedule=${(/** @type {string} */ text) => setScheduling(text)} />
    ${transfer && html`<${TransferDialog} conversation=${conv} onClose=${() => setTransfer(false)}
      onDone=${(/** @type {Conversation} */ c) => { setTransfer(false); setConv((prev) => (prev ? { ...prev, ...c } : c)); placeConversation(c); refreshCounts(); toast(t('toast.transferred'), 'success'); }} />`}
  </section>`;
}

/**
 * Messages in thread order with their updates applied: exactly one entry per message, however its copies
 * arrive (the composer's pending copy, the socket's push, the HTTP answer, a reload), in any order.
 * A copy is the same message when it has the same id, or when it settles a pending send: same clientId,
 * or — for a note, whose socket push carries no clientId — the first pending note of the same author
 * and text. Of the copies, the one furthest along wins (a late "sent" never overwrites "read").
 * @param {Message[]} base @param {Message[]} incoming
 */
export function mergeMessages(base, incoming) {
  let out = [...base];
  for (const m of incoming) {
    const pendingNote = m.direction === 'note' && !m.clientId
      ? out.find((x) => x.status === 'sending' && x.direction === 'note' && x.senderUserId === m.senderUserId && x.body === m.body && !out.some((y) => y.id === m.id))
      : undefined;
    /** @param {Message} x */
    const same = (x) => x.id === m.id || x === pendingNote || (!!m.clientId && x.clientId === m.clientId && x.status === 'sending');
    const copies = out.filter(same);
    if (!copies.length) {
      out.push(m);
      continue;
    }
    let best = m;
    for (const x of copies) if (rank(x) > rank(best)) best = x;
    // The stored message keeps the clientId of the pending copy it settled, so a later answer still finds it.
    const clientId = best.clientId ?? copies.find((x) => x.clientId)?.clientId ?? null;
    const kept = best.id.startsWith('pending-') && !m.id.startsWith('pending-') ? m : best;
    out = out.filter((x) => !same(x));
    out.push({ ...kept, clientId });
  }
  return out.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}

const ORDER = ['sending', 'queued', 'sent', 'delivered', 'read'];
/** How far a message has come; failed and inbound states always apply. @param {Message | undefined} m */
const rank = (m) => (m ? (ORDER.includes(m.status) ? ORDER.indexOf(m.status) : 99) : -1);

/** Day separators between messages of different days. @param {Message[]} messages @returns {(Message | string)[]} */
function withDays(messages) {
  /** @type {(Message | string)[]} */
  const out = [];
  let last = '';
  for (const m of messages) {
    const day = new Date(m.at).toDateString();
    if (day !== last) {
      out.push(dayLabel(m.at));
      last = day;
    }
    out.push(m);
  }
  return out;
}

