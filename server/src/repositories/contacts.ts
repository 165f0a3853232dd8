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

/**
 * Finds or makes the contact, in one statement so concurrent workers agree. The external id is updated
 * to the form last seen from the customer (the one Meta delivers to); the profile name only when given.
 */
export async function upsertContact(
  db: Knex,
  c: { connectionId: string; externalId: string; matchKey: string; profileName?: string | null; fromCustomer: boolean },
): Promise<ContactRow> {
  const res = await db.raw(
    `insert into contacts (connection_id, external_id, match_key, profile_name) values (?, ?, ?, ?)
     on conflict (connection_id, match_key) do update set
       external_id = case when ? then excluded.external_id else contacts.external_id end,
       profile_name = coalesce(excluded.profile_name, contacts.profile_name),
       updated_at = case when excluded.profile_name is distinct from contacts.profile_name or (? and excluded.external_id <> contacts.external_id)
                         then now() else contacts.updated_at end
     returning *`,
    [c.connectionId, c.externalId, c.matchKey, c.profileName ?? null, c.fromCustomer, c.fromCustomer],
  );
  return res.rows[0];
}

export async function findContact(db: Knex, id: string): Promise<ContactRow | undefined> {
  return db('contacts').where({ id }).first();
}

export async function updateContact(db: Knex, id: string, patch: { name?: string | null; tags?: string[]; custom_fields?: Record<string, string> }): Promise<void> {
  await db('contacts').where({ id }).update({
    ...patch,
    ...(patch.custom_fields ? { custom_fields: JSON.stringify(patch.custom_fields) } : {}),
    updated_at: db.fn.now(),
  });
}

export type { Channel };
