import type { Knex } from 'knex';

export interface LicenseStateRow {
  id: 1;
  installation_id: string;
  installation_key_id: string;
  lease_envelope: string;
  lease_seq: number;
  clock_offset_ms: number;
  trusted_time: Date;
  last_success_at: Date | null;
  last_attempt_at: Date | null;
  last_error_code: string | null;
  last_error_message: string | null;
  definitive_error: string | null;
  /** The vendor's reason sent with the definitive refusal, if any. */
  definitive_reason: string | null;
  updated_at: Date;
}

export async function loadLicenseState(db: Knex): Promise<LicenseStateRow | undefined> {
  return db('license_state').where({ id: 1 }).first();
}

/**
 * Stores a new verified lease: clears errors, moves trusted time to the service's signed time. Only a
 * newer lease (higher seq) or one for a new installation replaces the stored one, in the same statement,
 * so a slow answer can never overwrite a fresher lease. Returns whether it was stored.
 */
export async function saveLease(
  db: Knex,
  l: { installationId: string; installationKeyId: string; envelope: string; seq: number; clockOffsetMs: number; serviceTime: Date },
): Promise<boolean> {
  const row = {
    id: 1,
    installation_id: l.installationId,
    installation_key_id: l.installationKeyId,
    lease_envelope: l.envelope,
    lease_seq: l.seq,
    clock_offset_ms: l.clockOffsetMs,
    trusted_time: l.serviceTime,
    last_success_at: l.serviceTime,
    last_attempt_at: l.serviceTime,
    last_error_code: null,
    last_error_message: null,
    definitive_error: null,
    definitive_reason: null,
    updated_at: db.fn.now(),
  };
  const stored = await db('license_state').insert(row).onConflict('id').merge()
    .where('license_state.lease_seq', '<', l.seq)
    .orWhere('license_state.installation_id', '<>', l.installationId)
    .returning('id');
  return stored.length === 1;
}

export async function recordLicenseFailure(
  db: Knex,
  f: { at: Date; code: string; message: string; definitive: boolean; vendorReason?: string | null },
): Promise<void> {
  await db('license_state').where({ id: 1 }).update({
    last_attempt_at: f.at,
    last_error_code: f.code,
    last_error_message: f.message.slice(0, 500),
    ...(f.definitive ? { definitive_error: f.code, definitive_reason: f.vendorReason ?? null } : {}),
    updated_at: db.fn.now(),
  });
}

/**
 * Moves the high-water mark forward (never back): called with the corrected clock as it runs. Only while
 * the lease `seq` it was computed under is still in force: a mark read under an older clock offset must
 * not land after a newer lease has reset trusted time to the service's.
 */
export async function advanceTrustedTime(db: Knex, at: Date, seq: number): Promise<void> {
  await db('license_state').where({ id: 1, lease_seq: seq }).where('trusted_time', '<', at).update({ trusted_time: at });
}
