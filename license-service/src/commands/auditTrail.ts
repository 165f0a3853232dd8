import type { Knex } from 'knex';
import type { Deps } from '../deps.js';
import type { AppError } from '../errors.js';
import { insertAudit, type AuditEvent } from '../repositories/audit.js';

/** Records an admin action inside the caller's transaction, so the change and its record land together. */
export function auditAdmin(trx: Knex, event: Omit<AuditEvent, 'kind'>): Promise<void> {
  return insertAudit(trx, { ...event, kind: 'admin' });
}

/**
 * Records a refused or suspicious appliance request and returns the error to throw. Written outside any
 * transaction: the refusal rolls back everything else, but its record must stay.
 */
export async function refuse(deps: Deps, error: AppError, event: Omit<AuditEvent, 'kind' | 'action'> & { action?: string }): Promise<AppError> {
  try {
    await insertAudit(deps.db, {
      ...event,
      kind: 'security',
      action: event.action ?? `security.${error.code}`,
      detail: { code: error.code, ...(event.detail as object | undefined) },
    });
  } catch (err) {
    deps.log.error({ err }, 'could not write security audit event');
  }
  return error;
}
