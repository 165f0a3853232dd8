import type http from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import { Server } from 'socket.io';
import type { Deps } from '../deps.js';
import { actorOf, loadSession, tokenOf } from '../middlewares/session.js';
import { watchRedis } from '../../../license-service/kit/watchRedis.js';
import { SocketHub } from './socketHub.js';

/**
 * socket.io for the dashboard: authenticated with the same session as the API (cookie, or
 * `auth: { token }`), each socket in its user's, session's and teams' rooms. The Redis adapter lets
 * several server processes share rooms and events.
 */
export function attachSockets(server: http.Server, deps: Deps): SocketHub {
  const pub = watchRedis(deps.redis.duplicate(), deps, 'sockets-pub');
  const sub = watchRedis(deps.redis.duplicate(), deps, 'sockets-sub');
  const io = new Server(server, {
    path: '/socket.io',
    serveClient: false,
    adapter: createAdapter(pub, sub, { key: 'atendo:sockets' }),
    cors: { origin: new URL(deps.config.PUBLIC_URL).origin, credentials: true },
    // CORS does not cover WebSocket upgrades: a browser on another site must not ride the session cookie.
    allowRequest: (req, callback) => {
      const origin = req.headers.origin;
      callback(null, !origin || origin === new URL(deps.config.PUBLIC_URL).origin || origin === `http://${req.headers.host}`);
    },
  });

  io.use(async (socket, next) => {
    try {
      const authToken = typeof socket.handshake.auth?.token === 'string' ? `Bearer ${socket.handshake.auth.token}` : undefined;
      const session = await loadSession(deps, tokenOf(socket.request.headers.cookie, authToken));
      if (!session) return next(new Error('unauthorized'));
      socket.data.user = actorOf(session);
      socket.data.sessionId = session.session_id;
      next();
    } catch (err) {
      deps.log.error({ err }, 'socket authentication failed');
      next(new Error('unavailable'));
    }
  });

  io.on('connection', (socket) => {
    const user = socket.data.user as ReturnType<typeof actorOf>;
    void socket.join([`user:${user.id}`, `session:${socket.data.sessionId}`, ...user.teamIds.map((t) => `team:${t}`)]);
    deps.metrics.socketsConnected.inc();
    socket.on('disconnect', () => deps.metrics.socketsConnected.dec());
    socket.emit('hello', { userId: user.id, role: user.role, teamIds: user.teamIds });
  });

  return new SocketHub(io, [pub, sub]);
}
