import type { Knex } from 'knex';

export interface ConversationRow {
  id: string;
  connection_id: string;
  contact_id: string;
  team_id: string | null;
  assignee_id: string | null;
  status: 'open' | 'resolved';
  last_message_at: Date;
  last_message_preview: string | null;
  last_inbound_at: Date | null;
  unread_count: number;
  resolved_at: Date | null;
  created_at: Date;
}

/** A conversation with what the inbox shows of its contact and connection. */
export interface ConversationView extends ConversationRow {
  contact_name: string | null;
  contact_profile_name: string | null;
  contact_external_id: string;
  contact_tags: string[];
  channel: 'whatsapp' | 'instagram';
  connection_name: string;
}

/** The select behind every conversation the API or a socket shows. Alias `c` for conversations. */
export function conversationViews(db: Knex): Knex.QueryBuilder {
  return db('conversations as c')
    .join('contacts as ct', 'ct.id', 'c.contact_id')
    .join('connections as cn', 'cn.id', 'c.connection_id')
    .select(
      'c.*',
      'ct.name as contact_name', 'ct.profile_name as contact_profile_name', 'ct.external_id as contact_external_id',
      'ct.tags as contact_tags', 'cn.channel', 'cn.name as connection_name',
    );
}

export async function findConversationView(db: Knex, id: string): Promise<ConversationView | undefined> {
  return conversationViews(db).where('c.id', id).first();
}

export async function findConversation(db: Knex, id: string): Promise<ConversationRow | undefined> {
  return db('conversations').where({ id }).first();
}

/**
 * The contact's open conversation, or a new one in the connection's team. The partial unique index on
 * open conversations makes concurrent workers end with the same one.
 */
export async function findOrOpenConversation(
  db: Knex,
  o: { connectionId: string; contactId: string; teamId: string | null; at: Date },
): Promise<{ conversation: ConversationRow; opened: boolean }> {
  const inserted = await db.raw(
    `insert into conversations (connection_id, contact_id, team_id, last_message_at) values (?, ?, ?, ?)
     on conflict (contact_id) where status = 'open' do nothing returning *`,
    [o.connectionId, o.contactId, o.teamId, o.at],
  );
  if (inserted.rows.length) return { conversation: inserted.rows[0], opened: true };
  const open = await db('conversations').where({ contact_id: o.contactId, status: 'open' }).first();
  return { conversation: open, opened: false };
}

/**
 * A message joined the conversation: the list order and preview follow the newest message (a late,
 * older one does not move it), inbound messages count as unread and move the service window.
 */
export async function noteMessage(
  db: Knex,
  id: string,
  m: { at: Date; preview: string | null; inbound: boolean },
): Promise<ConversationRow> {
  const res = await db.raw(
    `update conversations set
       last_message_preview = case when ? >= last_message_at then ? else last_message_preview end,
       last_message_at = greatest(last_message_at, ?),
       last_inbound_at = case when ? then greatest(coalesce(last_inbound_at, ?), ?) else last_inbound_at end,
       unread_count = unread_count + case when ? then 1 else 0 end
     where id = ? returning *`,
    [m.at, m.preview, m.at, m.inbound, m.at, m.at, m.inbound, id],
  );
  return res.rows[0];
}

export async function updateConversation(db: Knex, id: string, patch: Partial<ConversationRow>): Promise<ConversationRow> {
  const [row] = await db('conversations').where({ id }).update(patch).returning('*');
  return row;
}

/** The conversation row-locked for this transaction: assign, transfer, resolve and reopen serialise on it. */
export async function lockConversation(trx: Knex.Transaction, id: string): Promise<ConversationRow | undefined> {
  return trx('conversations').where({ id }).forUpdate().first();
}
