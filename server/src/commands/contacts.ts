import type { Deps } from '../deps.js';
import { notFound } from '../errors.js';
import { assertWritable } from '../policies/license.js';
import type { Actor } from '../policies/roles.js';
import { pushConversation } from '../realtime/conversationEvents.js';
import { insertAudit } from '../repositories/audit.js';
import { findContact, updateContact, type ContactRow } from '../repositories/contacts.js';
import { contactVisibleTo, findOpenConversationOfContact } from '../repositories/inbox.js';
import type { UpdateContactInput } from '../routes/contacts/schema.js';

/** A contact is seen by whoever sees one of its conversations (admins always); others get 404. */
export async function visibleContact(deps: Deps, actor: Actor, id: string): Promise<ContactRow> {
  const contact = await findContact(deps.db, id);
  if (!contact || !(await contactVisibleTo(deps.db, actor, id))) throw notFound('contact');
  return contact;
}

export async function changeContact(deps: Deps, actor: Actor, id: string, input: UpdateContactInput, ip: string): Promise<ContactRow> {
  assertWritable(await deps.license.snapshot());
  const before = await visibleContact(deps, actor, id);
  const patch = {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.tags !== undefined ? { tags: input.tags } : {}),
    ...(input.customFields !== undefined ? { custom_fields: input.customFields } : {}),
  };
  await deps.db.transaction(async (trx) => {
    await updateContact(trx, id, patch);
    await insertAudit(trx, {
      actorUserId: actor.id, action: 'contact.update', subjectType: 'contact', subjectId: id, ip,
      detail: {
        before: { name: before.name, tags: before.tags, customFields: before.custom_fields },
        after: { name: patch.name ?? before.name, tags: patch.tags ?? before.tags, customFields: patch.custom_fields ?? before.custom_fields },
      },
    });
  });
  // The inbox shows name and tags on the conversation row.
  const open = await findOpenConversationOfContact(deps.db, id);
  if (open) await pushConversation(deps, open.id);
  return (await findContact(deps.db, id))!;
}
