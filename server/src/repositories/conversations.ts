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
  /** A person owns it since then (took over, replied, was assigned): the bot stays quiet until resolve or hand-back. */
  human_since: Date | null;
  /** The bot session running in it now. */
  bot_session_id: string | null;
  /** The closed period an out-of-office reply was sent for. */
  ooo_period: string | null;
  /** When someone last handed it back to the bot (the database's clock, like events' recordedAt). */
  bot_handed_back_at: Date | null;
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

/** Several views at once, by conversation id. */
export async function findConversationViews(db: Knex, ids: string[]): Promise<Map<string, ConversationView>> {
  if (!ids.length) return new Map();
  const rows: ConversationView[] = await conversationViews(db).whereIn('c.id', ids);
  return new Map(rows.map((r) => [r.id, r]));
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
  const found = await findOrOpenConversations(db, { connectionId: o.connectionId, teamId: o.teamId, contacts: [{ contactId: o.contactId, at: o.at }] });
  return found.get(o.contactId)!;
}

/** The same for many contacts of one connection at once: a look, one insert for the missing, a last look. */
export async function findOrOpenConversations(
  db: Knex,
  o: { connectionId: string; teamId: string | null; contacts: Array<{ contactId: string; at: Date }> },
): Promise<Map<string, { conversation: ConversationRow; opened: boolean }>> {
  const result = new Map<string, { conversation: ConversationRow; opened: boolean }>();
  const look = async (ids: string[]) => {
    if (!ids.length) return;
    const rows: ConversationRow[] = await db('conversations').whereIn('contact_id', ids).where({ status: 'open' });
    for (const r of rows) result.set(r.contact_id, { conversation: r, opened: false });
  };
  // Most messages belong to a conversation that is already open: look first, insert only when needed.
  await look(o.contacts.map((c) => c.contactId));
  const missing = o.contacts.filter((c) => !result.has(c.contactId));
  if (missing.length) {
    const inserted = await db.raw(
      `insert into conversations (connection_id, contact_id, team_id, last_message_at) values ${missing.map(() => '(?, ?, ?, ?)').join(', ')}
       on conflict (contact_id) where status = 'open' do nothing returning *`,
      missing.flatMap((c) => [o.connectionId, c.contactId, o.teamId, c.at]),
    );
    for (const r of inserted.rows as ConversationRow[]) result.set(r.contact_id, { conversation: r, opened: true });
    await look(missing.map((c) => c.contactId).filter((id) => !result.has(id))); // opened meanwhile by another worker
  }
  return result;
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
  return (await noteMessages(db, [{ id, at: m.at, preview: m.preview, inbound: m.inbound ? 1 : 0, inboundAt: m.inbound ? m.at : null }]))[0]!;
}

/**
 * The same for several conversations in one statement, each with its newest message (`at`, `preview`),
 * how many inbound messages arrived and the latest inbound time.
 */
export async function noteMessages(
  db: Knex,
  notes: Array<{ id: string; at: Date; preview: string | null; inbound: number; inboundAt: Date | null }>,
): Promise<ConversationRow[]> {
  if (!notes.length) return [];
  const res = await db.raw(
    `update conversations c set
       last_message_preview = case when v.at >= c.last_message_at then v.preview else c.last_message_preview end,
       last_message_at = greatest(c.last_message_at, v.at),
       last_inbound_at = case when v.inbound_at is null then c.last_inbound_at else greatest(c.last_inbound_at, v.inbound_at) end,
       unread_count = c.unread_count + v.inbound
     from (values ${notes.map(() => '(?::uuid, ?::timestamptz, ?::text, ?::int, ?::timestamptz)').join(', ')}) as v(id, at, preview, inbound, inbound_at)
     where c.id = v.id returning c.*`,
    notes.flatMap((n) => [n.id, n.at, n.preview, n.inbound, n.inboundAt]),
  );
  return res.rows;
}

export async function updateConversation(db: Knex, id: string, patch: Partial<ConversationRow>): Promise<ConversationRow> {
  const [row] = await db('conversations').where({ id }).update(patch).returning('*');
  return row;
}

/** The conversation row-locked for this transaction: assign, transfer, resolve and reopen serialise on it. */
export async function lockConversation(trx: Knex.Transaction, id: string): Promise<ConversationRow | undefined> {
  return trx('conversations').where({ id }).forUpdate().first();
}

/** Several, locked in id order (so two such batches never deadlock); by id. */
export async function lockConversations(trx: Knex.Transaction, ids: string[]): Promise<Map<string, ConversationRow>> {
  if (!ids.length) return new Map();
  const rows: ConversationRow[] = await trx('conversations').whereIn('id', ids).orderBy('id').forUpdate();
  return new Map(rows.map((r) => [r.id, r]));
}
