import type { Knex } from 'knex';
import { pageQuery } from '../../kit/cursor.js';

export interface ClientRow {
  id: string;
  name: string;
  email: string;
  tax_id: string | null;
  created_at: Date;
  updated_at: Date;
}

export async function insertClient(db: Knex, c: Pick<ClientRow, 'name' | 'email' | 'tax_id'>): Promise<ClientRow> {
  const [row] = await db('clients').insert(c).returning('*');
  return row;
}

export async function findClient(db: Knex, id: string): Promise<ClientRow | undefined> {
  return db('clients').where({ id }).first();
}

export async function listClients(db: Knex, opts: { cursor?: string; limit: number }): Promise<ClientRow[]> {
  return pageQuery(db('clients').select('*'), 'created_at', 'id', opts.cursor, opts.limit);
}
