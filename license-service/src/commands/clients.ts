import type { Knex } from 'knex';
import type { Actor } from '../deps.js';
import { insertClient, type ClientRow } from '../repositories/clients.js';
import { presentClient } from '../presenters/client.js';
import { auditAdmin } from './auditTrail.js';

export async function createClient(
  trx: Knex,
  actor: Actor,
  input: { name: string; email: string; taxId: string | null },
): Promise<ClientRow> {
  const client = await insertClient(trx, { name: input.name, email: input.email, tax_id: input.taxId });
  await auditAdmin(trx, { action: 'client.create', actor: actor.name, ip: actor.ip, subjectType: 'client', subjectId: client.id, after: presentClient(client) });
  return client;
}
