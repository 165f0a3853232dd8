import type { Config } from '../config.js';
import { graphCall } from './graphClient.js';

/**
 * Sends a text to an Instagram user (POST /me/messages with the account's token); answers Meta's
 * message id. Instagram attachments need a public URL Meta fetches, which a self-hosted appliance does
 * not offer, so only text is sent (commands/sendMessage.ts refuses media for Instagram).
 */
export async function sendInstagramText(config: Config, accessToken: string, recipientId: string, text: string): Promise<string> {
  const res = await graphCall<{ message_id?: string }>(config, accessToken, {
    method: 'POST',
    path: '/me/messages',
    json: { recipient: { id: recipientId }, message: { text } },
  });
  if (!res.message_id) throw new Error('Meta accepted the message without a message id');
  return res.message_id;
}
