import type { Knex } from 'knex';
import { z } from 'zod';

/**
 * The legal bases of LGPD (Lei 13.709/2018) art. 7 for processing personal data, in the article's order
 * (I–X). Business-initiated messages usually rest on consent (I), a contract (V) or legitimate interest (IX).
 */
export const LEGAL_BASES = [
  'consent', // I — consentimento do titular
  'legal_obligation', // II — cumprimento de obrigação legal ou regulatória
  'public_administration', // III — execução de políticas públicas pela administração pública
  'research', // IV — estudos por órgão de pesquisa
  'contract', // V — execução de contrato ou procedimentos preliminares
  'legal_proceedings', // VI — exercício regular de direitos em processo judicial, administrativo ou arbitral
  'vital_interest', // VII — proteção da vida ou da incolumidade física
  'health_protection', // VIII — tutela da saúde
  'legitimate_interest', // IX — interesses legítimos do controlador ou de terceiro
  'credit_protection', // X — proteção do crédito
] as const;
export const LegalBasis = z.enum(LEGAL_BASES);
export type LegalBasis = z.infer<typeof LegalBasis>;

export interface ConsentRow {
  id: string;
  connection_id: string;
  contact_id: string;
  legal_basis: LegalBasis;
  granted_at: Date;
  source: 'manual' | 'import' | 'keyword';
  evidence: string | null;
  import_id: string | null;
  recorded_by: string | null;
}

/** How a new consent replaces a contact's earlier one (also used by the import's one statement per chunk). */
export const CONSENT_REPLACES = `on conflict (connection_id, contact_id) do update set
       legal_basis = excluded.legal_basis, granted_at = excluded.granted_at, source = excluded.source,
       evidence = excluded.evidence, import_id = excluded.import_id, recorded_by = excluded.recorded_by`;

/** Records (or replaces) the consent of many contacts at once: one statement. */
export async function upsertConsents(
  db: Knex | Knex.Transaction,
  c: { connectionId: string; contactIds: string[]; legalBasis: LegalBasis; at: Date; source: ConsentRow['source']; evidence?: string | null; importId?: string | null; recordedBy?: string | null },
): Promise<ConsentRow[]> {
  if (!c.contactIds.length) return [];
  const res = await db.raw(
    `insert into consents (connection_id, contact_id, legal_basis, granted_at, source, evidence, import_id, recorded_by)
     select ?::uuid, id, ?, ?::timestamptz, ?, ?, ?::bigint, ?::uuid from unnest(?::uuid[]) as id
     ${CONSENT_REPLACES}
     returning *`,
    [c.connectionId, c.legalBasis, c.at, c.source, c.evidence ?? null, c.importId ?? null, c.recordedBy ?? null, c.contactIds],
  );
  return res.rows as ConsentRow[];
}

export function presentConsent(r: ConsentRow) {
  return {
    id: String(r.id), connectionId: r.connection_id, contactId: r.contact_id, legalBasis: r.legal_basis,
    grantedAt: r.granted_at.toISOString(), source: r.source, evidence: r.evidence,
    importId: r.import_id === null ? null : String(r.import_id), recordedBy: r.recorded_by,
  };
}
