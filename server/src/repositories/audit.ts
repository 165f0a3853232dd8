import type { Knex } from 'knex';

export async function insertAudit(
  db: Knex,
  e: { actorUserId: string | null; action: string; subjectType?: string; subjectId?: string; ip?: string | null; detail?: unknown },
): Promise<void> {
  await db('audit_log').insert({
    actor_user_id: e.actorUserId,
    action: e.action,
    subject_type: e.subjectType ?? null,
    subject_id: e.subjectId ?? null,
    ip: e.ip ?? null,
    detail: e.detail === undefined ? null : JSON.stringify(e.detail),
  });
}
