import { AppError } from '../errors.js';

/**
 * May a free-form message (anything but an approved template) go to the customer now? Meta's rule, per
 * channel: within 24 hours of the customer's last message on both; on Instagram a person's reply may still
 * go up to 7 days after it, tagged HUMAN_AGENT (messaging_type MESSAGE_TAG). Bots, campaigns and
 * schedules are no person replying: they keep the 24 hours.
 * https://developers.facebook.com/docs/instagram-messaging/overview
 */
export const SERVICE_WINDOW_MS = 24 * 3_600_000;
export const HUMAN_AGENT_WINDOW_MS = 7 * 24 * 3_600_000;

export type MessageTag = 'HUMAN_AGENT';

export const outsideServiceWindow = (endedAt: Date | null) =>
  new AppError(422, 'outside_service_window',
    endedAt
      ? `the 24-hour customer service window closed at ${endedAt.toISOString()}: only approved templates can be sent until the customer writes again`
      : 'the customer has not written yet: only approved templates can be sent',
    { windowEndedAt: endedAt?.toISOString() ?? null });

export const outsideHumanAgentWindow = (endedAt: Date) =>
  new AppError(422, 'outside_human_agent_window',
    `the 7-day human agent window closed at ${endedAt.toISOString()}: Instagram takes no reply until the customer writes again`,
    { windowEndedAt: endedAt.toISOString() });

/** A person's reply: an attendant's message, not one of their schedules (those run on their own, clientId `schedule:…`). */
export function isHumanAgentSend(m: { origin: string; clientId?: string | null }): boolean {
  return m.origin === 'agent' && !m.clientId?.startsWith('schedule:');
}

const plus = (d: Date, ms: number) => new Date(d.getTime() + ms);

/**
 * Throws the window's refusal, or answers how the message goes now: untagged, or tagged HUMAN_AGENT
 * (Instagram, a person's reply between 24 hours and 7 days after the customer's last message).
 */
export function assertFreeFormWindow(channel: string, humanAgent: boolean, lastInboundAt: Date | null, now: Date): MessageTag | null {
  const tag = messageTagFor(channel, humanAgent, lastInboundAt, now);
  if (tag !== 'closed') return tag;
  if (channel === 'instagram' && humanAgent && lastInboundAt) throw outsideHumanAgentWindow(plus(lastInboundAt, HUMAN_AGENT_WINDOW_MS));
  throw outsideServiceWindow(lastInboundAt && plus(lastInboundAt, SERVICE_WINDOW_MS));
}

/** The same, at the moment of sending (the send worker): 'closed' instead of throwing (Meta would refuse it). */
export function messageTagFor(channel: string, humanAgent: boolean, lastInboundAt: Date | null, now: Date): MessageTag | null | 'closed' {
  if (!lastInboundAt) return 'closed';
  if (plus(lastInboundAt, SERVICE_WINDOW_MS) > now) return null;
  if (channel === 'instagram' && humanAgent && plus(lastInboundAt, HUMAN_AGENT_WINDOW_MS) > now) return 'HUMAN_AGENT';
  return 'closed';
}
