import crypto from 'node:crypto';
import type { Deps } from '../deps.js';
import { callFlowWebhook } from '../bots/webhookCall.js';
import { findSession, findVersionDefinition } from '../repositories/botSessions.js';
import { findContact } from '../repositories/contacts.js';
import { findConversationView } from '../repositories/conversations.js';
import { botOnWebhookCalled } from './botTurn.js';

export const hashCallbackToken = (token: string) => crypto.createHash('sha256').update(token).digest('hex');

/**
 * Runs a webhook node's call, outside any transaction (it may take seconds), then feeds the answer to
 * the session. An async node first stores the hash of a one-time callback token, so a callback that
 * comes back before the call's own answer finds its session.
 */
export async function runFlowWebhook(deps: Deps, sessionId: string, steps: number): Promise<void> {
  const session = await findSession(deps.db, sessionId);
  if (!session || session.status !== 'waiting_webhook' || session.steps !== steps) return;
  const def = await findVersionDefinition(deps.db, session.version_id);
  const node = def?.nodes.find((n) => n.id === session.node_id);
  if (!node || node.type !== 'webhook') return;
  const conv = await findConversationView(deps.db, session.conversation_id);
  const contact = conv && (await findContact(deps.db, conv.contact_id));
  if (!conv || !contact) return;

  let callbackUrl: string | null = null;
  if (node.data.mode === 'async') {
    const token = crypto.randomBytes(32).toString('base64url');
    const stored = await deps.db('bot_sessions').where({ id: sessionId, status: 'waiting_webhook', steps })
      .update({ callback_token_hash: hashCallbackToken(token) });
    if (!stored) return;
    callbackUrl = `${deps.config.PUBLIC_URL}/api/bot/callbacks/${token}`;
  }
  const payload = {
    event: 'atendo.flow.webhook',
    sentAt: deps.now().toISOString(),
    session: { id: session.id, flowId: session.flow_id, nodeId: node.id },
    conversation: { id: conv.id, channel: conv.channel, connectionId: conv.connection_id, teamId: conv.team_id },
    contact: { id: contact.id, name: contact.name ?? contact.profile_name, phone: contact.external_id, tags: contact.tags, fields: contact.custom_fields },
    variables: session.variables,
    ...(callbackUrl ? { callbackUrl } : {}),
  };
  const answer = await callFlowWebhook(deps.config, node.data.url, payload, node.data.timeoutSeconds * 1000);
  if (!answer.ok) deps.log.info({ sessionId, node: node.id, error: answer.error }, 'flow webhook failed: taking its error edge');
  await botOnWebhookCalled(deps, sessionId, steps, answer.ok, answer.ok ? answer.data : undefined);
}
