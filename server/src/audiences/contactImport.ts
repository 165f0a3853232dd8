import type { Knex } from 'knex';
import { normalizeText } from '../bots/answers.js';
import type { Deps } from '../deps.js';
import { notFound, validationFailed } from '../errors.js';
import { normalizePhoneNumber } from '../lib/phone.js';
import { assertWritable } from '../policies/license.js';
import type { Actor } from '../policies/roles.js';
import { insertAudit } from '../repositories/audit.js';
import { findConnection } from '../repositories/connections.js';
import { CONSENT_REPLACES, type LegalBasis } from './consent.js';
import { decodeCsv, detectSeparator, parseCsv, type CsvEncoding, type CsvRecord, type CsvSeparator } from './csv.js';
import { csvInvalid, importTooLarge, importWrongChannel, phoneColumnMissing } from './errors.js';

/** Largest CSV body, in bytes (100,000 rows of a dozen columns fit well within it). */
export const IMPORT_MAX_BYTES = 32 * 1024 * 1024;
/** Most data rows in one import. */
export const IMPORT_MAX_ROWS = 100_000;
/** Contacts written per statement (each its own transaction, so row locks are short). */
const CHUNK = 10_000;
/** Refused rows kept on the import, each { line, reason }. */
const MAX_ERRORS = 1_000;
/** Mapped columns per import (template parameters and custom fields). */
export const MAX_COLUMNS = 20;
const MAX_VALUE = 500;

export type RowRefusal = 'phone_missing' | 'phone_invalid' | 'too_many_columns';

export interface ImportOptions {
  connectionId: string;
  filename?: string | null;
  /** The header of the phone column; guessed from names like telefone, celular, whatsapp, phone when absent. */
  phoneColumn?: string;
  /** The header of the column with the contact's name (optional; guessed from nome/name when absent). */
  nameColumn?: string | null;
  /** Key (template parameter and custom field name) → header. Absent: every other column, keyed by its header. */
  columns?: Record<string, string>;
  /** Whether mapped columns are also saved on the contact as custom fields (default true). */
  saveFields?: boolean;
  tags?: string[];
  consent?: { legalBasis: LegalBasis; evidence?: string | null } | null;
}

export interface ImportRow {
  id: string;
  connection_id: string;
  filename: string | null;
  mapping: ImportMapping;
  total_rows: number;
  imported: number;
  merged: number;
  invalid: number;
  errors: Array<{ line: number; reason: RowRefusal }>;
  created_by: string | null;
  created_at: Date;
}

export interface ImportMapping {
  phone: string;
  name: string | null;
  columns: Record<string, string>;
  saveFields: boolean;
  encoding: CsvEncoding;
  separator: CsvSeparator;
  tags: string[];
  consent: { legalBasis: LegalBasis; evidence: string | null } | null;
  /** Distinct contacts the import holds (its audience size). */
  contacts: number;
}

const PHONE_NAMES = ['telefone', 'celular', 'whatsapp', 'phone', 'fone', 'numero', 'mobile', 'tel', 'contato', 'telefone celular', 'numero de telefone', 'phone number', 'cel'];
const NAME_NAMES = ['nome', 'name', 'nome completo', 'full name', 'cliente'];

const headerKey = (h: string) => normalizeText(h);

/** A header as a custom field key: "Valor do boleto" → valor_do_boleto. */
export function columnKey(header: string): string {
  const key = normalizeText(header).replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 40);
  return key || 'coluna';
}

function findHeader(header: string[], wanted: string): number {
  const exact = header.indexOf(wanted);
  return exact >= 0 ? exact : header.findIndex((h) => headerKey(h) === headerKey(wanted));
}

function guessHeader(header: string[], names: string[]): number {
  const keys = header.map(headerKey);
  for (const n of names) {
    const i = keys.indexOf(n);
    if (i >= 0) return i;
  }
  return -1;
}

export interface CsvPreview {
  encoding: CsvEncoding;
  separator: CsvSeparator;
  header: string[];
  /** The first data rows, as written (with their line numbers). */
  rows: Array<{ line: number; fields: string[] }>;
  totalRows: number;
  suggested: { phoneColumn: string | null; nameColumn: string | null; columns: Record<string, string> };
}

function readCsv(bytes: Buffer): { encoding: CsvEncoding; separator: CsvSeparator; header: string[]; records: CsvRecord[] } {
  if (bytes.length > IMPORT_MAX_BYTES) throw importTooLarge('bytes', IMPORT_MAX_BYTES);
  const { text, encoding } = decodeCsv(bytes);
  const separator = detectSeparator(text);
  const records = parseCsv(text, separator, IMPORT_MAX_ROWS + 2);
  if (!records.length) throw csvInvalid(1, 'the file is empty; the first line names the columns');
  if (records.length > IMPORT_MAX_ROWS + 1) throw importTooLarge('rows', IMPORT_MAX_ROWS);
  const header = records[0]!.fields.map((h, i) => h.replace(/[\u0000-\u001f\u007f]/g, '').trim() || `coluna ${i + 1}`);
  return { encoding, separator, header, records: records.slice(1) };
}

function defaultColumns(header: string[], skip: number[]): Record<string, string> {
  const columns: Record<string, string> = {};
  header.forEach((h, i) => {
    if (skip.includes(i) || Object.keys(columns).length >= MAX_COLUMNS) return;
    let key = columnKey(h);
    for (let n = 2; key in columns; n++) key = `${columnKey(h).slice(0, 37)}_${n}`;
    columns[key] = h;
  });
  return columns;
}

/** What the file looks like before it is imported: the dialog's preview. */
export function previewCsv(bytes: Buffer, rows = 5): CsvPreview {
  const { encoding, separator, header, records } = readCsv(bytes);
  const phone = guessHeader(header, PHONE_NAMES);
  const name = guessHeader(header, NAME_NAMES);
  return {
    encoding, separator, header,
    rows: records.slice(0, rows).map((r) => ({ line: r.line, fields: r.fields })),
    totalRows: records.length,
    suggested: {
      phoneColumn: phone >= 0 ? header[phone]! : null,
      nameColumn: name >= 0 ? header[name]! : null,
      columns: defaultColumns(header, [phone, name]),
    },
  };
}

const clean = (s: string | undefined) => (s ?? '').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').trim().slice(0, MAX_VALUE);

interface Entry { line: number; waId: string; matchKey: string; name: string | null; columns: Record<string, string> }

/**
 * Imports a CSV into the connection's contacts: numbers normalised (Brazilian ninth digit, 55 added to
 * 10–11 digit numbers), rows with the same number merged (later non-empty values win; the first line
 * names the row), contacts created or updated (name, tags added, custom fields merged), the rows kept
 * with their columns as an audience, consent recorded per contact if asked. Refused rows are kept with
 * their line. Opt-outs are never undone by an import. `total_rows = imported + merged + invalid`.
 */
export async function importContacts(deps: Deps, actor: Actor, bytes: Buffer, o: ImportOptions, ip: string): Promise<ImportRow> {
  assertWritable(await deps.license.snapshot());
  const connection = await findConnection(deps.db, o.connectionId);
  if (!connection || connection.deleted_at) throw notFound('connection');
  if (connection.channel !== 'whatsapp') throw importWrongChannel();
  const { encoding, separator, header, records } = readCsv(bytes);

  const phoneAt = o.phoneColumn ? findHeader(header, o.phoneColumn) : guessHeader(header, PHONE_NAMES);
  if (phoneAt < 0) throw phoneColumnMissing(header, o.phoneColumn);
  let nameAt = -1;
  if (o.nameColumn) {
    nameAt = findHeader(header, o.nameColumn);
    if (nameAt < 0) throw validationFailed(`nameColumn: the CSV has no column "${o.nameColumn}"`);
  } else if (o.nameColumn === undefined) nameAt = guessHeader(header, NAME_NAMES);
  const columns = o.columns ?? defaultColumns(header, [phoneAt, nameAt]);
  const columnAt: Array<[string, number]> = [];
  for (const [key, h] of Object.entries(columns)) {
    const at = findHeader(header, h);
    if (at < 0) throw validationFailed(`columns.${key}: the CSV has no column "${h}"`);
    columnAt.push([key, at]);
  }
  const saveFields = o.saveFields ?? true;
  const tags = o.tags ?? [];

  const errors: ImportRow['errors'] = [];
  let invalid = 0;
  let merged = 0;
  const byKey = new Map<string, Entry>();
  const refuse = (line: number, reason: RowRefusal) => {
    invalid++;
    if (errors.length < MAX_ERRORS) errors.push({ line, reason });
  };
  for (const r of records) {
    if (r.fields.length > header.length && r.fields.slice(header.length).some((f) => f.trim() !== '')) { refuse(r.line, 'too_many_columns'); continue; }
    const phone = normalizePhoneNumber(r.fields[phoneAt]);
    if (!phone.ok) { refuse(r.line, phone.reason); continue; }
    const name = nameAt >= 0 ? clean(r.fields[nameAt]) || null : null;
    const values: Record<string, string> = {};
    for (const [key, at] of columnAt) {
      const v = clean(r.fields[at]);
      if (v) values[key] = v;
    }
    const seen = byKey.get(phone.matchKey);
    if (seen) {
      merged++;
      seen.name = name ?? seen.name;
      Object.assign(seen.columns, values);
    } else {
      byKey.set(phone.matchKey, { line: r.line, waId: phone.waId, matchKey: phone.matchKey, name, columns: values });
    }
  }

  const mapping: ImportMapping = {
    phone: header[phoneAt]!, name: nameAt >= 0 ? header[nameAt]! : null, columns, saveFields, encoding, separator, tags,
    consent: o.consent ? { legalBasis: o.consent.legalBasis, evidence: o.consent.evidence ?? null } : null, contacts: byKey.size,
  };
  const [created] = await deps.db('contact_imports').insert({
    connection_id: o.connectionId, filename: o.filename ?? null, mapping: JSON.stringify(mapping), total_rows: records.length, created_by: actor.id,
  }).returning('id');
  const importId = String(created.id);

  let imported = 0;
  const entries = [...byKey.values()];
  const consent = o.consent ? { ...o.consent, at: deps.now(), recordedBy: actor.id } : null;
  for (let i = 0; i < entries.length; i += CHUNK) {
    const written = await writeChunk(deps.db, { connectionId: o.connectionId, importId, tags, saveFields, consent }, entries.slice(i, i + CHUNK));
    imported += written.inserted;
    merged += written.updated;
  }
  const counts = { imported, merged, invalid };
  await deps.db.transaction(async (trx) => {
    await trx('contact_imports').where({ id: importId }).update({ ...counts, errors: JSON.stringify(errors) });
    await insertAudit(trx, {
      actorUserId: actor.id, action: 'contacts.import', subjectType: 'contact_import', subjectId: importId, ip,
      detail: { connectionId: o.connectionId, filename: o.filename ?? null, totalRows: records.length, ...counts, consent: mapping.consent?.legalBasis ?? null },
    });
  });
  return (await findImport(deps.db, importId))!;
}

interface ChunkTarget {
  connectionId: string;
  importId: string;
  tags: string[];
  saveFields: boolean;
  consent: { legalBasis: LegalBasis; evidence?: string | null; at: Date; recordedBy: string } | null;
}

/**
 * Writes a chunk in one statement (its own transaction): the contacts created or updated, the import's
 * rows joined to them, and their consent. A match key appears once per chunk, so no contact is touched
 * twice; the entries travel once, as one JSON parameter, and only the two counts come back.
 */
async function writeChunk(db: Knex, c: ChunkTarget, chunk: Entry[]): Promise<{ inserted: number; updated: number }> {
  const payload = JSON.stringify(chunk.map((e) => ({ l: e.line, w: e.waId, k: e.matchKey, n: e.name, f: e.columns })));
  const consentSql = c.consent
    ? `, given as (
         insert into consents (connection_id, contact_id, legal_basis, granted_at, source, evidence, import_id, recorded_by)
         select :connectionId::uuid, written.id, :legalBasis, :at::timestamptz, 'import', :evidence, :importId::bigint, :recordedBy::uuid from written
         ${CONSENT_REPLACES}
       )`
    : '';
  const res = await db.raw(
    `with entry as (
       select * from jsonb_to_recordset(:payload::jsonb) as u(l int, w text, k text, n text, f jsonb)
     ), written as (
       insert into contacts (connection_id, external_id, match_key, name, tags, custom_fields)
       select :connectionId::uuid, entry.w, entry.k, entry.n, :tags::text[], ${c.saveFields ? 'entry.f' : `'{}'::jsonb`} from entry
       on conflict (connection_id, match_key) do update set
         name = coalesce(excluded.name, contacts.name),
         tags = contacts.tags || array(select t from unnest(excluded.tags) as t where not (t = any(contacts.tags))),
         custom_fields = contacts.custom_fields || excluded.custom_fields,
         updated_at = now()
       returning id, match_key, (xmax = 0) as inserted
     ), kept as (
       insert into contact_import_rows (import_id, line, contact_id, columns)
       select :importId::bigint, entry.l, written.id, entry.f from entry join written on written.match_key = entry.k
     )${consentSql}
     select count(*) filter (where inserted)::int as inserted, count(*) filter (where not inserted)::int as updated from written`,
    {
      payload, connectionId: c.connectionId, tags: c.tags, importId: c.importId,
      ...(c.consent ? { legalBasis: c.consent.legalBasis, at: c.consent.at, evidence: c.consent.evidence ?? null, recordedBy: c.consent.recordedBy } : {}),
    },
  );
  return res.rows[0];
}

export async function findImport(db: Knex, id: string): Promise<ImportRow | undefined> {
  return db('contact_imports').where({ id }).first();
}

/** The imports, newest first (contact_imports_list / _by_connection); page with kit/cursor pageQuery. */
export function importsQuery(db: Knex, connectionId: string | undefined): Knex.QueryBuilder {
  const q = db('contact_imports').select('*');
  if (connectionId) q.where({ connection_id: connectionId });
  return q;
}

export function presentImport(r: ImportRow, o: { withErrors: boolean }) {
  return {
    id: String(r.id),
    connectionId: r.connection_id,
    filename: r.filename,
    createdAt: r.created_at.toISOString(),
    createdBy: r.created_by,
    mapping: r.mapping,
    counts: { totalRows: r.total_rows, imported: r.imported, merged: r.merged, invalid: r.invalid, contacts: r.mapping.contacts ?? null },
    ...(o.withErrors ? { errors: r.errors } : {}),
  };
}
