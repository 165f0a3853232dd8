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
  updated_at: Date;
}

export async function loadLicenseState(db: Knex): Promise<LicenseStateRow | undefined> {
  return db('license_state').where({ id: 1 }).first();
}

/** Stores a new verified lease: clears errors, moves trusted time to the service's signed time. */
export async function saveLease(
  db: Knex,
  l: { installationId: string; installationKeyId: string; envelope: string; seq: number; clockOffsetMs: number; serviceTime: Date },
): Promise<void> {
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
    updated_at: db.fn.now(),
  };
  await db('license_state').insert(row).onConflict('id').merge();
}

export async function recordLicenseFailure(
  db: Knex,
  f: { at: Date; code: string; message: string; definitive: boolean },
): Promise<void> {
  await db('license_state').where({ id: 1 }).update({
    last_attempt_at: f.at,
    last_error_code: f.code,
    last_error_message: f.message.slice(0, 500),
    ...(f.definitive ? { definitive_error: f.code } : {}),
    updated_at: db.fn.now(),
  });
}

export async function updateClockOffset(db: Knex, offsetMs: number): Promise<void> {
  await db('license_state').where({ id: 1 }).update({ clock_offset_ms: offsetMs, updated_at: db.fn.now() });
}

/** Moves the high-water mark forward (never back): called with the corrected clock as it runs. */
export async function advanceTrustedTime(db: Knex, at: Date): Promise<void> {
  await db('license_state').where({ id: 1 }).where('trusted_time', '<', at).update({ trusted_time: at });
}
