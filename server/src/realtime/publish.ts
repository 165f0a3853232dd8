import type { Redis } from 'ioredis';

/** The Redis channel every web process listens on to push events to its own sockets. */
export const REALTIME_CHANNEL = 'atendo:realtime';

export interface RealtimeEvent {
  /** Socket rooms that may receive it (policies/conversations.ts `audienceOf`). */
  rooms: string[];
  /** Sockets in these rooms are left out even when also in `rooms`. */
  except?: string[];
  event: string;
  data: unknown;
}

/**
 * Pushes an event to the dashboards that may see it, from any process (web or worker). Best effort: the
 * database already holds the change, and a dashboard that missed a push catches up when it re-reads.
 */
export async function publishRealtime(redis: Redis, e: RealtimeEvent | RealtimeEvent[]): Promise<void> {
  // Several events travel as one Redis message: a worker's batch costs one publish, not one per event.
  const events = (Array.isArray(e) ? e : [e]).filter((x) => x.rooms.length);
  if (!events.length) return;
  try {
    await redis.publish(REALTIME_CHANNEL, JSON.stringify(events));
  } catch {
    // Redis down: the change is stored; live views refresh on reconnect.
  }
}
