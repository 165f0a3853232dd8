import anyTest from 'ava';
import crypto from 'node:crypto';
import {
  igEcho, igEnvelope, igMessage, igRead, mediaSha256Base64, mediaSha256Hex, newIgMid, newWamid, postWebhook, waEchoValue, waEnvelope,
  waMessage, waMessagesValue, waStatus, waText,
} from '../../scripts/meta-simulator/webhooks.js';
import { presentMessage } from '../src/presenters/message.js';
import { startInboundWorld, waitFor, type InboundWorld, type TestConnection } from './inbound.js';
import { PASSWORD } from './support.js';

const test = anyTest.serial;
const MEDIA_MAX = 4096;
let w: InboundWorld;
let wa: TestConnection;
let ig: TestConnection;
let teamA: string;
let teamB: string;

anyTest.before(async () => {
  w = await startInboundWorld({ env: { MEDIA_MAX_BYTES: String(MEDIA_MAX) } });
  teamA = (await w.app.api('POST', '/api/teams', { cookie: w.adminCookie, body: { name: 'Vendas' } })).body.id;
  teamB = (await w.app.api('POST', '/api/teams', { cookie: w.adminCookie, body: { name: 'Suporte' } })).body.id;
  wa = await w.addWhatsApp({ teamId: teamA });
  ig = await w.addInstagram({ teamId: teamA });
  await w.app.startWorker();
});
anyTest.after.always(async () => {
  await w?.close();
});

const db = () => w.app.deps.db;
const postWa = async (value: object, field?: string) => {
  const res = await postWebhook(wa.webhookUrl, waEnvelope([{ changes: [{ value, ...(field ? { field } : {}) }] }]), wa.appSecret);
  if (res.status !== 200) throw new Error(`webhook ${res.status} ${res.text}`);
};
const postIg = async (messaging: object[]) => {
  const res = await postWebhook(ig.webhookUrl, igEnvelope([{ accountId: ig.externalId, messaging }]), ig.appSecret);
  if (res.status !== 200) throw new Error(`webhook ${res.status} ${res.text}`);
};
const waMessages = (from: string, messages: object[], name = 'Cliente') =>
  waMessagesValue({ phoneNumberId: wa.externalId, contacts: [{ waId: from, name }], messages });
const message = (providerId: string, until: (m: any) => boolean = () => true) =>
  waitFor(async () => {
    const m = await db()('messages').where({ provider_message_id: providerId }).first();
    return m && until(m) ? m : null;
  }, 15_000, `message ${providerId.slice(0, 24)}`);
const phone = () => `55${crypto.randomInt(11, 99)}9${crypto.randomInt(60_000_000, 99_999_999)}`;
const mediaMessage = (from: string, type: 'image' | 'audio' | 'video' | 'document' | 'sticker', bytes: Buffer, mime: string, extra: object = {}) => {
  const id = w.sim.addMedia({ bytes, mimeType: mime });
  return { mediaId: id, msg: waMessage({ from, type, body: { id, mime_type: mime, sha256: mediaSha256Base64(bytes), ...extra } }) };
};

test('every WhatsApp message type is stored with its type, body and payload; the profile name goes on the contact', async (t) => {
  const from = phone();
  const png = crypto.randomBytes(600);
  const image = mediaMessage(from, 'image', png, 'image/png', { caption: 'foto do pedido' });
  const doc = mediaMessage(from, 'document', crypto.randomBytes(300), 'application/pdf', { filename: 'boleto.pdf' });
  const audio = mediaMessage(from, 'audio', crypto.randomBytes(300), 'audio/ogg', { voice: true });
  const video = mediaMessage(from, 'video', crypto.randomBytes(300), 'video/mp4');
  const sticker = mediaMessage(from, 'sticker', crypto.randomBytes(300), 'image/webp', { animated: false });
  const target = newWamid(from);
  const all = {
    text: waText(from, 'Bom dia!'),
    image: image.msg, document: doc.msg, audio: audio.msg, video: video.msg, sticker: sticker.msg,
    location: waMessage({ from, type: 'location', body: { latitude: -23.55, longitude: -46.63, name: 'Padaria', address: 'Av. Paulista, 1000' } }),
    contacts: waMessage({ from, type: 'contacts', body: [{ name: { formatted_name: 'João Silva', first_name: 'João' }, phones: [{ phone: '+55 11 91234-5678', wa_id: '5511912345678', type: 'CELL' }] }] }),
    reaction: waMessage({ from, type: 'reaction', body: { message_id: target, emoji: '👍' } }),
    buttonReply: waMessage({ from, type: 'interactive', body: { type: 'button_reply', button_reply: { id: 'sim', title: 'Sim, confirmo' } } }),
    listReply: waMessage({ from, type: 'interactive', body: { type: 'list_reply', list_reply: { id: 'p2', title: 'Pão de queijo', description: '6 unidades' } } }),
    button: waMessage({ from, type: 'button', body: { payload: 'PARAR', text: 'Parar promoções' } }),
    unsupported: waMessage({ from, type: 'unsupported' }),
    unknown: waMessage({ from, type: 'order' as any, body: { catalog_id: '123', product_items: [] } }),
    reply: waMessage({ from, type: 'text', body: { body: 'respondendo' }, context: { from: '15550783881', id: target } }),
  };
  await postWa(waMessages(from, Object.values(all), 'Maria Souza'));
  const get = (k: keyof typeof all) => message((all[k] as any).id);

  t.like(await get('text'), { type: 'text', body: 'Bom dia!', direction: 'in', origin: 'customer', status: 'received', payload: null });
  t.like(await get('image'), { type: 'image', body: 'foto do pedido', media_provider_id: image.mediaId, media_mime: 'image/png', media_sha256: mediaSha256Base64(png) });
  t.like(await get('document'), { type: 'document', body: 'boleto.pdf', media_filename: 'boleto.pdf', media_mime: 'application/pdf' });
  t.like(await get('audio'), { type: 'audio', media_mime: 'audio/ogg', payload: { voice: true } });
  t.like(await get('video'), { type: 'video', media_provider_id: video.mediaId });
  t.like(await get('sticker'), { type: 'sticker', media_mime: 'image/webp' });
  t.like(await get('location'), { type: 'location', body: 'Padaria', payload: { latitude: -23.55, longitude: -46.63, address: 'Av. Paulista, 1000' } });
  const contacts = await get('contacts');
  t.is(contacts.type, 'contacts');
  t.is(contacts.body, 'João Silva');
  t.is(contacts.payload.contacts[0].phones[0].wa_id, '5511912345678');
  t.like(await get('reaction'), { type: 'reaction', body: '👍', payload: { message_id: target, emoji: '👍' } });
  t.like(await get('buttonReply'), { type: 'interactive', body: 'Sim, confirmo', payload: { type: 'button_reply', id: 'sim', title: 'Sim, confirmo' } });
  t.like(await get('listReply'), { type: 'interactive', body: 'Pão de queijo', payload: { type: 'list_reply', id: 'p2', description: '6 unidades' } });
  t.like(await get('button'), { type: 'button', body: 'Parar promoções', payload: { payload: 'PARAR' } });
  const unsupported = await get('unsupported');
  t.is(unsupported.type, 'unsupported');
  t.is(unsupported.payload.message.errors[0].code, 131051);
  const unknown = await get('unknown');
  t.is(unknown.type, 'unsupported');
  t.is(unknown.payload.original_type, 'order');
  t.is(unknown.payload.message.order.catalog_id, '123');
  t.like(await get('reply'), { type: 'text', payload: { context: { id: target } } });

  const contact = await db()('contacts').where({ connection_id: wa.id, external_id: from }).first();
  t.is(contact.profile_name, 'Maria Souza');
  const conv = await db()('conversations').where({ contact_id: contact.id }).first();
  t.is(conv.team_id, teamA, 'new conversations belong to the connection team');
  t.is(conv.unread_count, Object.keys(all).length);
  t.truthy(conv.last_inbound_at);
});

test('a NUL character in a customer\'s text (which PostgreSQL cannot store) loses the character, not the message', async (t) => {
  const from = phone();
  const m = waText(from, 'oi\u0000 tudo bem') as any;
  const other = waText(from, 'segunda mensagem') as any;
  await postWa(waMessages(from, [m, other]));
  t.is((await message(m.id)).body, 'oi tudo bem');
  t.is((await message(other.id)).body, 'segunda mensagem');
});

test('Brazilian numbers with and without the ninth digit are one contact and one conversation', async (t) => {
  const ddd = `${crypto.randomInt(1, 10)}${crypto.randomInt(1, 10)}`; // area codes have no 0 (so 20, 30... are none)
  const eight = String(crypto.randomInt(80_000_000, 99_999_999));
  const old = `55${ddd}${eight}`; // how Meta delivers accounts made before the ninth digit
  const modern = `55${ddd}9${eight}`;
  const a = waText(old, 'primeira', { timestamp: Math.floor(Date.now() / 1000) - 5 }) as any;
  const b = waText(modern, 'segunda') as any;
  await postWa(waMessages(old, [a]));
  await postWa(waMessages(modern, [b]));
  const [ma, mb] = [await message(a.id), await message(b.id)];
  t.is(ma.conversation_id, mb.conversation_id);
  const contacts = await db()('contacts').where({ connection_id: wa.id, match_key: modern });
  t.is(contacts.length, 1);
  t.is(contacts[0].external_id, modern, 'the form last seen from the customer is the one kept for sending');
  t.is((await db()('contacts').where({ connection_id: wa.id }).whereIn('external_id', [old, modern])).length, 1);
});

test('messages sent from the WhatsApp Business app (echoes) are outbound business_app and do not count as the customer’s', async (t) => {
  const to = phone();
  const first = waText(to, 'oi, sou o cliente') as any;
  await postWa(waMessages(to, [first]));
  const before = await db()('conversations').where({ id: (await message(first.id)).conversation_id }).first();

  const echoId = newWamid(to);
  await postWa(waEchoValue({ phoneNumberId: wa.externalId, displayPhoneNumber: '15550783881', to, text: 'Respondi pelo celular', id: echoId, timestamp: Date.now() / 1000 + 5 }), 'smb_message_echoes');
  const echo = await message(echoId);
  t.like(echo, { direction: 'out', origin: 'business_app', status: 'sent', body: 'Respondi pelo celular', conversation_id: before.id });
  t.truthy(echo.sent_at);
  const after = await db()('conversations').where({ id: before.id }).first();
  t.is(after.unread_count, before.unread_count, 'no unread for the business’s own words');
  t.deepEqual(after.last_inbound_at, before.last_inbound_at, 'the customer-service window does not move');
  t.is(after.last_message_preview, 'Respondi pelo celular');
});

test('delivery statuses end in the right state whatever order they come in, even before their message', async (t) => {
  const to = phone();
  const echo = async (id: string) => {
    await postWa(waEchoValue({ phoneNumberId: wa.externalId, displayPhoneNumber: '15550783881', to, text: 'ok', id }), 'smb_message_echoes');
    return message(id);
  };
  const status = (id: string, s: 'sent' | 'delivered' | 'read' | 'failed', ts: number, errors?: any[]) =>
    postWa(waMessagesValue({ phoneNumberId: wa.externalId, statuses: [waStatus({ id, recipientId: to, status: s, timestamp: ts, ...(errors ? { errors } : {}) })] }));
  const now = Math.floor(Date.now() / 1000);

  // read, then a late delivered: stays read, with both times.
  const a = newWamid(to);
  await echo(a);
  await status(a, 'read', now + 20);
  await message(a, (m) => m.status === 'read');
  await status(a, 'delivered', now + 10);
  const eventsDone = () => waitFor(async () => !(await db()('webhook_events').whereNull('processed_at').first()), 10_000, 'events processed');
  await eventsDone();
  const ma = await message(a);
  t.is(ma.status, 'read');
  t.is(ma.read_at.getTime(), (now + 20) * 1000);
  t.truthy(ma.delivered_at, 'a later state implies the earlier');

  // read with no delivered at all.
  const b = newWamid(to);
  await echo(b);
  await status(b, 'read', now + 30);
  const mb = await message(b, (m) => m.status === 'read');
  t.is(mb.delivered_at.getTime(), (now + 30) * 1000);

  // the status comes before its message: kept pending, applied when the message is stored.
  const c = newWamid(to);
  await status(c, 'delivered', now + 40);
  await waitFor(() => db()('pending_statuses').where({ provider_message_id: c }).first(), 10_000, 'pending status');
  const mc = await echo(c);
  t.is(mc.status, 'delivered');
  t.is(mc.delivered_at.getTime(), (now + 40) * 1000);
  t.falsy(await db()('pending_statuses').where({ provider_message_id: c }).first());

  // failed carries Meta's error.
  const d = newWamid(to);
  await echo(d);
  await status(d, 'failed', now + 50, [{ code: 131047, title: 'Re-engagement message', message: 'Re-engagement message', error_data: { details: 'More than 24 hours have passed since the recipient last replied.' } }]);
  const md = await message(d, (m) => m.status === 'failed');
  t.like(md, { error_code: '131047', error_title: 'Re-engagement message', error_detail: 'More than 24 hours have passed since the recipient last replied.' });
});

test('Instagram: text, an attachment downloaded from the CDN, the business’s echo, and a read', async (t) => {
  const customer = `17${crypto.randomInt(1e9, 9e9)}${crypto.randomInt(1e4, 9e4)}`;
  const text = igMessage({ accountId: ig.externalId, senderId: customer, text: 'Oi! Vocês entregam?' }) as any;
  const jpeg = crypto.randomBytes(900);
  const mediaId = w.sim.addMedia({ bytes: jpeg, mimeType: 'image/jpeg' });
  const photo = igMessage({ accountId: ig.externalId, senderId: customer, attachments: [{ type: 'image', url: w.sim.igCdnUrl(mediaId) }] }) as any;
  const echoMid = newIgMid();
  await postIg([text, photo, igEcho({ accountId: ig.externalId, recipientId: customer, mid: echoMid, text: 'Entregamos sim!' })]);

  const mt = await message(text.message.mid);
  t.like(mt, { type: 'text', body: 'Oi! Vocês entregam?', direction: 'in', origin: 'customer' });
  const contact = await db()('contacts').where({ id: (await db()('conversations').where({ id: mt.conversation_id }).first()).contact_id }).first();
  t.is(contact.external_id, customer);
  t.is(contact.match_key, customer);

  const mp = await message(photo.message.mid, (m) => m.media_status === 'stored');
  t.is(mp.type, 'image');
  t.is(mp.payload.url, w.sim.igCdnUrl(mediaId));
  t.is(mp.media_mime, 'image/jpeg');
  const cdnCall = w.sim.calls.find((c) => c.path.startsWith('/ig-cdn/'));
  t.is(cdnCall?.authorization, undefined, 'no token goes to the CDN');
  const served = await fetch(`${w.app.url}/api/messages/${mp.id}/media`, { headers: { cookie: w.adminCookie } });
  t.is(served.status, 200);
  t.deepEqual(Buffer.from(await served.arrayBuffer()), jpeg);

  const me = await message(echoMid);
  t.like(me, { direction: 'out', origin: 'business_app', status: 'sent', body: 'Entregamos sim!', conversation_id: mt.conversation_id });

  await postIg([igRead({ accountId: ig.externalId, senderId: customer, mid: echoMid })]);
  const read = await message(echoMid, (m) => m.status === 'read');
  t.truthy(read.read_at);
  // A read of a message we never stored changes nothing and blocks nothing.
  await postIg([igRead({ accountId: ig.externalId, senderId: customer, mid: newIgMid() })]);
  await waitFor(async () => !(await db()('webhook_events').whereNull('processed_at').first()), 10_000, 'events processed');
  t.pass();
});

test('media is downloaded with the token, checked, stored, and served only to who may see the conversation', async (t) => {
  const from = phone();
  const png = crypto.randomBytes(2000);
  const { msg } = mediaMessage(from, 'image', png, 'image/png');
  await postWa(waMessages(from, [msg]));
  const m = await message((msg as any).id, (x) => x.media_status !== 'pending');
  t.is(m.media_status, 'stored');
  t.is(Number(m.media_size), png.length);
  const download = w.sim.calls.find((c) => c.path.startsWith('/media-download/'));
  t.is(download?.authorization, `Bearer ${wa.accessToken}`);

  const res = await fetch(`${w.app.url}/api/messages/${m.id}/media`, { headers: { cookie: w.adminCookie } });
  t.is(res.status, 200);
  t.is(res.headers.get('content-type'), 'image/png');
  t.is(res.headers.get('content-length'), String(png.length));
  t.is(res.headers.get('x-content-type-options'), 'nosniff');
  t.regex(res.headers.get('content-disposition') ?? '', /^inline; filename\*=UTF-8''/);
  t.is(res.headers.get('cache-control'), 'private, max-age=3600');
  t.deepEqual(Buffer.from(await res.arrayBuffer()), png);

  await w.app.addUser({ email: 'ana@loja.com.br', role: 'attendant', teamIds: [teamA] });
  await w.app.addUser({ email: 'bruno@loja.com.br', role: 'attendant', teamIds: [teamB] });
  const ana = (await w.app.login('ana@loja.com.br', PASSWORD)).cookie;
  const bruno = (await w.app.login('bruno@loja.com.br', PASSWORD)).cookie;
  t.is((await w.app.api('GET', `/api/messages/${m.id}/media`, { cookie: ana })).status, 200, 'team A sees its unassigned conversation');
  const denied = await w.app.api('GET', `/api/messages/${m.id}/media`, { cookie: bruno });
  t.is(denied.status, 404, 'another team’s attendant is not even told it exists');
  t.is(denied.body.error.code, 'not_found');
  t.is((await w.app.api('GET', `/api/messages/${crypto.randomUUID()}/media`, { cookie: ana })).status, 404);
  t.is((await w.app.api('GET', `/api/messages/${m.id}/media`)).status, 401);

  const text = waText(from, 'sem anexo') as any;
  await postWa(waMessages(from, [text]));
  const plain = await message(text.id);
  const none = await w.app.api('GET', `/api/messages/${plain.id}/media`, { cookie: w.adminCookie });
  t.is(none.status, 404);
  t.is(none.body.error.code, 'media_not_available');
});

test('a download that fails once is retried and stored; bad hashes, oversize files and wrong types end failed with their code', async (t) => {
  const from = phone();
  const post = async (o: { bytes: Buffer; mime: string; type?: 'image' | 'document'; add?: Partial<Parameters<typeof w.sim.addMedia>[0]>; webhookSha?: string }) => {
    const id = w.sim.addMedia({ bytes: o.bytes, mimeType: o.mime, ...o.add });
    const msg = waMessage({ from, type: o.type ?? 'image', body: { id, mime_type: o.mime, sha256: o.webhookSha ?? mediaSha256Base64(o.bytes) } }) as any;
    await postWa(waMessages(from, [msg]));
    return msg.id as string;
  };
  const flaky = crypto.randomBytes(1000);
  const ids = {
    flaky: await post({ bytes: flaky, mime: 'image/jpeg', add: { downloadFailures: 1 } }),
    wrongSha: await post({ bytes: crypto.randomBytes(1000), mime: 'image/jpeg', add: { wrongSha: true } }),
    tooLarge: await post({ bytes: crypto.randomBytes(MEDIA_MAX + 1000), mime: 'image/jpeg' }),
    wrongType: await post({ bytes: crypto.randomBytes(500), mime: 'application/pdf', type: 'document', add: { contentType: 'text/html' } }),
    hexSha: await post({ bytes: flaky, mime: 'image/jpeg', webhookSha: mediaSha256Hex(flaky) }),
  };
  const settled = (id: string) => message(id, (m) => m.media_status !== 'pending');

  const ok = await settled(ids.flaky);
  t.is(ok.media_status, 'stored', 'the 500 was retried');
  const res = await fetch(`${w.app.url}/api/messages/${ok.id}/media`, { headers: { cookie: w.adminCookie } });
  t.deepEqual(Buffer.from(await res.arrayBuffer()), flaky);
  t.is((await settled(ids.hexSha)).media_status, 'stored', 'a hex sha256 in the webhook is accepted too');

  const failures = {
    wrongSha: 'media_sha256_mismatch', tooLarge: 'media_too_large', wrongType: 'media_content_type_mismatch',
  } as const;
  for (const [k, code] of Object.entries(failures)) {
    const m = await settled(ids[k as keyof typeof failures]);
    t.is(m.media_status, 'failed', k);
    t.is(m.media_error, code, k);
    t.falsy(m.media_path);
    t.like(presentMessage(m).media, { status: 'failed', error: code, url: null });
  }
  // Refused on Meta's advertised size: the bytes were never fetched.
  const tooLargeId = (await message(ids.tooLarge)).media_provider_id;
  t.false(w.sim.calls.some((c) => c.path === `/media-download/${tooLargeId}`));
  // The dashboard sees the code on the thread.
  const conv = (await message(ids.wrongSha)).conversation_id;
  const thread = await w.app.api('GET', `/api/conversations/${conv}/messages?limit=100`, { cookie: w.adminCookie });
  t.is(thread.status, 200);
  t.true(thread.body.items.some((m: any) => m.media?.error === 'media_sha256_mismatch'));
  // Nothing half-written is left in the store for the refused files.
  const stored = await db()('messages').where({ media_status: 'stored' }).count<{ count: string }[]>('* as count');
  t.true(Number(stored[0]!.count) >= 2);
});
