import type { Knex } from 'knex';
import { pageQuery } from '#kit/cursor.js';

export type LicenseStatus = 'active' | 'suspended' | 'revoked';

export interface LicenseRow {
  id: string;
  client_id: string;
  plan_id: string;
  key_hash: string;
  key_suffix: string;
  status: LicenseStatus;
  /** The vendor's reason for the current suspension or revocation, shown to the customer. */
  status_reason: string | null;
  expires_at: Date;
  bound_ip: string | null;
  lease_seq: number;
  clone_suspected_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export async function insertLicense(
  db: Knex,
  l: Pick<LicenseRow, 'client_id' | 'plan_id' | 'key_hash' | 'key_suffix' | 'expires_at' | 'bound_ip'>,
): Promise<LicenseRow> {
  const [row] = await db('licenses').insert(l).returning('*');
  return row;
}

export async function findLicense(db: Knex, id: string, forUpdate = false): Promise<LicenseRow | undefined> {
  const q = db('licenses').where({ id }).first();
  return forUpdate ? q.forUpdate() : q;
}

export async function findLicenseByKeyHash(db: Knex, keyHash: string, forUpdate = false): Promise<LicenseRow | undefined> {
  const q = db('licenses').where({ key_hash: keyHash }).first();
  return forUpdate ? q.forUpdate() : q;
}

export async function updateLicense(
  db: Knex,
  id: string,
  patch: Partial<Pick<LicenseRow, 'status' | 'status_reason' | 'expires_at' | 'bound_ip' | 'plan_id' | 'clone_suspected_at'>>,
): Promise<LicenseRow> {
  const [row] = await db('licenses').where({ id }).update({ ...patch, updated_at: db.fn.now() }).returning('*');
  return row;
}

/** A license with its client's name, as lists show it (people read names, not UUIDs). */
export interface LicenseListRow extends LicenseRow {
  client_name: string;
}

export async function listLicenses(
  db: Knex,
  opts: { clientId?: string; status?: LicenseStatus; cursor?: string; limit: number },
): Promise<LicenseListRow[]> {
  const q = db('licenses').join('clients', 'clients.id', 'licenses.client_id').select('licenses.*', 'clients.name as client_name');
  if (opts.clientId) q.where('licenses.client_id', opts.clientId);
  if (opts.status) q.where('licenses.status', opts.status);
  return pageQuery(q, 'licenses.created_at', 'licenses.id', opts.cursor, opts.limit);
}

export async function findLicenseWithClient(db: Knex, id: string): Promise<LicenseListRow | undefined> {
  return db('licenses').join('clients', 'clients.id', 'licenses.client_id').select('licenses.*', 'clients.name as client_name').where('licenses.id', id).first();
}

/** Binds a license's IP only if none is bound (a concurrent rebind wins). Returns whether it bound. */
export async function bindIpIfUnbound(db: Knex, id: string, ip: string): Promise<boolean> {
  const n = await db('licenses').where({ id }).whereNull('bound_ip').update({ bound_ip: ip, updated_at: db.fn.now() });
  return n === 1;
}
