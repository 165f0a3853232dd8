import type { DeliveryStatus, MessageRow } from '../repositories/messages.js';

const RANK: Record<string, number> = { queued: 0, sent: 1, delivered: 2, read: 3, failed: 4 };

export interface DeliveryUpdate {
  status: DeliveryStatus;
  at: Date;
  error?: { code: string; title: string | null; detail: string | null } | null;
}

/**
 * The fields a delivery status changes, or null when it changes nothing. Statuses only move forward
 * (sent < delivered < read; failed ends it) whatever order Meta's webhooks arrive in, and a later state
 * implies the earlier ones: `read` with no `delivered` still fills delivered_at.
 */
export function nextDeliveryState(m: Pick<MessageRow, 'status' | 'sent_at' | 'delivered_at' | 'read_at' | 'failed_at'>, u: DeliveryUpdate): Partial<MessageRow> | null {
  const patch: Partial<MessageRow> = {};
  if ((RANK[u.status] ?? 0) > (RANK[m.status] ?? 0)) patch.status = u.status;
  if (u.status !== 'failed' && !m.sent_at) patch.sent_at = u.at;
  if ((u.status === 'delivered' || u.status === 'read') && !m.delivered_at) patch.delivered_at = u.at;
  if (u.status === 'read' && !m.read_at) patch.read_at = u.at;
  if (u.status === 'failed' && !m.failed_at) {
    patch.failed_at = u.at;
    patch.error_code = u.error?.code ?? null;
    patch.error_title = u.error?.title ?? null;
    patch.error_detail = u.error?.detail ?? null;
  }
  return Object.keys(patch).length ? patch : null;
}
