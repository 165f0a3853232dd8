import type http from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import { Server } from 'socket.io';
import type { Deps } from '../deps.js';
import { actorOf, loadSession, tokenOf } from '../middlewares/session.js';
import { watchRedis } from '#kit/watchRedis.js';
import { SocketHub } from './socketHub.js';
import { roomsOf } from '../policies/conversations.js';
import { REALTIME_CHANNEL, type RealtimeEvent } from '../realtime/publish.js';

/**
 * socket.io for the dashboard: authenticated with the same session as the API (cookie, or
 * `auth: { token }`), each socket in the rooms policies/conversations.ts `roomsOf` names plus its session's. The Redis adapter lets
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
    void socket.join([...roomsOf(user), `session:${socket.data.sessionId}`]);
    deps.metrics.socketsConnected.inc();
    socket.on('disconnect', () => deps.metrics.socketsConnected.dec());
    socket.emit('hello', { userId: user.id, role: user.role, teamIds: user.teamIds });
  });

  // Events published by any process (workers storing messages, other web processes) reach this
  // process's sockets; each web process emits to its own sockets only, so nobody gets a copy twice.
  const events = watchRedis(deps.redis.duplicate(), deps, 'realtime-sub');
  void events.subscribe(REALTIME_CHANNEL).catch((err) => deps.log.error({ err }, 'realtime subscribe failed'));
  events.on('message', (_channel: string, text: string) => {
    for (const e of JSON.parse(text) as RealtimeEvent[]) io.local.to(e.rooms).except(e.except ?? []).emit(e.event, e.data);
  });

  return new SocketHub(io, [pub, sub, events]);
}
