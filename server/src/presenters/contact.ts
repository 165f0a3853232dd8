import type { ContactRow } from '../repositories/contacts.js';
import { iso } from './iso.js';

/**
 * A contact with what agents keep about it. `name` is what the inbox shows (the saved name, else the
 * profile name), as in the conversation list; `savedName` is the one agents set.
 */
export function presentContact(c: ContactRow) {
  return {
    id: c.id,
    connectionId: c.connection_id,
    name: c.name ?? c.profile_name,
    savedName: c.name,
    profileName: c.profile_name,
    externalId: c.external_id,
    tags: c.tags,
    customFields: c.custom_fields,
    createdAt: iso(c.created_at),
    updatedAt: iso(c.updated_at),
  };
}
