import type { Knex } from 'knex';
import type { SetAsideItem } from '../messaging/inboundLimits.js';

export async function insertSetAside(db: Knex, connectionId: string, webhookEventId: string, items: SetAsideItem[]): Promise<void> {
  if (!items.length) return;
  await db('inbound_set_aside').insert(items.map((i) => ({
    connection_id: connectionId, webhook_event_id: webhookEventId, kind: i.kind, provider_id: i.providerId,
    reason: i.reason.slice(0, 1000), item: i.item === undefined ? null : JSON.stringify(i.item),
  })));
}

/** For the health view: how many items were set aside since `since`, and the latest few with their reasons. */
export async function recentSetAside(db: Knex, connectionId: string, since: Date, limit = 5) {
  const [count, latest] = await Promise.all([
    db('inbound_set_aside').where({ connection_id: connectionId }).where('created_at', '>=', since).count<{ count: string }[]>('* as count'),
    db('inbound_set_aside').where({ connection_id: connectionId }).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit)
      .select('kind', 'provider_id', 'reason', 'created_at'),
  ]);
  return {
    lastDay: Number(count[0]!.count),
    latest: latest.map((r) => ({ kind: r.kind as string, providerId: r.provider_id as string | null, reason: r.reason as string, at: (r.created_at as Date).toISOString() })),
  };
}
