import anyTest from 'ava';
import net from 'node:net';
import { newWamid, postWebhook, waEnvelope, waMessagesValue, waText } from '../../scripts/meta-simulator/webhooks.js';
import { cloneTestDatabase } from '../../scripts/services/testDatabases.js';
import { startInboundWorld, waitFor, type InboundWorld, type TestConnection } from './inbound.js';

/**
 * PostgreSQL out of reach (issue #11, section 2). The run's one PostgreSQL is shared by every test file,
 * so it is not stopped: this appliance reaches its database through a TCP relay on loopback, and the
 * relay going away is, to the appliance, exactly PostgreSQL going down — new connections refused
 * (ECONNREFUSED), open ones cut mid-stream. Bringing the relay back on the same port is PostgreSQL back.
 */
const test = anyTest.serial;

interface Relay {
  port: number;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

async function startRelay(target: { host: string; port: number }): Promise<Relay> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => { client.destroy(); upstream.destroy(); });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  const listen = (port: number) => new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => { server.off('error', reject); resolve(); });
  });
  await listen(0);
  const port = (server.address() as net.AddressInfo).port;
  const down = async () => {
    const closed = new Promise<void>((r) => server.close(() => r()));
    for (const s of sockets) s.destroy();
    await closed;
  };
  return { port, down, up: () => listen(port), close: async () => { if (server.listening) await down(); } };
}

let w: InboundWorld;
let wa: TestConnection;
let relay: Relay;
let database: Awaited<ReturnType<typeof cloneTestDatabase>>;

anyTest.before(async () => {
  database = await cloneTestDatabase('server');
  const url = new URL(database.url);
  relay = await startRelay({ host: url.hostname, port: Number(url.port) });
  url.port = String(relay.port);
  w = await startInboundWorld({ env: { DATABASE_URL: url.toString() } });
  wa = await w.addWhatsApp();
  await w.app.startWorker();
});
anyTest.after.always(async () => {
  await relay?.up().catch(() => {});
  await w?.close();
  await relay?.close();
  await database?.drop();
});

test('with PostgreSQL down a signed webhook is 503 database_unavailable; once it is back, Meta’s redelivery is stored', async (t) => {
  const from = '5511976543210';
  const wamid = newWamid(from);
  const body = waEnvelope([{ changes: [{ value: waMessagesValue({ phoneNumberId: wa.externalId, contacts: [{ waId: from, name: 'Rita' }], messages: [waText(from, 'Oi, chegou meu pedido?', { id: wamid })] }) }] }]);

  await relay.down();
  const refused = await postWebhook(wa.webhookUrl, body, wa.appSecret);
  t.is(refused.status, 503, refused.text);
  t.is(JSON.parse(refused.text).error.code, 'database_unavailable');
  // The same mapping holds for every route: the dashboard is told why, too.
  const api = await w.app.api('GET', '/api/conversations', { cookie: w.adminCookie });
  t.is(api.status, 503, api.text);
  t.is(api.body.error.code, 'database_unavailable');
  t.is(api.headers['retry-after'], '5');

  await relay.up();
  // Meta redelivers the same bytes with the same signature.
  const redelivered = await waitFor(async () => {
    const res = await postWebhook(wa.webhookUrl, body, wa.appSecret);
    return res.status === 503 ? null : res;
  }, 15_000, 'the webhook to be taken again');
  t.is(redelivered.status, 200, redelivered.text);
  const message = await waitFor(() => w.app.deps.db('messages').where({ provider_message_id: wamid }).first(), 15_000, 'the message to be ingested');
  t.is(message.body, 'Oi, chegou meu pedido?');
  t.is(await w.app.deps.db('webhook_events').where({ connection_id: wa.id }).count<{ count: string }[]>('* as count').then((r) => Number(r[0]!.count)), 1, 'stored once');
});
