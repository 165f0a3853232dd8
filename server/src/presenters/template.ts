import type { MessageTemplateRow } from '../repositories/messageTemplates.js';
import { templateSlots } from '../templates/templateParams.js';
import { iso } from './iso.js';

/** A template as the dashboard picks it: Meta's components and the slots a send must fill. */
export function presentTemplate(t: MessageTemplateRow) {
  return {
    id: t.id,
    connectionId: t.connection_id,
    name: t.name,
    language: t.language,
    category: t.category,
    status: t.status,
    quality: t.quality,
    rejectedReason: t.rejected_reason,
    components: t.components,
    slots: templateSlots(t),
    syncedAt: iso(t.synced_at),
  };
}
