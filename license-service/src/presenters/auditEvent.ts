import type { AuditRow } from '../repositories/audit.js';

export function presentAuditEvent(e: AuditRow) {
  return {
    id: String(e.id),
    at: e.at.toISOString(),
    kind: e.kind,
    action: e.action,
    actor: e.actor,
    ip: e.ip,
    licenseId: e.license_id,
    subject: e.subject_type ? { type: e.subject_type, id: e.subject_id } : null,
    before: e.before,
    after: e.after,
    detail: e.detail,
  };
}
