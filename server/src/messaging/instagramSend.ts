import type { Config } from '../config.js';
import { graphCall } from './graphClient.js';

export type InstagramAttachmentType = 'image' | 'video' | 'audio' | 'file';

/** A quick reply: Instagram posts `title` as the customer's message, with `payload` in message.quick_reply. */
export interface InstagramQuickReply { title: string; payload: string }

/**
 * Sends to an Instagram user (POST /me/messages with the account's token) a text (with quick replies under
 * it, up to 13), or an attachment Meta fetches from `url` (a signed link to this appliance:
 * lib/mediaLink.ts); answers Meta's message id.
 */
export async function sendInstagramMessage(
  config: Config,
  accessToken: string,
  recipientId: string,
  content: { text: string; quickReplies?: InstagramQuickReply[] } | { attachment: { type: InstagramAttachmentType; url: string } },
): Promise<string> {
  const message = 'text' in content
    ? {
      text: content.text,
      ...(content.quickReplies?.length ? { quick_replies: content.quickReplies.map((q) => ({ content_type: 'text', title: q.title, payload: q.payload })) } : {}),
    }
    : { attachment: { type: content.attachment.type, payload: { url: content.attachment.url } } };
  const res = await graphCall<{ message_id?: string }>(config, accessToken, {
    method: 'POST',
    path: '/me/messages',
    json: { recipient: { id: recipientId }, message },
  });
  if (!res.message_id) throw new Error('Meta accepted the message without a message id');
  return res.message_id;
}
