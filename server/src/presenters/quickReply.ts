import type { QuickReplyRow } from '../repositories/quickReplies.js';

export function presentQuickReply(r: QuickReplyRow) {
  return {
    id: r.id,
    shortcut: r.shortcut,
    text: r.text,
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}
