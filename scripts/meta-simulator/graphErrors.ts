/**
 * Graph API error bodies as Meta returns them:
 * { error: { message: '(#code) title', type, code, error_subcode?, error_data: { messaging_product, details },
 *   error_user_title?, error_user_msg?, fbtrace_id } }
 * Titles and details below follow Meta's WhatsApp Cloud API error-code reference.
 */
import crypto from 'node:crypto';

export type Product = 'whatsapp' | 'instagram';

export interface GraphErrorSpec {
  status: number;
  code: number;
  subcode?: number;
  message?: string;
  title?: string;
  details?: string;
  headers?: Record<string, string>;
}

/** Known codes: title (Meta folds it into `message`) and the usual `error_data.details`. */
export const KNOWN_ERRORS: Record<number, { title: string; details: string }> = {
  0: { title: 'AuthException', details: 'We were unable to authenticate the app user.' },
  4: { title: 'Application request limit reached', details: 'The app has reached its API call rate limit.' },
  10: { title: 'Permission denied', details: 'Permission is either not granted or has been removed.' },
  100: { title: 'Invalid parameter', details: 'The request included one or more unsupported or misspelled parameters.' },
  190: { title: 'Access token has expired', details: 'Your access token has expired.' },
  130429: { title: 'Rate limit hit', details: 'Cloud API message throughput has been reached.' },
  130472: { title: "User's number is part of an experiment", details: "Message was not sent as part of an experiment." },
  131000: { title: 'Something went wrong', details: 'Message failed to send due to an unknown error.' },
  131008: { title: 'Required parameter is missing', details: 'The request is missing a required parameter.' },
  131009: { title: 'Parameter value is not valid', details: 'One or more parameter values are invalid.' },
  131026: { title: 'Message undeliverable', details: 'Unable to deliver message. Reasons can include: the recipient phone number is not a WhatsApp phone number.' },
  131047: { title: 'Re-engagement message', details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.' },
  131048: { title: 'Spam rate limit hit', details: 'Message failed to send because there are restrictions on how many messages can be sent from this phone number. This may be because too many previous messages were blocked or flagged as spam.' },
  131049: { title: 'This message was not delivered to maintain healthy ecosystem engagement.', details: 'In order to maintain a healthy ecosystem engagement, the message failed to be delivered.' },
  131051: { title: 'Unsupported message type', details: 'Unsupported message type.' },
  131053: { title: 'Media upload error', details: 'Unable to upload the media used in the message.' },
  131056: { title: '(Business Account, Consumer Account) pair rate limit hit', details: 'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.' },
  132000: { title: 'Number of parameters does not match the expected number of params', details: 'The number of variable parameter values included in the request did not match the number of variable parameters defined in the template.' },
  132001: { title: 'Template does not exist', details: 'The template does not exist in the specified language or the template has not been approved.' },
  132012: { title: 'Parameter format does not match format in the created template', details: 'Variable parameter values formatted incorrectly.' },
  132015: { title: 'Template is Paused', details: 'Template is paused due to low quality so it cannot be sent in a template message.' },
  132016: { title: 'Template is Disabled', details: 'Template has been paused too many times due to low quality and is now permanently disabled.' },
  133010: { title: 'Phone number not registered', details: 'The phone number is not registered on the WhatsApp Business Platform.' },
};

export function fbtraceId(): string {
  return crypto.randomBytes(8).toString('base64').replace(/[+/=]/g, '').slice(0, 11);
}

export function graphErrorBody(spec: GraphErrorSpec, product: Product): { error: Record<string, unknown> } {
  const known = KNOWN_ERRORS[spec.code];
  const title = spec.title ?? known?.title;
  const details = spec.details ?? known?.details ?? spec.message ?? title ?? 'Unknown error';
  const error: Record<string, unknown> = {
    message: spec.message ?? `(#${spec.code}) ${title ?? 'Unknown error'}`,
    type: 'OAuthException',
    code: spec.code,
  };
  if (spec.subcode !== undefined) error.error_subcode = spec.subcode;
  error.error_data = product === 'whatsapp' ? { messaging_product: 'whatsapp', details } : { details };
  // WhatsApp's 13xxxx errors also carry user-facing title/message fields.
  if (spec.code >= 130000 && title) {
    error.error_user_title = title;
    error.error_user_msg = details;
  }
  error.fbtrace_id = fbtraceId();
  return { error };
}

/** Thrown by handlers; the server turns it into the error body above. */
export class GraphError extends Error {
  constructor(readonly spec: GraphErrorSpec) {
    super(spec.message ?? `graph error ${spec.code}`);
  }
}

export const invalidToken = (): GraphError => new GraphError({
  status: 401, code: 190, message: 'Invalid OAuth access token - Cannot parse access token',
  details: 'Invalid OAuth access token - Cannot parse access token',
  headers: { 'www-authenticate': 'OAuth "Facebook Platform" "invalid_token" "Invalid OAuth access token - Cannot parse access token"' },
});

export const invalidParameter = (message: string, code = 100): GraphError =>
  new GraphError({ status: 400, code, message: `(#${code}) ${message}`, details: message });

export const unknownObject = (id: string, method: string): GraphError => new GraphError({
  status: 400, code: 100, subcode: 33,
  message: `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
});

export const unknownPath = (path: string): GraphError =>
  new GraphError({ status: 400, code: 2500, message: `Unknown path components: ${path}` });

/**
 * The Send API's refusal of a message outside the messaging window (Messenger Platform error codes: 10 /
 * 2018278): an untagged message more than 24 hours after the user's last message, or a HUMAN_AGENT one
 * more than 7 days after it.
 */
export const outsideAllowedWindow = (): GraphError => {
  const message = '(#10) This message is sent outside of allowed window. Learn more about the new policy here: https://developers.facebook.com/docs/messenger-platform/policy-overview';
  return new GraphError({ status: 400, code: 10, subcode: 2018278, message, details: message.slice(6) });
};
