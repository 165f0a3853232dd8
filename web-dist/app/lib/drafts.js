/**
 * What an attendant typed and has not sent, per conversation, kept in this browser's storage: it
 * survives a reload, a lost connection, an expired session and a failed send.
 */
const PREFIX = 'atendo.draft.';

/** @param {string} conversationId */
export function loadDraft(conversationId) {
  try {
    return localStorage.getItem(PREFIX + conversationId) ?? '';
  } catch {
    return '';
  }
}

/** @param {string} conversationId @param {string} text */
export function saveDraft(conversationId, text) {
  try {
    if (text) localStorage.setItem(PREFIX + conversationId, text);
    else localStorage.removeItem(PREFIX + conversationId);
  } catch {
    // Storage full or disabled: the text is still in the box.
  }
}
