import anyTest from 'ava';
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { igEnvelope, igMessage, postWebhook } from '../../scripts/meta-simulator/webhooks.js';
import type { WorkerProcess } from '../src/processes/worker.js';
import { startInboundWorld, waitFor, type InboundWorld, type TestConnection } from './inbound.js';

/**
 * Instagram attachment URLs come from webhook bodies: the worker fetches only what lib/mediaUrlPolicy.ts
 * allows (https on MEDIA_URL_HOSTS resolving to public addresses, or META_GRAPH_URL's own origin — the
 * simulator here). Everything goes through the real path: signed webhook → ingest → media job.
 */
const test = anyTest.serial;
let w: InboundWorld;
let ig: TestConnection;
let worker: WorkerProcess;
/** A server on loopback standing for what an attacker would point us at (an internal service). */
let decoy: http.Server;
let decoyPort: number;
let decoyHits = 0;
let retries = 0;

anyTest.before(async () => {
  decoy = http.createServer((_req, res) => { decoyHits++; res.writeHead(200, { 'content-type': 'image/jpeg' }).end('secret'); });
  await new Promise<void>((r) => decoy.listen(0, '127.0.0.1', r));
  decoyPort = (decoy.address() as AddressInfo).port;
  // `localhost` is listed so that a listed name resolving to 127.0.0.1 can be tried.
  w = await startInboundWorld({ env: { MEDIA_URL_HOSTS: 'fbcdn.net, cdninstagram.com, fbsbx.com, localhost' } });
  ig = await w.addInstagram();
  worker = await w.app.startWorker();
  worker.deps.queues!.media.on('retrying', () => { retries++; });
});
anyTest.after.always(async () => {
  await w?.close();
  await new Promise((r) => decoy?.close(r));
});

const db = () => w.app.deps.db;
const message = (mid: string) =>
  waitFor(async () => {
    const m = await db()('messages').where({ provider_message_id: mid }).first();
    return m && m.media_status !== 'pending' ? m : null;
  }, 15_000, `media of ${mid} settled`);

test('attachment URLs off Meta’s CDN, not https, or on loopback/private addresses are refused at once, and the rest of the body is stored', async (t) => {
  const refused: Record<string, string> = {
    'plain http to loopback': `http://127.0.0.1:${decoyPort}/photo.jpg`,
    'https to a loopback IP': `https://127.0.0.1:${decoyPort}/photo.jpg`,
    'cloud metadata address': 'http://169.254.169.254/latest/meta-data/',
    'a private IPv6 literal': 'https://[fd00::1]/photo.jpg',
    'a host not on the list': 'https://evil.example/photo.jpg',
    'a listed name as a prefix of another domain': 'https://scontent.cdninstagram.com.evil.example/photo.jpg',
    'credentials before a loopback host': `https://scontent.fbcdn.net@127.0.0.1:${decoyPort}/photo.jpg`,
    'a listed host on another port': `https://scontent.fbcdn.net:${decoyPort}/photo.jpg`,
    'a listed name that resolves to 127.0.0.1': 'https://localhost/photo.jpg',
    'a file URL': 'file:///etc/passwd',
    'not a URL': 'not a url',
  };
  const customer = `17${crypto.randomInt(1e9, 9e9)}`;
  const jpeg = crypto.randomBytes(700);
  const good = igMessage({ accountId: ig.externalId, senderId: customer, attachments: [{ type: 'image', url: w.sim.igCdnUrl(w.sim.addMedia({ bytes: jpeg, mimeType: 'image/jpeg' })) }] }) as any;
  const bad = Object.entries(refused).map(([what, url]) => ({ what, url, event: igMessage({ accountId: ig.externalId, senderId: customer, attachments: [{ type: 'image', url }] }) as any }));
  const text = igMessage({ accountId: ig.externalId, senderId: customer, text: 'segue a foto' }) as any;
  const res = await postWebhook(`${w.app.url}/webhooks/instagram/${ig.id}`, igEnvelope([{ accountId: ig.externalId, messaging: [text, ...bad.map((b) => b.event), good] }]), ig.appSecret);
  t.is(res.status, 200, res.text);

  for (const b of bad) {
    const m = await message(b.event.message.mid);
    t.is(m.media_status, 'failed', b.what);
    t.is(m.media_error, 'media_url_refused', `${b.what}: ${b.url}`);
    t.is(m.payload.url, b.url, 'the URL is kept as received, for the record');
  }
  const stored = await message(good.message.mid);
  t.is(stored.media_status, 'stored', 'the simulator (META_GRAPH_URL’s origin) is Meta here');
  t.is((await db()('messages').where({ provider_message_id: text.message.mid }).first())?.body, 'segue a foto');
  t.is(decoyHits, 0, 'nothing was fetched from loopback');
  t.is(retries, 0, 'a refusal is final: no retries');

  // The dashboard shows the reason on the message.
  const thread = await w.app.api('GET', `/api/conversations/${stored.conversation_id}/messages?limit=100`, { cookie: w.adminCookie });
  const first = await db()('messages').where({ provider_message_id: bad[0]!.event.message.mid }).first();
  t.like(thread.body.items.find((i: any) => i.id === first.id)?.media, { status: 'failed', error: 'media_url_refused', url: null });
});

test('a redirect from an allowed origin to loopback is refused like the URL itself', async (t) => {
  // The simulator (allowed: META_GRAPH_URL's origin) answers 302 to the decoy; and to a host not listed.
  const customer = `17${crypto.randomInt(1e9, 9e9)}`;
  const redirecting = (to: string) => `${w.sim.url}/ig-cdn-redirect?to=${encodeURIComponent(to)}`;
  const events = [`http://127.0.0.1:${decoyPort}/photo.jpg`, 'https://evil.example/photo.jpg'].map((to) =>
    igMessage({ accountId: ig.externalId, senderId: customer, attachments: [{ type: 'image', url: redirecting(to) }] }) as any);
  // A redirect that stays on the allowed origin is followed.
  const jpeg = crypto.randomBytes(500);
  const onSim = igMessage({ accountId: ig.externalId, senderId: customer, attachments: [{ type: 'image', url: redirecting(w.sim.igCdnUrl(w.sim.addMedia({ bytes: jpeg, mimeType: 'image/jpeg' }))) }] }) as any;
  const res = await postWebhook(`${w.app.url}/webhooks/instagram/${ig.id}`, igEnvelope([{ accountId: ig.externalId, messaging: [...events, onSim] }]), ig.appSecret);
  t.is(res.status, 200);
  for (const e of events) t.is((await message(e.message.mid)).media_error, 'media_url_refused');
  const followed = await message(onSim.message.mid);
  t.is(followed.media_status, 'stored');
  t.is(Number(followed.media_size), jpeg.length);
  t.is(decoyHits, 0);
  t.is(retries, 0);
});
