/**
 * What happened, as the appliance's background work hears of it: written in the same transaction as the
 * change (repositories/domainEvents.ts), delivered at least once to each subscriber (dispatcher.ts).
 * Events carry ids and the facts a subscriber decides on; the rows hold the rest.
 */
export type DomainEvent =
  | { type: 'message.received'; conversationId: string; messageId: string; connectionId: string; contactId: string; at: string }
  /** Ours, accepted by Meta; origin `business_app` is the business answering from the phone app (an echo). */
  | { type: 'message.sent'; conversationId: string; messageId: string; connectionId: string; origin: string; senderUserId: string | null; at: string }
  /**
   * Ours, refused or failed at the send worker (commands/deliverMessage.ts): `final` when it failed for good,
   * otherwise the send is retried later (throttling, 131048/131049 reschedules) and the code says why.
   */
  | { type: 'message.failed'; conversationId: string; messageId: string; connectionId: string; origin: string; code: string; title: string | null; final: boolean; at: string }
  /** byUserId null: the bot did it (a flow's transfer node). */
  | { type: 'conversation.assigned' | 'conversation.transferred'; conversationId: string; teamId: string | null; assigneeId: string | null; byUserId: string | null }
  | { type: 'conversation.resolved' | 'conversation.reopened'; conversationId: string; byUserId: string | null }
  /** Meta changed a template's status (APPROVED, PAUSED, DISABLED, …); conversationId is null for these. */
  | { type: 'template.status_changed'; conversationId?: null; templateId: string; connectionId: string; status: string }
  /** The phone number's quality rating changed (GREEN, YELLOW, RED, UNKNOWN). */
  | { type: 'connection.quality_changed'; conversationId?: null; connectionId: string; quality: string };

export type DomainEventType = DomainEvent['type'];

/** An event as stored: its place in the outbox, for the subscriber's own idempotency. */
export type StoredEvent = DomainEvent & { id: string; recordedAt: Date };

/**
 * Someone who reacts to events, in the worker. `handle` gets events in commit order, in batches, at
 * least once: after a crash the batch comes again, so handling must be idempotent (the event id is a
 * natural key). The cursor moves only when `handle` returns.
 */
export interface Subscriber {
  name: string;
  types: DomainEventType[];
  handle(events: StoredEvent[]): Promise<void>;
}
