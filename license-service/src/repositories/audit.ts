import type { Knex } from 'knex';
import { pageQuery } from '#kit/cursor.js';

export type AuditKind = 'admin' | 'security' | 'appliance';

export interface AuditEvent {
  kind: AuditKind;
  action: string;
  actor: string;
  ip?: string | null;
  licenseId?: string | null;
  subjectType?: string | null;
  subjectId?: string | null;
  before?: unknown;
  after?: unknown;
  detail?: unknown;
}

export interface AuditRow {
  id: number;
  at: Date;
  kind: AuditKind;
  action: string;
  actor: string;
  ip: string | null;
  license_id: string | null;
  subject_type: string | null;
  subject_id: string | null;
  before: unknown;
  after: unknown;
  detail: unknown;
}

export async function insertAudit(db: Knex, e: AuditEvent): Promise<void> {
  await db('audit_events').insert({
    kind: e.kind,
    action: e.action,
    actor: e.actor,
    ip: e.ip ?? null,
    license_id: e.licenseId ?? null,
    subject_type: e.subjectType ?? null,
    subject_id: e.subjectId ?? null,
    before: e.before === undefined ? null : JSON.stringify(e.before),
    after: e.after === undefined ? null : JSON.stringify(e.after),
    detail: e.detail === undefined ? null : JSON.stringify(e.detail),
  });
}

export interface AuditFilter {
  kind?: AuditKind;
  action?: string;
  licenseId?: string;
  actor?: string;
  since?: Date;
  until?: Date;
  cursor?: string;
  limit: number;
}

export async function listAudit(db: Knex, f: AuditFilter): Promise<AuditRow[]> {
  const q = db('audit_events').select('*');
  if (f.kind) q.where({ kind: f.kind });
  if (f.action?.endsWith('*')) q.where('action', 'like', `${f.action.slice(0, -1).replace(/[\\%_]/g, '\\$&')}%`);
  else if (f.action) q.where({ action: f.action });
  if (f.licenseId) q.where({ license_id: f.licenseId });
  if (f.actor) q.where({ actor: f.actor });
  if (f.since) q.where('at', '>=', f.since);
  if (f.until) q.where('at', '<', f.until);
  return pageQuery(q, 'at', 'id', f.cursor, f.limit, 'bigint'); // audit_events.id is a bigserial
}
