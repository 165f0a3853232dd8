import type { Knex } from 'knex';
import { pageQuery } from '#kit/cursor.js';

export interface ClientRow {
  id: string;
  name: string;
  email: string;
  tax_id: string | null;
  created_at: Date;
  updated_at: Date;
}

/** The unique index that keeps one client per tax id (migration 20261210_0003). */
export const TAX_ID_UNIQUE_INDEX = 'clients_tax_id_key_unique';

/** `tax_id_key` is the tax id's comparison form (taxIdKey); its unique index refuses a second client. */
export async function insertClient(db: Knex, c: Pick<ClientRow, 'name' | 'email' | 'tax_id'> & { tax_id_key: string | null }): Promise<ClientRow> {
  const [row] = await db('clients').insert(c).returning('*');
  return row;
}

export async function findClientByTaxIdKey(db: Knex, key: string): Promise<ClientRow | undefined> {
  return db('clients').where({ tax_id_key: key }).first();
}

export async function findClient(db: Knex, id: string): Promise<ClientRow | undefined> {
  return db('clients').where({ id }).first();
}

export async function listClients(db: Knex, opts: { cursor?: string; limit: number }): Promise<ClientRow[]> {
  return pageQuery(db('clients').select('*'), 'created_at', 'id', opts.cursor, opts.limit);
}
