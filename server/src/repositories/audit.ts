import type { Knex } from 'knex';

export interface AuditEntry { actorUserId: string | null; action: string; subjectType?: string; subjectId?: string; ip?: string | null; detail?: unknown }

export async function insertAudit(db: Knex, e: AuditEntry): Promise<void> {
  await insertAudits(db, [e]);
}

/** Several entries in one statement. */
export async function insertAudits(db: Knex, entries: AuditEntry[]): Promise<void> {
  if (!entries.length) return;
  await db('audit_log').insert(entries.map((e) => ({
    actor_user_id: e.actorUserId,
    action: e.action,
    subject_type: e.subjectType ?? null,
    subject_id: e.subjectId ?? null,
    ip: e.ip ?? null,
    detail: e.detail === undefined ? null : JSON.stringify(e.detail),
  })));
}
