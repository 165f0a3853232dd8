import type { Redis } from 'ioredis';
import type { Server } from 'socket.io';

/**
 * The appliance's live sockets. Rooms: `user:<id>`, `session:<id>`, `team:<id>`. With the Redis adapter,
 * these calls reach the sockets of every server process, not only this one's.
 */
export class SocketHub {
  constructor(
    readonly io: Server,
    private readonly adapterConnections: Redis[] = [],
  ) {}

  /** Drops this process's sockets, closes socket.io (the adapter unsubscribes), then its Redis links. */
  async close(): Promise<void> {
    this.io.local.disconnectSockets(true);
    await new Promise<void>((resolve) => this.io.close(() => resolve()));
    await Promise.allSettled(this.adapterConnections.map((c) => c.quit()));
  }

  /** Drops a user's sockets at once (disabled, logged out everywhere, password changed). */
  disconnectUser(userId: string): void {
    this.io.in(`user:${userId}`).disconnectSockets(true);
  }

  disconnectSession(sessionId: string): void {
    this.io.in(`session:${sessionId}`).disconnectSockets(true);
  }

  /** Tells everyone the license state changed (the dashboard re-reads /api/license). */
  licenseChanged(state: string): void {
    this.io.emit('license:changed', { state });
  }
}
