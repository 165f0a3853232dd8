import type { Knex } from 'knex';
import type { Actor } from '../deps.js';
import { conflict } from '../errors.js';
import { taxIdKey } from '#kit/taxId.js';
import { findClientByTaxIdKey, insertClient, TAX_ID_UNIQUE_INDEX, type ClientRow } from '../repositories/clients.js';
import { presentClient } from '../presenters/client.js';
import { auditAdmin } from './auditTrail.js';

const taxIdTaken = (taxId: string, clientId?: string) =>
  conflict('client_tax_id_taken', `a client with tax id ${taxId} exists${clientId ? ` (${clientId})` : ''}`);

/**
 * Registers a client. One client per tax id, compared by letters and digits (taxIdKey): the check names
 * the existing client, and the unique index settles two creations racing each other.
 */
export async function createClient(
  trx: Knex,
  actor: Actor,
  input: { name: string; email: string; taxId: string | null },
): Promise<ClientRow> {
  const key = input.taxId ? taxIdKey(input.taxId) || null : null;
  if (key) {
    const existing = await findClientByTaxIdKey(trx, key);
    if (existing) throw taxIdTaken(input.taxId!, existing.id);
  }
  let client: ClientRow;
  try {
    client = await insertClient(trx, { name: input.name, email: input.email, tax_id: input.taxId, tax_id_key: key });
  } catch (err) {
    if ((err as { code?: string; constraint?: string }).code === '23505' && (err as { constraint?: string }).constraint === TAX_ID_UNIQUE_INDEX) {
      throw taxIdTaken(input.taxId!);
    }
    throw err;
  }
  await auditAdmin(trx, { action: 'client.create', actor: actor.name, ip: actor.ip, subjectType: 'client', subjectId: client.id, after: presentClient(client) });
  return client;
}
