import type { QuickReplyRow } from '../repositories/quickReplies.js';
import { iso } from './iso.js';

export function presentQuickReply(r: QuickReplyRow) {
  return {
    id: r.id,
    shortcut: r.shortcut,
    text: r.text,
    createdBy: r.created_by,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}
