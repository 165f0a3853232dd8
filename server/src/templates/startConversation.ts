import type { Deps } from '../deps.js';
import { AppError, conflict, notFound, validationFailed } from '../errors.js';
import { normalizePhoneNumber } from '../lib/phone.js';
import { announceOutbound, queueOutboundInTransaction } from '../commands/sendMessage.js';
import { canSeeConversation } from '../policies/conversations.js';
import { assertWritable } from '../policies/license.js';
import { authorize, type Actor } from '../policies/roles.js';
import { pushConversation } from '../realtime/conversationEvents.js';
import { insertAudit } from '../repositories/audit.js';
import { findConnection } from '../repositories/connections.js';
import { upsertContact } from '../repositories/contacts.js';
import { findConversationView, findOrOpenConversation, updateConversation, type ConversationView } from '../repositories/conversations.js';
import { recordEvents } from '../repositories/domainEvents.js';
import type { MessageRow } from '../repositories/messages.js';
import { countExistingTeams } from '../repositories/teams.js';
import type { StartConversationInput } from '../routes/templates/schema.js';
import { templatesNotOnInstagram } from './syncTemplates.js';
import { storedTemplateContent } from './templateSend.js';

export const invalidPhone = (phone: string) =>
  new AppError(422, 'invalid_phone', `"${phone}" is not a phone number WhatsApp can reach: give the country code (+55), the DDD and the number`, { phone });

/**
 * An attendant (or admin) reaches a customer first, by an approved template: the phone is normalised
 * (Brazilian numbers get +55 when typed with DDD only, and an old 8-digit mobile its ninth digit), the
 * contact found or created, a conversation opened in the connection's team (or `teamId`) and assigned to
 * the starter (so no bot answers the reply), and the template queued in the same transaction.
 * Admins start anywhere; supervisors and attendants only in a team of theirs (403 otherwise). A contact
 * who already has an open conversation gets the template there when the starter sees it (opened: false),
 * and 409 conversation_already_open otherwise.
 */
export async function startConversation(deps: Deps, actor: Actor, input: StartConversationInput, ip: string):
Promise<{ conversation: ConversationView; message: MessageRow; opened: boolean }> {
  assertWritable(await deps.license.snapshot());
  const connection = await findConnection(deps.db, input.connectionId);
  if (!connection) throw notFound('connection');
  if (connection.channel !== 'whatsapp') throw templatesNotOnInstagram();
  const teamId = input.teamId ?? connection.team_id;
  if (input.teamId && (await countExistingTeams(deps.db, [input.teamId])) !== 1) throw validationFailed('teamId: unknown team');
  authorize(actor, 'conversations.start', { teamIds: teamId ? [teamId] : [] });
  const phone = normalizePhoneNumber(input.phone);
  if (!phone.ok) throw invalidPhone(input.phone);
  // Checked before anything is written: an unapproved template or a missing parameter leaves no contact behind.
  const content = await storedTemplateContent(deps.db, connection.id, input.templateId, input.params);

  const now = deps.now();
  const { message, conversationId, opened } = await deps.db.transaction(async (trx) => {
    const contact = await upsertContact(trx, {
      connectionId: connection.id, externalId: phone.waId, matchKey: phone.matchKey, profileName: null, fromCustomer: false, at: now,
    });
    const found = await findOrOpenConversation(trx, { connectionId: connection.id, contactId: contact.id, teamId, at: now });
    let conversation = found.conversation;
    if (found.opened) {
      conversation = await updateConversation(trx, conversation.id, { assignee_id: actor.id, human_since: now });
      await recordEvents(trx, [{ type: 'conversation.assigned', conversationId: conversation.id, teamId, assigneeId: actor.id, byUserId: actor.id }]);
    } else if (!canSeeConversation(actor, conversation)) {
      throw conflict('conversation_already_open', 'this contact already has an open conversation in another queue');
    }
    await insertAudit(trx, {
      actorUserId: actor.id, action: 'conversation.start', subjectType: 'conversation', subjectId: conversation.id, ip,
      detail: { connectionId: connection.id, contactId: contact.id, teamId, templateId: input.templateId, opened: found.opened },
    });
    const queued = await queueOutboundInTransaction(deps, trx, {
      ...content, conversationId: conversation.id, origin: 'agent', senderUserId: actor.id, clientId: input.clientId ?? null, ip,
    });
    return { message: queued.message, conversationId: conversation.id, opened: found.opened };
  });
  await pushConversation(deps, conversationId);
  await announceOutbound(deps, message);
  return { conversation: (await findConversationView(deps.db, conversationId))!, message, opened };
}
