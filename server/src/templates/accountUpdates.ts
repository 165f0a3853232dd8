import type { Knex } from 'knex';
import { digitsOnly } from '../lib/phone.js';
import { arr, isObject, str } from '../messaging/inboundEvent.js';
import type { ConnectionRow } from '../repositories/connections.js';
import { lockTemplatesOfWaba, updateTemplate } from '../repositories/messageTemplates.js';
import { recordTemplateStatusChanges, setConnectionQuality } from './templateEvents.js';

/**
 * WhatsApp Business Account webhooks that are about the account, not a conversation: addressed by the
 * entry's id (the WABA), with no metadata.phone_number_id.
 *   message_template_status_update  { event: APPROVED|REJECTED|PAUSED|DISABLED|…, message_template_name, _language, reason }
 *   message_template_quality_update { previous_quality_score, new_quality_score, message_template_name, _language }
 *   phone_number_quality_update     { display_phone_number, event: FLAGGED|UNFLAGGED|UPGRADE|DOWNGRADE…, current_limit }
 */
export const ACCOUNT_FIELDS = new Set(['message_template_status_update', 'message_template_quality_update', 'phone_number_quality_update']);

export type AccountUpdate =
  | { kind: 'template_status'; wabaId: string; name: string; language: string; status: string; reason: string | null; at: Date }
  | { kind: 'template_quality'; wabaId: string; name: string; language: string; quality: string; at: Date }
  | { kind: 'phone_quality'; wabaId: string; displayPhoneNumber: string | null; event: string; quality: string | null; at: Date };

/** Whether a WhatsApp webhook body carries an account update for this WABA. */
export function hasAccountUpdateFor(body: { entry: unknown[] }, wabaId: string | null): boolean {
  if (!wabaId) return false;
  return body.entry.some((e) => isObject(e) && String(e.id) === wabaId && arr(e.changes).some((c) => isObject(c) && ACCOUNT_FIELDS.has(String(c.field))));
}

/**
 * A FLAGGED number has a low quality rating (RED) and UNFLAGGED is back to good; limit changes
 * (UPGRADE, DOWNGRADE, ONBOARDING, THROUGHPUT_UPGRADE) say nothing about quality.
 */
const QUALITY_OF_EVENT: Record<string, string> = { FLAGGED: 'RED', UNFLAGGED: 'GREEN' };

/** The account updates of a body for the connection's WABA (none when the connection has no WABA id). */
export function parseAccountUpdates(body: unknown, connection: Pick<ConnectionRow, 'business_account_id'>, at: Date): AccountUpdate[] {
  const wabaId = connection.business_account_id;
  if (!wabaId || !isObject(body) || !Array.isArray(body.entry)) return [];
  const out: AccountUpdate[] = [];
  for (const entry of body.entry) {
    if (!isObject(entry) || String(entry.id) !== wabaId) continue;
    for (const change of arr(entry.changes)) {
      if (!isObject(change) || !isObject(change.value)) continue;
      const v = change.value;
      const name = str(v.message_template_name);
      const language = str(v.message_template_language);
      if (change.field === 'message_template_status_update' && name && language && str(v.event)) {
        out.push({ kind: 'template_status', wabaId, name, language, status: String(v.event).toUpperCase(), reason: str(v.reason), at });
      } else if (change.field === 'message_template_quality_update' && name && language && str(v.new_quality_score)) {
        out.push({ kind: 'template_quality', wabaId, name, language, quality: String(v.new_quality_score).toUpperCase(), at });
      } else if (change.field === 'phone_number_quality_update' && str(v.event)) {
        const event = String(v.event).toUpperCase();
        const quality = str(v.quality_rating)?.toUpperCase() ?? QUALITY_OF_EVENT[event] ?? null;
        out.push({ kind: 'phone_quality', wabaId, displayPhoneNumber: str(v.display_phone_number), event, quality, at });
      }
    }
  }
  return out;
}

/**
 * Applies account updates in the ingest transaction: template status and quality on every connection of
 * the WABA that has the template (a template Meta approves before our first sync is picked up by the
 * next sync), phone quality on the connection whose display number it names. Status changes record
 * `template.status_changed`, quality changes `connection.quality_changed`.
 */
export async function applyAccountUpdates(trx: Knex.Transaction, connection: ConnectionRow, updates: AccountUpdate[]): Promise<void> {
  for (const u of updates) {
    if (u.kind === 'phone_quality') {
      if (!u.quality) continue;
      const candidates: Array<{ id: string; display_phone_number: string | null }> = await trx('connections')
        .where({ business_account_id: u.wabaId, channel: 'whatsapp' }).whereNull('deleted_at').select('id', 'display_phone_number');
      const wanted = u.displayPhoneNumber ? digitsOnly(u.displayPhoneNumber) : '';
      let ids = candidates.filter((c) => c.display_phone_number && digitsOnly(c.display_phone_number) === wanted).map((c) => c.id);
      // A connection added without its display number: the webhook came to its own URL, so it is this one.
      if (!ids.length && !connection.display_phone_number) ids = [connection.id];
      for (const id of ids) await setConnectionQuality(trx, id, u.quality);
      continue;
    }
    const rows = await lockTemplatesOfWaba(trx, u.wabaId, u.name, u.language);
    const changes: Array<{ templateId: string; connectionId: string; status: string }> = [];
    for (const row of rows) {
      if (u.kind === 'template_status') {
        if (row.status === u.status) continue;
        await updateTemplate(trx, row.id, { status: u.status, ...(u.status === 'REJECTED' ? { rejected_reason: u.reason } : {}) }, u.at);
        changes.push({ templateId: row.id, connectionId: row.connection_id, status: u.status });
      } else if (row.quality !== u.quality) {
        await updateTemplate(trx, row.id, { quality: u.quality }, u.at);
      }
    }
    await recordTemplateStatusChanges(trx, changes);
  }
}
