import type { Knex } from 'knex';

export interface QuickReplyRow {
  id: string;
  /** Stored without the leading slash; unique case-insensitively (quick_replies_shortcut). */
  shortcut: string;
  text: string;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

export async function findQuickReply(db: Knex, id: string): Promise<QuickReplyRow | undefined> {
  return db('quick_replies').where({ id }).first();
}

/** Prefix match for the `/shortcut` picker; alphabetical so the list does not jump while typing. */
export async function listQuickReplies(db: Knex, opts: { prefix?: string; limit: number }): Promise<QuickReplyRow[]> {
  const q = db<QuickReplyRow>('quick_replies').orderByRaw('lower(shortcut) asc').limit(opts.limit);
  if (opts.prefix) q.whereRaw(`lower(shortcut) like ? escape '\\'`, [likePrefix(opts.prefix.toLowerCase())]);
  return q;
}

export async function insertQuickReply(db: Knex, r: { shortcut: string; text: string; createdBy: string | null }): Promise<QuickReplyRow> {
  const [row] = await db('quick_replies').insert({ shortcut: r.shortcut, text: r.text, created_by: r.createdBy }).returning('*');
  return row;
}

export async function updateQuickReply(db: Knex, id: string, patch: { shortcut?: string; text?: string }): Promise<QuickReplyRow | undefined> {
  const [row] = await db('quick_replies').where({ id }).update({ ...patch, updated_at: db.fn.now() }).returning('*');
  return row;
}

export async function deleteQuickReply(db: Knex, id: string): Promise<boolean> {
  return (await db('quick_replies').where({ id }).delete()) > 0;
}

function likePrefix(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`) + '%';
}
