import type { ClientRow } from '../repositories/clients.js';

export function presentClient(c: ClientRow) {
  return {
    id: c.id,
    name: c.name,
    email: c.email,
    taxId: c.tax_id,
    createdAt: c.created_at.toISOString(),
  };
}
