import type { Deps } from '../deps.js';
import type { Subscriber } from '../events/domainEvents.js';
import { optOutOf, optOutRules, recordOptOut, type InboundForOptOut } from './optOut.js';

/**
 * The opt-out ledger's ears: every customer message is looked at once, and an opt-out keyword (the whole
 * message) or an opt-out button marks the contact opted out for the connection at once, with the message
 * that did it. At least once is enough: the ledger keeps one row per contact and connection, so a batch
 * that comes again changes nothing.
 */
export function optOutSubscriber(deps: Deps): Subscriber {
  const rules = optOutRules(deps.config);
  return {
    name: 'opt_outs',
    types: ['message.received'],
    handle: async (events) => {
      const received = events.filter((e) => e.type === 'message.received');
      if (!received.length) return;
      // One query for the batch; only the few that can be opt-outs are looked at further.
      const rows: Array<InboundForOptOut & { id: string; connection_id: string; at: Date }> = await deps.db('messages')
        .whereIn('id', received.map((e) => e.messageId))
        .where({ direction: 'in' })
        .whereIn('type', ['text', 'button', 'interactive'])
        .whereRaw(`(type <> 'text' or length(body) <= 64)`)
        .select('id', 'type', 'body', 'payload', 'connection_id', 'at');
      const byId = new Map(rows.map((r) => [r.id, r]));
      for (const e of received) {
        const m = byId.get(e.messageId);
        const hit = m && optOutOf(rules, m);
        if (!hit) continue;
        const { created } = await recordOptOut(deps.db, {
          connectionId: e.connectionId, contactId: e.contactId, at: m.at, source: hit.source, detail: hit.detail, messageId: m.id,
        });
        if (created) deps.log.info({ connectionId: e.connectionId, contactId: e.contactId, source: hit.source }, 'contact opted out');
      }
    },
  };
}
