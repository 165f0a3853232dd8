import type { Knex } from 'knex';
import { z } from 'zod';

/**
 * Who a campaign goes to, as SQL over the whole set (never a loop per contact): contacts of one
 * connection picked by tags, custom fields, channel, last activity and open conversations, or the rows of
 * a CSV import with their own columns (template parameters per row). The campaign engine freezes an
 * audience with `insert … select` from `audienceContacts`, and applies the same exclusion rules
 * (`excludedReasonSql`) when it builds and again, per contact (`exclusionReasonOf`), right before a send.
 */

const Tag = z.string().trim().toLowerCase().min(1).max(40);
const Tags = z.array(Tag).min(1).max(20).transform((tags) => [...new Set(tags)]);
const FieldName = z.string().regex(/^[a-z0-9_]{1,40}$/, 'a custom field key: 1-40 of a-z, 0-9 and _');
const Days = z.number().int().min(1).max(3650);

const FieldCondition = z
  .strictObject({
    name: FieldName,
    op: z.enum(['equals', 'contains', 'is_set', 'is_empty']),
    value: z.string().trim().max(500).optional(),
  })
  .refine((f) => (f.op === 'equals' || f.op === 'contains' ? !!f.value : f.value === undefined), {
    message: 'equals and contains need a value; is_set and is_empty take none',
  });

export const AudienceSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('filter'),
    /** any: at least one of them; all: every one; none: not one. Tags are lowercase, as contacts keep them. */
    tags: z.strictObject({ any: Tags.optional(), all: Tags.optional(), none: Tags.optional() }).optional(),
    /** All conditions hold (AND). `equals` is exact; `contains` ignores case. */
    fields: z.array(FieldCondition).max(20).optional(),
    channel: z.enum(['whatsapp', 'instagram']).optional(),
    /** The customer wrote (within) / did not write (notWithin) in the last N days. */
    lastActivityDays: z.strictObject({ within: Days.optional(), notWithin: Days.optional() }).optional(),
    openConversation: z.enum(['any', 'only', 'exclude']).optional(),
  }),
  z.strictObject({
    kind: z.literal('import'),
    importId: z.union([z.string(), z.number().int()]).transform(String).pipe(z.string().regex(/^[1-9]\d{0,17}$/, 'an import id')),
  }),
]);

export type AudienceFilter = z.infer<typeof AudienceSchema>;

/** Why a contact of the audience will not be sent to, in the order checked (the first that holds wins). */
export const EXCLUSION_REASONS = ['opted_out', 'invalid_number', 'no_consent', 'open_conversation'] as const;
export type ExclusionReason = (typeof EXCLUSION_REASONS)[number];

export interface ExclusionOptions {
  /** Contacts without a consent record for the connection are excluded (`no_consent`). */
  requireConsent: boolean;
  /** Contacts with an open conversation (someone is attending them) are excluded (`open_conversation`). */
  excludeOpenConversations: boolean;
}

/** A row of an audience: the contact, the id to send to, and the import row's columns ('{}' for filters). */
export interface AudienceRow {
  contact_id: string;
  external_id: string;
  columns: Record<string, string>;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The audience's contacts as `c` (and import rows as `r`), not yet selecting anything. */
function audienceBase(db: Knex, connectionId: string, audience: AudienceFilter, now: Date): Knex.QueryBuilder {
  if (audience.kind === 'import') {
    return db('contact_import_rows as r')
      .join('contact_imports as i', 'i.id', 'r.import_id')
      .join('contacts as c', 'c.id', 'r.contact_id')
      .where('r.import_id', audience.importId)
      .where('i.connection_id', connectionId)
      .where('c.connection_id', connectionId);
  }
  const q = db('contacts as c').where('c.connection_id', connectionId);
  if (audience.channel) {
    q.whereExists(db('connections as cn').whereRaw('cn.id = c.connection_id').where('cn.channel', audience.channel).select(db.raw('1')));
  }
  const { any, all, none } = audience.tags ?? {};
  // && and @> on text[] use the contacts_tags GIN index.
  if (any?.length) q.whereRaw('c.tags && ?::text[]', [any]);
  if (all?.length) q.whereRaw('c.tags @> ?::text[]', [all]);
  if (none?.length) q.whereRaw('not (c.tags && ?::text[])', [none]);
  for (const f of audience.fields ?? []) {
    switch (f.op) {
      // Containment uses the contacts_custom_fields GIN index (jsonb_path_ops).
      case 'equals': q.whereRaw('c.custom_fields @> ?::jsonb', [JSON.stringify({ [f.name]: f.value })]); break;
      case 'contains': q.whereRaw(`coalesce(c.custom_fields ->> ?, '') ilike ?`, [f.name, `%${escapeLike(f.value!)}%`]); break;
      case 'is_set': q.whereRaw(`coalesce(c.custom_fields ->> ?, '') <> ''`, [f.name]); break;
      case 'is_empty': q.whereRaw(`coalesce(c.custom_fields ->> ?, '') = ''`, [f.name]); break;
    }
  }
  const day = 86_400_000;
  const wroteSince = (days: number) => db('conversations as v').whereRaw('v.contact_id = c.id').where('v.last_inbound_at', '>=', new Date(now.getTime() - days * day)).select(db.raw('1'));
  if (audience.lastActivityDays?.within) q.whereExists(wroteSince(audience.lastActivityDays.within));
  if (audience.lastActivityDays?.notWithin) q.whereNotExists(wroteSince(audience.lastActivityDays.notWithin));
  const open = () => db('conversations as v').whereRaw('v.contact_id = c.id').where('v.status', 'open').select(db.raw('1'));
  if (audience.openConversation === 'only') q.whereExists(open());
  if (audience.openConversation === 'exclude') q.whereNotExists(open());
  return q;
}

const columnsOf = (audience: AudienceFilter) => (audience.kind === 'import' ? 'r.columns' : `'{}'::jsonb`);

/**
 * The audience as rows { contact_id, external_id, columns }: a query to select from, or to freeze with
 * `insert into campaign_recipients (…) select … from (audienceContacts(…)) a`. No exclusion applied.
 */
export function audienceContacts(db: Knex, connectionId: string, audience: AudienceFilter, now: Date): Knex.QueryBuilder {
  return audienceBase(db, connectionId, audience, now).select('c.id as contact_id', 'c.external_id', db.raw(`${columnsOf(audience)} as columns`));
}

/**
 * The SQL expression (no bindings) naming why the contact aliased `alias` (a `contacts` row: id,
 * connection_id, external_id) is excluded, or null when it will be sent to. Checked in the order of
 * EXCLUSION_REASONS. Embed it in a select: `select …, ${excludedReasonSql(opts)} as reason from contacts c …`.
 * Invalid numbers: a WhatsApp id that is not 8–15 digits, or a Brazilian one (55…) of other than 12–13.
 */
export function excludedReasonSql(opts: ExclusionOptions, alias = 'c'): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(alias)) throw new Error(`bad alias ${alias}`);
  const a = alias;
  return `(case
    when exists (select 1 from opt_outs xo where xo.connection_id = ${a}.connection_id and xo.contact_id = ${a}.id) then 'opted_out'
    when (select xn.channel from connections xn where xn.id = ${a}.connection_id) = 'whatsapp'
      and not (${a}.external_id ~ '^[1-9][0-9]{7,14}$' and (${a}.external_id not like '55%' or length(${a}.external_id) in (12, 13))) then 'invalid_number'
    ${opts.requireConsent ? `when not exists (select 1 from consents xc where xc.connection_id = ${a}.connection_id and xc.contact_id = ${a}.id) then 'no_consent'` : ''}
    ${opts.excludeOpenConversations ? `when exists (select 1 from conversations xv where xv.contact_id = ${a}.id and xv.status = 'open') then 'open_conversation'` : ''}
  end)`;
}

/** The audience with each row's exclusion: { contact_id, external_id, columns, reason } (reason null = send). */
export function audienceWithReasons(db: Knex, connectionId: string, audience: AudienceFilter, opts: ExclusionOptions, now: Date): Knex.QueryBuilder {
  return audienceBase(db, connectionId, audience, now).select(
    'c.id as contact_id', 'c.external_id', db.raw(`${columnsOf(audience)} as columns`), db.raw(`${excludedReasonSql(opts, 'c')} as reason`),
  );
}

export interface AudienceSampleRow {
  contactId: string;
  name: string | null;
  phone: string;
  columns: Record<string, string>;
  reason: ExclusionReason | null;
}

export interface AudienceClassification {
  total: number;
  willSend: number;
  excluded: Record<ExclusionReason, number>;
  /** The first contacts that will be sent to (with their columns, for a preview of rendered rows). */
  sample: AudienceSampleRow[];
  /** The first excluded contacts, each with its reason. */
  excludedSample: AudienceSampleRow[];
}

/** How many the audience has, how many will be sent to, and how many are excluded and why (one counting query, two samples). */
export async function classifyAudience(
  db: Knex, connectionId: string, audience: AudienceFilter, o: ExclusionOptions & { now: Date; sampleSize?: number },
): Promise<AudienceClassification> {
  const rows = audienceWithReasons(db, connectionId, audience, o, o.now);
  const counts = await db.from(rows.clone().as('x')).first(
    db.raw('count(*)::int as total'),
    db.raw('(count(*) filter (where reason is null))::int as will_send'),
    ...EXCLUSION_REASONS.map((r) => db.raw(`(count(*) filter (where reason = '${r}'))::int as ${r}`)),
  );
  const n = o.sampleSize ?? 5;
  const sampleOf = (excluded: boolean) => db
    .from(rows.clone().as('x'))
    .join('contacts as s', 's.id', 'x.contact_id')
    .where((w) => (excluded ? w.whereNotNull('x.reason') : w.whereNull('x.reason')))
    .select('x.contact_id', 'x.external_id', 'x.columns', 'x.reason', db.raw('coalesce(s.name, s.profile_name) as name'))
    .orderByRaw('coalesce(s.name, s.profile_name) nulls last, x.contact_id')
    .limit(n);
  const [willSample, excludedRows] = await Promise.all([sampleOf(false), sampleOf(true)]);
  const present = (r: { contact_id: string; external_id: string; columns: Record<string, string>; reason: ExclusionReason | null; name: string | null }): AudienceSampleRow =>
    ({ contactId: r.contact_id, name: r.name, phone: r.external_id, columns: r.columns ?? {}, reason: r.reason });
  return {
    total: counts.total,
    willSend: counts.will_send,
    excluded: Object.fromEntries(EXCLUSION_REASONS.map((r) => [r, counts[r] as number])) as Record<ExclusionReason, number>,
    sample: willSample.map(present),
    excludedSample: excludedRows.map(present),
  };
}

/** Why this one contact is excluded right now, or null: the check right before a send. */
export async function exclusionReasonOf(db: Knex, connectionId: string, contactId: string, opts: ExclusionOptions): Promise<ExclusionReason | null> {
  const row = await db('contacts as c').where({ 'c.id': contactId, 'c.connection_id': connectionId }).first(db.raw(`${excludedReasonSql(opts, 'c')} as reason`));
  // A contact of another connection cannot be sent to from this one.
  return row ? (row.reason as ExclusionReason | null) : 'invalid_number';
}

export async function isOptedOut(db: Knex, connectionId: string, contactId: string): Promise<boolean> {
  return !!(await db('opt_outs').where({ connection_id: connectionId, contact_id: contactId }).first('id'));
}

export async function hasConsent(db: Knex, connectionId: string, contactId: string): Promise<boolean> {
  return !!(await db('consents').where({ connection_id: connectionId, contact_id: contactId }).first('id'));
}
