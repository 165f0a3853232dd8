import type { Config } from '../config.js';
import type { MessageTag } from '../policies/serviceWindow.js';
import { graphCall } from './graphClient.js';

export type InstagramAttachmentType = 'image' | 'video' | 'audio' | 'file';

/** A quick reply: Instagram posts `title` as the customer's message, with `payload` in message.quick_reply. */
export interface InstagramQuickReply { title: string; payload: string }

/**
 * Sends to an Instagram user (POST /me/messages with the account's token) a text (with quick replies under
 * it, up to 13), or an attachment Meta fetches from `url` (a signed link to this appliance:
 * lib/mediaLink.ts); answers Meta's message id. A reply inside the 24-hour window goes as messaging_type
 * RESPONSE; a person's reply after it, tagged HUMAN_AGENT (policies/serviceWindow.ts).
 */
export async function sendInstagramMessage(
  config: Config,
  accessToken: string,
  recipientId: string,
  content: { text: string; quickReplies?: InstagramQuickReply[] } | { attachment: { type: InstagramAttachmentType; url: string } },
  tag: MessageTag | null = null,
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
    json: { recipient: { id: recipientId }, ...(tag ? { messaging_type: 'MESSAGE_TAG', tag } : { messaging_type: 'RESPONSE' }), message },
  });
  if (!res.message_id) throw new Error('Meta accepted the message without a message id');
  return res.message_id;
}
