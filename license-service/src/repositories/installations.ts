import type { Knex } from 'knex';
import type { Fingerprint, Usage } from '#protocol/applianceRequests.js';
import type { PlanFeatures, PlanLimits } from '#protocol/lease.js';

export type { Fingerprint, Usage };
import { pageQuery } from '#kit/cursor.js';
import { preparedQuery } from '#kit/db.js';
import type { LicenseStatus } from './licenses.js';

export interface InstallationRow {
  id: string;
  license_id: string;
  status: 'active' | 'superseded';
  public_key_pem: string;
  key_id: string;
  fingerprint: Fingerprint;
  fingerprint_hash: string;
  hostname: string;
  version: string;
  last_ip: string;
  last_usage: Usage | null;
  activated_at: Date;
  last_heartbeat_at: Date | null;
  superseded_at: Date | null;
}

/** Everything a heartbeat needs, read in one query. */
export interface HeartbeatContext {
  installation_id: string;
  installation_status: 'active' | 'superseded';
  public_key_pem: string;
  key_id: string;
  fingerprint_hash: string;
  license_id: string;
  license_status: LicenseStatus;
  status_reason: string | null;
  expires_at: Date;
  bound_ip: string | null;
  client_id: string;
  client_name: string;
  plan_id: string;
  plan_code: string;
  plan_name: string;
  plan_version: number;
  limits: PlanLimits;
  features: PlanFeatures;
}

export async function insertInstallation(
  db: Knex,
  i: Pick<InstallationRow, 'license_id' | 'public_key_pem' | 'key_id' | 'fingerprint' | 'fingerprint_hash' | 'hostname' | 'version' | 'last_ip'>,
): Promise<InstallationRow> {
  const [row] = await db('installations')
    .insert({ ...i, fingerprint: JSON.stringify(i.fingerprint) })
    .returning('*');
  return row;
}

export async function findActiveInstallation(db: Knex, licenseId: string): Promise<InstallationRow | undefined> {
  return db('installations').where({ license_id: licenseId, status: 'active' }).first();
}

export async function supersedeActiveInstallation(db: Knex, licenseId: string): Promise<number> {
  return db('installations')
    .where({ license_id: licenseId, status: 'active' })
    .update({ status: 'superseded', superseded_at: db.fn.now() });
}

export async function updateInstallationOnActivation(
  db: Knex,
  id: string,
  patch: Pick<InstallationRow, 'fingerprint' | 'fingerprint_hash' | 'hostname' | 'version' | 'last_ip'>,
): Promise<InstallationRow> {
  const [row] = await db('installations')
    .where({ id })
    .update({ ...patch, fingerprint: JSON.stringify(patch.fingerprint) })
    .returning('*');
  return row;
}

/** The heartbeat's one read; a prepared statement because it runs thousands of times a second at peak. */
export async function loadHeartbeatContext(db: Knex, installationId: string): Promise<HeartbeatContext | undefined> {
  const rows = await preparedQuery<HeartbeatContext>(db, 'ls_heartbeat_context', `
    select i.id as installation_id, i.status as installation_status, i.public_key_pem, i.key_id, i.fingerprint_hash,
           l.id as license_id, l.status as license_status, l.status_reason, l.expires_at, l.bound_ip,
           c.id as client_id, c.name as client_name,
           p.id as plan_id, p.code as plan_code, p.name as plan_name, p.version as plan_version, p.limits, p.features
      from installations i
      join licenses l on l.id = i.license_id
      join clients c on c.id = l.client_id
      join plans p on p.id = l.plan_id
     where i.id = $1`, [installationId]);
  return rows[0];
}

/**
 * Records an accepted heartbeat and takes the license's next lease sequence number, in one statement:
 * the number only grows, even with concurrent heartbeats.
 */
export async function recordHeartbeat(
  db: Knex,
  h: { installationId: string; licenseId: string; ip: string; version: string; usage: Usage; fingerprintHash: string; at: Date },
): Promise<number> {
  const rows = await preparedQuery<{ seq: number }>(db, 'ls_record_heartbeat', `
    with seq as (update licenses set lease_seq = lease_seq + 1 where id = $1 returning lease_seq)
    update installations set last_heartbeat_at = $2, last_ip = $3, version = $4, last_usage = $5, fingerprint_hash = $6
     where id = $7 returning (select lease_seq from seq) as seq`,
    [h.licenseId, h.at, h.ip, h.version, JSON.stringify(h.usage), h.fingerprintHash, h.installationId]);
  return Number(rows[0]!.seq);
}

/** Leases issued outside a heartbeat (activation) take their sequence number here. */
export async function nextLeaseSeq(db: Knex, licenseId: string): Promise<number> {
  const [row] = await db('licenses').where({ id: licenseId }).increment('lease_seq', 1).returning('lease_seq');
  return Number(row.lease_seq);
}

export interface InstallationListRow extends InstallationRow {
  client_id: string;
  client_name: string;
  bound_ip: string | null;
  license_status: LicenseStatus;
  clone_suspected_at: Date | null;
  limits: PlanLimits;
  plan_code: string;
}

export async function listInstallations(
  db: Knex,
  opts: { licenseId?: string; status?: 'active' | 'superseded'; staleBefore?: Date; cursor?: string; limit: number },
): Promise<InstallationListRow[]> {
  const q = db('installations as i')
    .join('licenses as l', 'l.id', 'i.license_id')
    .join('clients as c', 'c.id', 'l.client_id')
    .join('plans as p', 'p.id', 'l.plan_id')
    .select('i.*', 'c.id as client_id', 'c.name as client_name', 'l.bound_ip', 'l.status as license_status',
      'l.clone_suspected_at', 'p.limits', 'p.code as plan_code');
  if (opts.licenseId) q.where('i.license_id', opts.licenseId);
  if (opts.status) q.where('i.status', opts.status);
  if (opts.staleBefore) {
    q.whereRaw('coalesce(i.last_heartbeat_at, i.activated_at) < ?', [opts.staleBefore]);
  }
  return pageQuery(q, 'i.activated_at', 'i.id', opts.cursor, opts.limit);
}
