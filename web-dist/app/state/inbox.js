import { signal } from '@preact/signals';
import { api } from '../lib/api.js';
import { on } from '../lib/realtime.js';
import { me } from './session.js';

/**
 * @typedef {'unassigned'|'mine'|'team'|'bot'|'all'} Queue
 * @typedef {'open'|'resolved'} StatusFilter
 * @typedef {{
 *   id: string, status: 'open'|'resolved',
 *   connection: { id: string, name: string, channel: 'whatsapp'|'instagram' },
 *   contact: { id: string, name: string | null, externalId: string, tags: string[] },
 *   teamId: string | null, assigneeId: string | null, lastMessageAt: string, lastMessagePreview: string | null,
 *   serviceWindowEndsAt: string | null, humanAgentWindowEndsAt?: string | null, unreadCount: number, createdAt: string, resolvedAt: string | null,
 *   botActive: boolean, humanSince: string | null
 * }} Conversation
 * @typedef {{ total: number, unread: number }} QueueCount
 * @typedef {{ unassigned: QueueCount, mine: QueueCount, team: QueueCount, bot: QueueCount, all: QueueCount | null }} Counts
 */

/** What the list shows: the queue, its filters, and the loaded pages. */
export const filters = signal(/** @type {{ queue: Queue, status: StatusFilter, q: string }} */ ({ queue: 'mine', status: 'open', q: '' }));
export const conversations = signal(/** @type {Conversation[]} */ ([]));
export const nextCursor = signal(/** @type {string | null} */ (null));
export const listLoading = signal(false);
export const listError = signal(/** @type {unknown} */ (null));
export const counts = signal(/** @type {Counts | null} */ (null));
/** Ids that left the viewer's sight while open (transferred away): the view says so instead of vanishing. */
export const removedIds = signal(/** @type {Set<string>} */ (new Set()));

let generation = 0;

/**
 * The conversation open on screen: it is being read, so the list never shows it as unread (a list page
 * fetched just before the read was recorded would otherwise bring the old count back).
 */
let openId = /** @type {string | null} */ (null);
/** @param {string | null} id */
export function setOpenConversation(id) {
  openId = id;
  if (id) markReadLocally(id);
}
/** @param {Conversation} c */
const seen = (c) => (c.id === openId && c.unreadCount ? { ...c, unreadCount: 0 } : c);

/** Loads the first page for the current filters; older answers that arrive late are dropped. */
export async function reloadList() {
  const gen = ++generation;
  listLoading.value = true;
  listError.value = null;
  try {
    const page = await api('GET', `/api/conversations?${query()}`);
    if (gen !== generation) return;
    conversations.value = page.items.map(seen);
    nextCursor.value = page.nextCursor;
  } catch (err) {
    if (gen === generation) listError.value = err;
  } finally {
    if (gen === generation) listLoading.value = false;
  }
}

export async function loadMore() {
  const cursor = nextCursor.value;
  if (!cursor || listLoading.value) return;
  const gen = generation;
  listLoading.value = true;
  try {
    const page = await api('GET', `/api/conversations?${query()}&cursor=${encodeURIComponent(cursor)}`);
    if (gen !== generation) return;
    const have = new Set(conversations.value.map((c) => c.id));
    conversations.value = [...conversations.value, ...page.items.filter((/** @type {Conversation} */ c) => !have.has(c.id)).map(seen)];
    nextCursor.value = page.nextCursor;
  } catch (err) {
    listError.value = err;
  } finally {
    if (gen === generation) listLoading.value = false;
  }
}

function query() {
  const f = filters.value;
  const p = new URLSearchParams({ queue: f.queue, status: f.status, limit: '40' });
  if (f.q.trim()) p.set('q', f.q.trim());
  return p.toString();
}

let countsTimer = /** @type {ReturnType<typeof setTimeout> | undefined} */ (undefined);
let countsAt = 0;
/** Every open dashboard asks for counts; under a busy inbox that is at most once per this, per dashboard. */
const COUNTS_EVERY_MS = 2000;

/** Counts are refetched after a burst of events, at most every COUNTS_EVERY_MS, never once per event. */
export function refreshCounts(delayMs = 250) {
  if (countsTimer !== undefined) return;
  const wait = Math.max(delayMs, countsAt + COUNTS_EVERY_MS - Date.now());
  countsTimer = setTimeout(() => {
    countsTimer = undefined;
    void loadCounts();
  }, wait);
}

/** The open conversations' counts now (null when the server could not answer). @returns {Promise<Counts | null>} */
export async function loadCounts() {
  countsAt = Date.now();
  const c = await api('GET', '/api/conversations/counts?status=open').catch(() => null);
  if (c) counts.value = c;
  return c;
}

/**
 * The queues a person's inbox offers, in the order of its tabs; "Robô" (a bot is handling it) for everyone,
 * within what they see. @param {string | undefined} role @returns {Queue[]}
 */
export const queuesFor = (role) => (role === 'attendant' ? ['unassigned', 'mine', 'team', 'bot'] : ['unassigned', 'mine', 'team', 'bot', 'all']);

/** @param {string | null | undefined} q @param {string | undefined} role @returns {q is Queue} */
export const isQueueFor = (q, role) => !!q && /** @type {string[]} */ (queuesFor(role)).includes(q);

/**
 * Where the inbox opens when the address names no queue: where the work is. A queue has work when it
 * holds unread messages, or — for the queue ("Na fila") — any customer waiting for someone to take them.
 * The person's queues are walked in a fixed order: their own conversations, the queue, the team's,
 * all; the first with work wins. With no work anywhere: their own open conversations if they have
 * any, else the queue, where new customers appear live.
 * @param {string | undefined} role @param {Counts | null} c @returns {Queue}
 */
export function landingQueue(role, c) {
  /** @type {Queue[]} */
  const order = /** @type {Queue[]} */ (['mine', 'unassigned', 'team', 'all']).filter((q) => isQueueFor(q, role));
  if (!c) return 'unassigned';
  /** @param {Queue} q */
  const hasWork = (q) => (c[q]?.unread ?? 0) > 0 || (q === 'unassigned' && (c[q]?.total ?? 0) > 0);
  return order.find(hasWork) ?? ((c.mine?.total ?? 0) > 0 ? 'mine' : 'unassigned');
}

/**
 * The inbox address for the current queue (and a conversation), so the address bar always says which
 * queue is on screen and a reload or a shared link opens the same one.
 * @param {string | null} [conversationId] @param {Queue} [queue]
 */
export const inboxHref = (conversationId = null, queue = filters.value.queue) =>
  `/inbox${conversationId ? `/${encodeURIComponent(conversationId)}` : ''}?queue=${queue}`;

/**
 * Does a conversation belong in the list as filtered now? The server's rule (policies/conversations.ts
 * and the inbox queues), repeated here only to place live updates; every reload asks the server.
 * @param {Conversation} c
 */
function belongs(c) {
  const user = me.value;
  if (!user) return false;
  const f = filters.value;
  if (f.q.trim()) return conversations.value.some((x) => x.id === c.id); // a search is refreshed, not guessed
  if (c.status !== f.status) return false;
  const inTeam = !!c.teamId && user.teamIds.includes(c.teamId);
  const visible = user.role === 'admin' || c.assigneeId === user.id || (user.role === 'supervisor' ? inTeam : inTeam && !c.assigneeId);
  if (!visible) return false;
  if (f.queue === 'mine') return c.assigneeId === user.id;
  if (f.queue === 'unassigned') return !c.assigneeId;
  if (f.queue === 'team') return user.role === 'admin' ? !!c.teamId : inTeam;
  if (f.queue === 'bot') return !!c.botActive;
  return true;
}

/** Puts a changed conversation where it belongs: updated in place, moved to the top, or out. @param {Conversation} c */
export function placeConversation(c) {
  c = seen(c);
  const list = conversations.value.filter((x) => x.id !== c.id);
  if (!belongs(c)) {
    if (list.length !== conversations.value.length) conversations.value = list;
    return;
  }
  // Newest activity first; a conversation older than the last loaded one waits for "load more".
  const at = c.lastMessageAt;
  const i = list.findIndex((x) => x.lastMessageAt < at || (x.lastMessageAt === at && x.id < c.id));
  if (i === -1 && nextCursor.value) {
    conversations.value = list;
    return;
  }
  list.splice(i === -1 ? list.length : i, 0, c);
  conversations.value = list;
}

/** The open conversation was read here: its unread mark goes at once. @param {string} id */
export function markReadLocally(id) {
  const c = conversations.value.find((x) => x.id === id);
  if (c && c.unreadCount) conversations.value = conversations.value.map((x) => (x.id === id ? { ...x, unreadCount: 0 } : x));
}

on('message:new', (/** @type {{ conversation?: Conversation }} */ e) => {
  if (e.conversation) placeConversation(e.conversation);
  refreshCounts();
});
on('conversation:updated', (/** @type {{ conversation: Conversation }} */ e) => {
  placeConversation(e.conversation);
  if (removedIds.value.has(e.conversation.id)) {
    const next = new Set(removedIds.value);
    next.delete(e.conversation.id);
    removedIds.value = next;
  }
  refreshCounts();
});
on('conversation:removed', (/** @type {{ id: string }} */ e) => {
  conversations.value = conversations.value.filter((x) => x.id !== e.id);
  removedIds.value = new Set([...removedIds.value, e.id]);
  refreshCounts();
});
// Back from offline: whatever happened meanwhile is in the server's answer, not in missed events.
on('resync', () => {
  void reloadList();
  refreshCounts(0);
});
