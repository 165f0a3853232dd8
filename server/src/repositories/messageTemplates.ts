import type { Knex } from 'knex';

/** A WhatsApp message template of a connection, as last read from Meta (sync or webhook). */
export interface MessageTemplateRow {
  id: string;
  connection_id: string;
  provider_id: string | null;
  name: string;
  language: string;
  category: string;
  status: string;
  quality: string | null;
  components: Array<Record<string, any>>;
  rejected_reason: string | null;
  synced_at: Date;
  updated_at: Date;
}

/** What a sync or a webhook writes of a template. */
export type TemplateUpsert = Omit<MessageTemplateRow, 'id' | 'connection_id' | 'synced_at' | 'updated_at'>;

export async function findTemplate(db: Knex, id: string): Promise<MessageTemplateRow | undefined> {
  return db('message_templates').where({ id }).first();
}

/** Templates of the given connections (all when null), by name and language; the unique index serves the connection filter. */
export async function listTemplates(db: Knex, f: { connectionId?: string; status?: string[] }): Promise<MessageTemplateRow[]> {
  const q = db('message_templates').orderBy([{ column: 'name' }, { column: 'language' }, { column: 'id' }]).limit(1000);
  if (f.connectionId) q.where({ connection_id: f.connectionId });
  if (f.status?.length) q.whereIn('status', f.status);
  return q;
}

export async function templatesOfConnection(db: Knex, connectionId: string): Promise<MessageTemplateRow[]> {
  return db('message_templates').where({ connection_id: connectionId }).forUpdate();
}

/** Inserts or updates by (connection, name, language); answers the rows as they are now. */
export async function upsertTemplates(db: Knex, connectionId: string, rows: TemplateUpsert[], at: Date): Promise<MessageTemplateRow[]> {
  if (!rows.length) return [];
  return db('message_templates')
    .insert(rows.map((r) => ({ ...r, connection_id: connectionId, components: JSON.stringify(r.components), synced_at: at, updated_at: at })))
    .onConflict(['connection_id', 'name', 'language'])
    .merge(['provider_id', 'category', 'status', 'quality', 'components', 'rejected_reason', 'synced_at', 'updated_at'])
    .returning('*');
}

export async function updateTemplate(db: Knex, id: string, patch: Partial<Pick<MessageTemplateRow, 'status' | 'quality' | 'rejected_reason' | 'category'>>, at: Date): Promise<MessageTemplateRow> {
  const [row] = await db('message_templates').where({ id }).update({ ...patch, updated_at: at }).returning('*');
  return row;
}

/** The templates of the WhatsApp connections of one business account (WABA) with this name and language, locked. */
export async function lockTemplatesOfWaba(trx: Knex.Transaction, wabaId: string, name: string, language: string): Promise<MessageTemplateRow[]> {
  return trx('message_templates as t')
    .join('connections as c', 'c.id', 't.connection_id')
    .where({ 'c.business_account_id': wabaId, 'c.channel': 'whatsapp', 't.name': name, 't.language': language })
    .whereNull('c.deleted_at')
    .forUpdate('t')
    .select('t.*');
}
