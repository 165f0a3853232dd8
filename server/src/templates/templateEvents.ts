import type { Knex } from 'knex';
import type { DomainEvent } from '../events/domainEvents.js';
import { recordEvents } from '../repositories/domainEvents.js';

/**
 * The events templates and number quality record (in the caller's transaction): a template whose status
 * changed (the campaign engine pauses on PAUSED and DISABLED) and a number whose quality changed (it
 * pauses on RED). Neither belongs to a conversation.
 */
export async function recordTemplateStatusChanges(trx: Knex.Transaction, changes: Array<{ templateId: string; connectionId: string; status: string }>): Promise<void> {
  await recordEvents(trx, changes.map((c): DomainEvent => ({ type: 'template.status_changed', conversationId: null, ...c })));
}

export async function recordQualityChange(trx: Knex.Transaction, connectionId: string, quality: string): Promise<void> {
  await recordEvents(trx, [{ type: 'connection.quality_changed', conversationId: null, connectionId, quality }]);
}

/** Sets connections.quality_rating; records connection.quality_changed when it moved. */
export async function setConnectionQuality(trx: Knex.Transaction, connectionId: string, quality: string): Promise<boolean> {
  const row = await trx('connections').where({ id: connectionId }).forUpdate().first('quality_rating');
  if (!row || row.quality_rating === quality) return false;
  await trx('connections').where({ id: connectionId }).update({ quality_rating: quality, updated_at: trx.fn.now() });
  await recordQualityChange(trx, connectionId, quality);
  return true;
}
