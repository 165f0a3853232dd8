/**
 * The dashboards of the messaging benchmark, in their own process so that receiving does not take the
 * load generator's CPU: N socket.io clients (websocket transport, `auth: { token }`) connected to the
 * appliance's web process. Started by scripts/bench/messaging.ts with an IPC channel.
 *
 * parent → child: { type: 'connect', url, tokens }  then  { type: 'close' }
 * child → parent: { type: 'connected', sockets, ms } | { type: 'failed', message }
 *                 { type: 'batch', firsts: [seq, receivedAtEpochMs, …], deliveries, other: {event: count} } every 100 ms
 *
 * A benchmark message's body is `bench <seq> <dueEpochMs>`; its first delivery to any socket is reported
 * with the receive time, and every delivery (one per socket in the audience) is counted.
 */
import { io, type Socket } from 'socket.io-client';

interface ConnectMsg { type: 'connect'; url: string; tokens: string[] }
type ParentMsg = ConnectMsg | { type: 'close' };

const send = (m: unknown) => process.send?.(m);
const sockets: Socket[] = [];
const seen = new Set<number>();
let firsts: number[] = [];
let deliveries = 0;
let other: Record<string, number> = {};

function flush(): void {
  if (!firsts.length && !deliveries && !Object.keys(other).length) return;
  send({ type: 'batch', firsts, deliveries, other });
  firsts = [];
  deliveries = 0;
  other = {};
}

function onMessageNew(data: { message?: { body?: string | null } }): void {
  const at = Date.now();
  const body = data?.message?.body;
  if (typeof body !== 'string' || !body.startsWith('bench ')) {
    other['message:new (not bench)'] = (other['message:new (not bench)'] ?? 0) + 1;
    return;
  }
  deliveries++;
  const seq = Number(body.split(' ')[1]);
  if (!seen.has(seq)) {
    seen.add(seq);
    firsts.push(seq, at);
  }
}

function connectOne(url: string, token: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = io(url, { transports: ['websocket'], auth: { token }, reconnection: false, timeout: 20_000 });
    const timer = setTimeout(() => { s.close(); reject(new Error('socket connect timed out')); }, 30_000);
    // The server greets an authenticated socket once it has joined its rooms.
    s.once('hello', () => { clearTimeout(timer); resolve(s); });
    s.once('connect_error', (err) => { clearTimeout(timer); s.close(); reject(err); });
    s.on('message:new', onMessageNew);
    s.onAny((event: string) => {
      if (event !== 'message:new' && event !== 'hello') other[event] = (other[event] ?? 0) + 1;
    });
    s.on('disconnect', (reason) => {
      if (!closing) other[`disconnect: ${reason}`] = (other[`disconnect: ${reason}`] ?? 0) + 1;
    });
  });
}

let closing = false;

async function connectAll(m: ConnectMsg): Promise<void> {
  const started = performance.now();
  let next = 0;
  // A few at a time: 200 simultaneous handshakes would each wait on a session query.
  const lanes = Array.from({ length: Math.min(20, m.tokens.length) }, async () => {
    while (next < m.tokens.length) {
      const token = m.tokens[next++]!;
      sockets.push(await connectOne(m.url, token));
    }
  });
  await Promise.all(lanes);
  send({ type: 'connected', sockets: sockets.length, ms: Math.round(performance.now() - started) });
}

process.on('message', (m: ParentMsg) => {
  if (m.type === 'connect') {
    connectAll(m).catch((err: Error) => send({ type: 'failed', message: err.message }));
  } else if (m.type === 'close') {
    closing = true;
    flush();
    for (const s of sockets) s.close();
    setTimeout(() => process.exit(0), 100);
  }
});

// The parent going away (crash, Ctrl-C) takes us with it.
process.on('disconnect', () => process.exit(0));
setInterval(flush, 100);
