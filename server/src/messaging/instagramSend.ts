import type { Config } from '../config.js';
import { graphCall } from './graphClient.js';

export type InstagramAttachmentType = 'image' | 'video' | 'audio' | 'file';

/**
 * Sends to an Instagram user (POST /me/messages with the account's token) a text, or an attachment Meta
 * fetches from `url` (a signed link to this appliance: lib/mediaLink.ts); answers Meta's message id.
 */
export async function sendInstagramMessage(
  config: Config,
  accessToken: string,
  recipientId: string,
  content: { text: string } | { attachment: { type: InstagramAttachmentType; url: string } },
): Promise<string> {
  const message = 'text' in content
    ? { text: content.text }
    : { attachment: { type: content.attachment.type, payload: { url: content.attachment.url } } };
  const res = await graphCall<{ message_id?: string }>(config, accessToken, {
    method: 'POST',
    path: '/me/messages',
    json: { recipient: { id: recipientId }, message },
  });
  if (!res.message_id) throw new Error('Meta accepted the message without a message id');
  return res.message_id;
}
