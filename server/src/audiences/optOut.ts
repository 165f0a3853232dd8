import type { Knex } from 'knex';
import { normalizeText } from '../bots/answers.js';
import type { Config } from '../config.js';

/**
 * The opt-out ledger: one row per (connection, contact) that asked to stop receiving business-initiated
 * messages, with when and how (keyword, template button, manual, import). Campaigns skip these contacts
 * when they build and again right before each send (audienceQuery.ts). Opting back in deletes the row
 * (the route audits it).
 */

export type OptOutSource = 'keyword' | 'button' | 'manual' | 'import';

export interface OptOutRow {
  id: string;
  connection_id: string;
  contact_id: string;
  at: Date;
  source: OptOutSource;
  detail: string | null;
  message_id: string | null;
  recorded_by: string | null;
}

/** The message fields the decision needs (a `messages` row). */
export interface InboundForOptOut {
  type: string;
  body: string | null;
  payload: Record<string, unknown> | null;
}

export interface OptOutRules {
  keywords: Set<string>;
  payloads: Set<string>;
}

export function optOutRules(config: Pick<Config, 'OPT_OUT_KEYWORDS' | 'OPT_OUT_PAYLOADS'>): OptOutRules {
  return {
    keywords: new Set(config.OPT_OUT_KEYWORDS.map(normalizeText)),
    payloads: new Set(config.OPT_OUT_PAYLOADS.map((p) => p.trim().toUpperCase())),
  };
}

/**
 * Whether a customer's message opts them out: a text that is, as a whole, one of the keywords (accents,
 * case, surrounding spaces and punctuation ignored: "Sair", "  parar! ", "CANCELAR."), not a sentence that
 * contains one ("não quero sair daqui"); or a template quick-reply button (or reply button) whose payload
 * is an opt-out payload, or whose text is a keyword.
 */
export function optOutOf(rules: OptOutRules, m: InboundForOptOut): { source: 'keyword' | 'button'; detail: string } | null {
  const p = m.payload ?? {};
  if (m.type === 'text') {
    const word = normalizeText(m.body ?? '');
    return word && rules.keywords.has(word) ? { source: 'keyword', detail: (m.body ?? '').trim().slice(0, 100) } : null;
  }
  if (m.type === 'button' || m.type === 'interactive') {
    const payload = typeof p.payload === 'string' ? p.payload : typeof p.id === 'string' ? p.id : null;
    const title = typeof p.text === 'string' ? p.text : typeof p.title === 'string' ? p.title : m.body;
    if (payload && rules.payloads.has(payload.trim().toUpperCase())) return { source: 'button', detail: payload.slice(0, 256) };
    // A template's quick-reply button without a payload of ours: Meta sends its text as the payload.
    if (m.type === 'button' && title && rules.keywords.has(normalizeText(title))) return { source: 'button', detail: title.slice(0, 256) };
  }
  return null;
}

/** Records the opt-out once: a second one for the same contact keeps the first (when and how it happened). */
export async function recordOptOut(
  db: Knex | Knex.Transaction,
  o: { connectionId: string; contactId: string; at: Date; source: OptOutSource; detail?: string | null; messageId?: string | null; recordedBy?: string | null },
): Promise<{ row: OptOutRow; created: boolean }> {
  const [inserted] = await db('opt_outs')
    .insert({ connection_id: o.connectionId, contact_id: o.contactId, at: o.at, source: o.source, detail: o.detail ?? null, message_id: o.messageId ?? null, recorded_by: o.recordedBy ?? null })
    .onConflict(['connection_id', 'contact_id']).ignore()
    .returning('*');
  if (inserted) return { row: inserted as OptOutRow, created: true };
  return { row: (await db('opt_outs').where({ connection_id: o.connectionId, contact_id: o.contactId }).first()) as OptOutRow, created: false };
}

export async function findOptOut(db: Knex, id: string): Promise<OptOutRow | undefined> {
  return db('opt_outs').where({ id }).first();
}

/** A page of the ledger, newest first, with each contact's name and number (opt_outs_by_connection). */
export function optOutsQuery(db: Knex, connectionId: string | undefined): Knex.QueryBuilder {
  const q = db('opt_outs as o')
    .join('contacts as c', 'c.id', 'o.contact_id')
    .leftJoin('users as u', 'u.id', 'o.recorded_by')
    .select('o.*', 'c.name as contact_name', 'c.profile_name as contact_profile_name', 'c.external_id as contact_phone', 'u.name as recorded_by_name');
  if (connectionId) q.where('o.connection_id', connectionId);
  return q;
}

export function presentOptOut(r: OptOutRow & { contact_name?: string | null; contact_profile_name?: string | null; contact_phone?: string; recorded_by_name?: string | null }) {
  return {
    id: String(r.id),
    connectionId: r.connection_id,
    contact: { id: r.contact_id, name: r.contact_name ?? r.contact_profile_name ?? null, phone: r.contact_phone ?? null },
    at: r.at.toISOString(),
    source: r.source,
    detail: r.detail,
    messageId: r.message_id,
    recordedBy: r.recorded_by ? { id: r.recorded_by, name: r.recorded_by_name ?? null } : null,
  };
}
