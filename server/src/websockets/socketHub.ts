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

  /**
   * Drops this process's sockets, closes socket.io, then its Redis links. When Redis is already gone the
   * adapter is not asked to unsubscribe (it would fire commands at a dead connection without awaiting
   * them); its subscriptions died with the connection anyway.
   */
  private closed = false;

  async close(): Promise<void> {
    this.closed = true;
    this.io.local.disconnectSockets(true);
    if (this.adapterConnections.every((c) => c.status === 'ready')) {
      await new Promise<void>((resolve) => this.io.close(() => resolve()));
      await Promise.allSettled(this.adapterConnections.map((c) => c.quit()));
    } else {
      this.io.engine.close();
      for (const c of this.adapterConnections) c.disconnect();
    }
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
    // A change heard while shutting down has nobody left to tell (and the adapter's link is gone).
    if (this.closed) return;
    this.io.emit('license:changed', { state });
  }
}
