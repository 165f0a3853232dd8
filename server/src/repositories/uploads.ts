import type { Knex } from 'knex';

/** A file an attendant uploaded to send; the bytes are in the media store, not here. */
export interface UploadRow {
  id: string;
  uploader_user_id: string | null;
  path: string;
  mime: string;
  size: string | number;
  sha256: string;
  filename: string | null;
  created_at: Date;
}

export async function insertUpload(db: Knex, u: Omit<UploadRow, 'id' | 'created_at'>): Promise<UploadRow> {
  const [row] = await db('uploads').insert(u).returning('*');
  return row;
}

export async function findUpload(db: Knex, id: string): Promise<UploadRow | undefined> {
  return db('uploads').where({ id }).first();
}
