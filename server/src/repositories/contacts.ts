import type { Knex } from 'knex';
import type { Channel } from './connections.js';

export interface ContactRow {
  id: string;
  connection_id: string;
  external_id: string;
  match_key: string;
  name: string | null;
  profile_name: string | null;
  tags: string[];
  custom_fields: Record<string, string>;
  created_at: Date;
  updated_at: Date;
}

export interface ContactSighting {
  externalId: string;
  matchKey: string;
  profileName?: string | null;
  /** Whether the customer wrote (their id form is then the one to send to) rather than an echo naming them. */
  fromCustomer: boolean;
  at: Date;
}

/**
 * Finds or makes contacts, in one statement so concurrent workers agree. The external id follows the
 * form the customer wrote from most recently (by message time, not by which worker came last): that is
 * the one Meta delivers to. The profile name is updated only when given. One sighting per match key.
 */
export async function upsertContacts(db: Knex, connectionId: string, sightings: ContactSighting[]): Promise<Map<string, ContactRow>> {
  if (!sightings.length) return new Map();
  const values = sightings.map(() => '(?, ?, ?, ?, ?::timestamptz)').join(', ');
  const res = await db.raw(
    `insert into contacts (connection_id, external_id, match_key, profile_name, external_id_seen_at) values ${values}
     on conflict (connection_id, match_key) do update set
       external_id = case when excluded.external_id_seen_at >= coalesce(contacts.external_id_seen_at, '-infinity')
                          then excluded.external_id else contacts.external_id end,
       external_id_seen_at = greatest(contacts.external_id_seen_at, excluded.external_id_seen_at),
       profile_name = coalesce(excluded.profile_name, contacts.profile_name),
       updated_at = case when excluded.profile_name is distinct from contacts.profile_name
                           or excluded.external_id_seen_at >= coalesce(contacts.external_id_seen_at, '-infinity')
                         then now() else contacts.updated_at end
     returning *`,
    sightings.flatMap((c) => [connectionId, c.externalId, c.matchKey, c.profileName ?? null, c.fromCustomer ? c.at : null]),
  );
  return new Map((res.rows as ContactRow[]).map((r) => [r.match_key, r]));
}

export async function upsertContact(db: Knex, c: ContactSighting & { connectionId: string }): Promise<ContactRow> {
  return (await upsertContacts(db, c.connectionId, [c])).get(c.matchKey)!;
}

export async function findContact(db: Knex, id: string): Promise<ContactRow | undefined> {
  return db('contacts').where({ id }).first();
}

export async function findContacts(db: Knex, ids: string[]): Promise<Map<string, ContactRow>> {
  if (!ids.length) return new Map();
  const rows: ContactRow[] = await db('contacts').whereIn('id', [...new Set(ids)]);
  return new Map(rows.map((r) => [r.id, r]));
}

export async function updateContact(db: Knex, id: string, patch: { name?: string | null; tags?: string[]; custom_fields?: Record<string, string> }): Promise<void> {
  await db('contacts').where({ id }).update({
    ...patch,
    ...(patch.custom_fields ? { custom_fields: JSON.stringify(patch.custom_fields) } : {}),
    updated_at: db.fn.now(),
  });
}

export type { Channel };
