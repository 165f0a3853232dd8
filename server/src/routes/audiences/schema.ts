import { z } from 'zod';
import { AudienceSchema } from '../../audiences/audienceQuery.js';
import { LegalBasis } from '../../audiences/consent.js';
import { MAX_COLUMNS } from '../../audiences/contactImport.js';

export const IdParam = z.uuid();
export const BigIdParam = z.string().regex(/^[1-9]\d{0,17}$/, 'an id');

const Header = z.string().trim().min(1).max(200);
const Tags = z.string().max(1000).transform((s) => [...new Set(s.split(',').map((t) => t.trim().toLowerCase()).filter(Boolean))])
  .pipe(z.array(z.string().max(40, 'tags are at most 40 characters')).max(20, 'at most 20 tags'));
const Bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const ColumnMap = z.string().max(20_000)
  .transform((s, ctx) => {
    try {
      return JSON.parse(s) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'a JSON object of key → column header' });
      return z.NEVER;
    }
  })
  .pipe(z.record(z.string().regex(/^[a-z0-9_]{1,40}$/, 'keys are 1-40 of a-z, 0-9 and _'), Header)
    .refine((m) => Object.keys(m).length <= MAX_COLUMNS, `at most ${MAX_COLUMNS} columns`));

/** POST /api/contacts/import: the CSV is the body; everything else is in the query. */
export const ImportQuery = z.object({
  connectionId: z.uuid(),
  filename: z.string().max(255).optional(),
  phoneColumn: Header.optional(),
  /** The name column's header; empty = no name column (not guessed). */
  nameColumn: z.string().trim().max(200).optional(),
  columns: ColumnMap.optional(),
  saveFields: Bool.optional(),
  tags: Tags.optional(),
  consentBasis: LegalBasis.optional(),
  consentEvidence: z.string().trim().max(500).optional(),
});

export const ListQuery = z.object({
  connectionId: z.uuid().optional(),
  cursor: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const OptOutBody = z
  .strictObject({
    connectionId: z.uuid(),
    contactId: z.uuid().optional(),
    phone: z.string().trim().min(1).max(40).optional(),
    detail: z.string().trim().max(200).optional(),
  })
  .refine((b) => !!b.contactId !== !!b.phone, { message: 'give contactId or phone (one of them)' });

export const ConsentBody = z.strictObject({
  connectionId: z.uuid(),
  legalBasis: LegalBasis,
  evidence: z.string().trim().max(500).optional(),
});

export const ConsentQuery = z.object({ connectionId: z.uuid() });

export const ClassifyBody = z.strictObject({
  connectionId: z.uuid(),
  audience: AudienceSchema,
  requireConsent: z.boolean().default(true),
  excludeOpenConversations: z.boolean().default(true),
});
