import { signal } from '@preact/signals';
import { io } from 'socket.io-client';

/** @typedef {'connecting'|'online'|'offline'} Link */

/** Whether live updates flow; the shell shows a quiet notice when they do not. @type {import('@preact/signals').Signal<Link>} */
export const link = signal('connecting');

/** @type {Map<string, Set<(data: any) => void>>} */
const listeners = new Map();
/** @type {import('socket.io-client').Socket | null} */
let socket = null;
let everConnected = false;

/**
 * Listens to a socket event (`message:new`, `conversation:updated`, ...) or to `resync`, which fires
 * after a reconnect so views reload what they may have missed while offline.
 * @param {string} event
 * @param {(data: any) => void} fn
 * @returns {() => void} unsubscribe
 */
export function on(event, fn) {
  let set = listeners.get(event);
  if (!set) listeners.set(event, (set = new Set()));
  set.add(fn);
  return () => set.delete(fn);
}

/** @param {string} event @param {any} data */
function dispatch(event, data) {
  for (const fn of listeners.get(event) ?? []) {
    try {
      fn(data);
    } catch (err) {
      console.error(err);
    }
  }
}

/**
 * Opens the socket with the session cookie. socket.io reconnects by itself with back-off; after each
 * reconnect we announce `resync`. An `unauthorized` refusal means the session ended.
 * @param {{ onUnauthorized: () => void }} hooks
 */
export function connect(hooks) {
  disconnect();
  link.value = 'connecting';
  everConnected = false;
  const s = io({ path: '/socket.io', transports: ['websocket', 'polling'], withCredentials: true, reconnectionDelayMax: 5000 });
  socket = s;
  s.on('connect', () => {
    link.value = 'online';
    if (everConnected) dispatch('resync', null);
    everConnected = true;
  });
  s.on('disconnect', (reason) => {
    link.value = 'offline';
    // The server closed us (session ended elsewhere): socket.io will not retry by itself.
    if (reason === 'io server disconnect') setTimeout(() => s.connect(), 1000);
  });
  s.on('connect_error', (err) => {
    link.value = 'offline';
    if (err.message === 'unauthorized') {
      disconnect();
      hooks.onUnauthorized();
    }
  });
  s.onAny((event, data) => dispatch(event, data));
}

export function disconnect() {
  socket?.removeAllListeners();
  socket?.disconnect();
  socket = null;
}

/** Tests and the offline notice: drop and restore the link by hand. */
export const debugSocket = () => socket;
