import { signal } from '@preact/signals';
import { api } from '../lib/api.js';

/** @typedef {{ id: string, shortcut: string, text: string }} QuickReply */

/** The company's quick replies, for the composer's `/` menu. */
export const quickReplies = signal(/** @type {QuickReply[]} */ ([]));
let loadedAt = 0;

/** Reloads at most once a minute: admins may add replies while attendants work. */
export async function loadQuickReplies() {
  if (Date.now() - loadedAt < 60_000) return;
  loadedAt = Date.now();
  const res = await api('GET', '/api/quick-replies').catch(() => null);
  if (!res) { loadedAt = 0; return; }
  /** @type {QuickReply[]} */
  const all = res.items;
  quickReplies.value = all.sort((a, b) => a.shortcut.localeCompare(b.shortcut));
}

/**
 * Replies whose shortcut starts with what follows the `/`, then those whose text contains it.
 * @param {string} q
 */
export function matchQuickReplies(q) {
  const s = q.toLowerCase();
  const all = quickReplies.value;
  const head = all.filter((r) => r.shortcut.toLowerCase().startsWith(s));
  const rest = all.filter((r) => !head.includes(r) && (r.shortcut.toLowerCase().includes(s) || r.text.toLowerCase().includes(s)));
  return [...head, ...rest].slice(0, 8);
}
