import anyTest from 'ava';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { insertQuickReply } from '../src/repositories/quickReplies.js';
import { call, PASSWORD } from './support.js';
import {
  conversationWith, messageRow, sendCallsTo, sendText, sleep, startOutboundWorld, waitFor, waitForStatus, whatsappConnection,
  type OutboundWorld,
} from './outboundSupport.js';

const test = anyTest.serial;
let w: OutboundWorld;
let connection: string;

anyTest.before(async () => {
  w = await startOutboundWorld();
  connection = await whatsappConnection(w, '2000000001');
});
anyTest.after.always(async () => { await w?.close(); });

// A real PNG signature and IHDR are enough: nobody decodes it on the way.
const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex'), crypto.randomBytes(64)]);

const upload = (body: Buffer, contentType: string, query = '', cookie = w.admin) =>
  call('POST', `${w.app.url}/api/uploads${query}`, { raw: body, headers: { 'content-type': contentType, cookie } });

test('a text reaches Meta in its shape and becomes sent with its wamid; the same clientId sends once', async (t) => {
  const conv = await conversationWith(w, connection, '5511987654321');
  const socket = await w.app.socket(w.admin);
  const events: Array<{ event: string; status: string }> = [];
  let preview: string | undefined;
  socket.on('message:new', (e) => {
    events.push({ event: 'new', status: e.message.status });
    preview = e.conversation?.lastMessagePreview;
  });
  socket.on('message:updated', (e) => events.push({ event: 'updated', status: e.message.status }));

  const first = await sendText(w, conv, 'Olá! Seu pedido saiu para entrega.', { clientId: 'web-1' });
  t.is(first.status, 202, first.text);
  t.is(first.body.status, 'queued');
  t.is(first.body.direction, 'out');
  t.is(first.body.origin, 'agent');
  t.is(first.body.clientId, 'web-1');
  const again = await sendText(w, conv, 'Olá! Seu pedido saiu para entrega.', { clientId: 'web-1' });
  t.is(again.status, 200, 'a retried POST answers the message already queued');
  t.is(again.body.id, first.body.id);
  await sleep(100);
  t.is(preview, 'Olá! Seu pedido saiu para entrega.', 'the new message carries its conversation as it now stands');

  // The same job delivered several times at once (a stalled job taken back, the sweeper): one send.
  await Promise.all(['a', 'b', 'c'].map((k) => w.app.deps.queues!.send.createJob({ messageId: first.body.id }).setId(`${first.body.id}#${k}`).save()));
  const sent = await waitForStatus(w, first.body.id, 'sent');
  await sleep(300);
  const calls = sendCallsTo(w, '5511987654321');
  t.is(calls.length, 1, 'one send for one clientId');
  t.is(calls[0]!.authorization, 'Bearer EAAG-token-2000000001');
  t.regex(calls[0]!.path, /^\/v\d+\.\d+\/2000000001\/messages$/);
  // Our message id rides along as biz_opaque_callback_data: Meta echoes it in the statuses (a crash settles by it).
  t.deepEqual(calls[0]!.body, {
    messaging_product: 'whatsapp', recipient_type: 'individual', to: '5511987654321', type: 'text',
    text: { body: 'Olá! Seu pedido saiu para entrega.', preview_url: false }, biz_opaque_callback_data: `atendo:m:${first.body.id}`,
  });
  const accepted = w.sim.sent.find((s) => s.to === '5511987654321')!;
  t.is(sent.provider_message_id, accepted.id, 'the wamid Meta answered is kept');
  t.is(sent.attempts, 1);
  t.truthy(sent.sent_at);
  t.is(await w.app.deps.db('messages').where({ conversation_id: conv }).count('* as n').first().then((r) => Number(r!.n)), 1);

  const c = await w.app.deps.db('conversations').where({ id: conv }).first();
  t.is(c.last_message_preview, 'Olá! Seu pedido saiu para entrega.');
  t.is(c.unread_count, 1, 'our own message does not count as unread');
  t.truthy(await w.app.deps.db('audit_log').where({ action: 'message.send', subject_id: first.body.id }).first());
  await waitFor('socket events', async () => events.some((e) => e.event === 'updated' && e.status === 'sent'));
  t.deepEqual(events[0], { event: 'new', status: 'queued' });

  // Five tabs retrying the same POST at once: one message, one send.
  const burst = await Promise.all([1, 2, 3, 4, 5].map(() => sendText(w, conv, 'Confirma o endereço?', { clientId: 'web-2' })));
  t.is(new Set(burst.map((r) => r.body.id)).size, 1);
  t.deepEqual(burst.map((r) => r.status).sort(), [200, 200, 200, 200, 202]);
  await waitForStatus(w, burst[0]!.body.id, 'sent');
  await sleep(200);
  t.is(sendCallsTo(w, '5511987654321').length, 2);
});

test('outside the 24-hour window only templates go: text is refused and nothing is queued', async (t) => {
  const conv = await conversationWith(w, connection, '5511911112222', 25 * 3_600_000);
  const text = await sendText(w, conv, 'Ainda tem interesse?');
  t.is(text.status, 422);
  t.is(text.body.error.code, 'outside_service_window');
  t.regex(text.body.error.message, /only approved templates/);
  t.is((await w.app.deps.db('messages').where({ conversation_id: conv })).length, 0);

  const template = {
    name: 'pedido_pronto', language: 'pt_BR',
    components: [{ type: 'body', parameters: [{ type: 'text', text: 'Maria' }, { type: 'text', text: '#4521' }] }],
  };
  const res = await w.app.api('POST', `/api/conversations/${conv}/messages`, { cookie: w.admin, body: { type: 'template', template } });
  t.is(res.status, 202, res.text);
  await waitForStatus(w, res.body.id, 'sent');
  const calls = sendCallsTo(w, '5511911112222');
  t.is(calls.length, 1);
  t.deepEqual(calls[0]!.body, {
    messaging_product: 'whatsapp', recipient_type: 'individual', to: '5511911112222', type: 'template',
    template: { name: 'pedido_pronto', language: { code: 'pt_BR' }, components: template.components }, biz_opaque_callback_data: `atendo:m:${res.body.id}`,
  });
});

test('a conversation the attendant may not see answers 404 and sends nothing', async (t) => {
  const conv = await conversationWith(w, connection, '5511933334444');
  await w.app.addUser({ email: 'ana@loja.com.br', role: 'attendant' });
  const ana = (await w.app.login('ana@loja.com.br', PASSWORD)).cookie;
  const res = await sendText(w, conv, 'oi', {}, ana);
  t.is(res.status, 404);
  t.is(res.body.error.code, 'not_found');
  t.is((await w.app.deps.db('messages').where({ conversation_id: conv })).length, 0);
  const bad = await w.app.api('POST', `/api/conversations/${conv}/messages`, { cookie: w.admin, body: { type: 'text', text: '' } });
  t.is(bad.status, 400);
  t.regex(bad.body.error.message, /^text: /, 'the field is named');
});

test('an image: uploaded, sent to Meta as multipart media, then sent by its media id', async (t) => {
  const conv = await conversationWith(w, connection, '5511955556666');
  const up = await upload(PNG, 'image/png', '?filename=comprovante.png');
  t.is(up.status, 201, up.text);
  t.like(up.body, { type: 'image', mimeType: 'image/png', size: PNG.length, filename: 'comprovante.png' });

  const res = await w.app.api('POST', `/api/conversations/${conv}/messages`, { cookie: w.admin, body: { type: 'image', uploadId: up.body.id, caption: 'Segue o comprovante' } });
  t.is(res.status, 202, res.text);
  t.like(res.body.media, { status: 'stored', mimeType: 'image/png', url: `/api/messages/${res.body.id}/media` });
  const sent = await waitForStatus(w, res.body.id, 'sent');

  const mediaCall = w.sim.calls.findIndex((c) => c.method === 'POST' && c.path.endsWith('/2000000001/media'));
  const sendCall = w.sim.calls.findIndex((c) => c.body?.to === '5511955556666');
  t.true(mediaCall >= 0 && mediaCall < sendCall, 'the file is uploaded before the message refers to it');
  t.true(Buffer.isBuffer(w.sim.calls[mediaCall]!.body), 'multipart body');
  const body = w.sim.calls[sendCall]!.body;
  t.is(body.type, 'image');
  t.deepEqual(body.image, { id: sent.media_provider_id, caption: 'Segue o comprovante' });
  // Meta holds exactly our bytes under that id.
  const media = (await fetch(`${w.sim.url}/v23.0/${sent.media_provider_id}`, { headers: { authorization: 'Bearer EAAG-token-2000000001' } }).then((r) => r.json())) as { sha256: string; mime_type: string };
  t.is(media.sha256, crypto.createHash('sha256').update(PNG).digest('hex'));
  t.is(media.mime_type, 'image/png');
  // The dashboard shows what was sent from our own copy.
  const own = await fetch(`${w.app.url}/api/messages/${res.body.id}/media`, { headers: { cookie: w.admin } });
  t.is(own.status, 200);
  t.deepEqual(Buffer.from(await own.arrayBuffer()), PNG);
  t.is(sent.media_status, 'stored');
  t.is(sent.media_filename, 'comprovante.png');

  const asSticker = await w.app.api('POST', `/api/conversations/${conv}/messages`, { cookie: w.admin, body: { type: 'sticker', uploadId: up.body.id } });
  t.is(asSticker.status, 400);
  t.is(asSticker.body.error.code, 'media_type_mismatch');
});

test('uploads follow WhatsApp media rules: oversize 413, other types 415, nothing kept', async (t) => {
  const before = await w.app.deps.db('uploads').count('* as n').first();
  const big = await upload(Buffer.alloc(5 * 1024 * 1024 + 1), 'image/jpeg');
  t.is(big.status, 413);
  t.is(big.body.error.code, 'media_too_large');
  const zip = await upload(Buffer.from('PK\u0003\u0004'), 'application/zip');
  t.is(zip.status, 415);
  t.is(zip.body.error.code, 'unsupported_media_type');
  const noSession = await call('POST', `${w.app.url}/api/uploads`, { raw: PNG, headers: { 'content-type': 'image/png' } });
  t.is(noSession.status, 401);
  t.deepEqual(await w.app.deps.db('uploads').count('* as n').first(), before);

  // Without a declared length the limit is enforced on the bytes as they stream in.
  const chunked = await new Promise<{ status: number; body: any }>((resolve, reject) => {
    const req = http.request(`${w.app.url}/api/uploads`, { method: 'POST', headers: { 'content-type': 'image/png', cookie: w.admin, 'transfer-encoding': 'chunked' } }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    const chunk = Buffer.alloc(256 * 1024);
    let sent = 0;
    const pump = () => {
      while (sent < 6 * 1024 * 1024) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
  t.is(chunked.status, 413);
  t.is(chunked.body.error.code, 'media_too_large');
  t.deepEqual(await w.app.deps.db('uploads').count('* as n').first(), before);
  t.deepEqual(fs.readdirSync(path.join(w.app.dataDir, 'media'), { recursive: true }).filter((f) => String(f).endsWith('.part')), [], 'no half file left');

  const pdf = await upload(Buffer.from('%PDF-1.4 ...'), 'application/pdf', '?filename=../../etc/boleto.pdf');
  t.is(pdf.status, 201);
  t.is(pdf.body.filename, 'boleto.pdf', 'no paths in names');
});

test('sends over a connection are paced to its rate: a burst of 20 at 5/s queues, none fails', async (t) => {
  const paced = await whatsappConnection(w, '2000000002', { sendRatePerSecond: 5 });
  const conv = await conversationWith(w, paced, '5511977778888');
  const ids: string[] = [];
  for (let i = 0; i < 20; i++) {
    const res = await sendText(w, conv, `Mensagem ${i + 1}`);
    t.is(res.status, 202);
    ids.push(res.body.id);
  }
  await waitFor('all 20 sent', async () => (await w.app.deps.db('messages').whereIn('id', ids).where({ status: 'sent' })).length === 20, 30_000);
  const at = sendCallsTo(w, '5511977778888').map((c) => c.at).sort((a, b) => a - b);
  t.is(at.length, 20, 'each sent once');
  // Sends are scheduled 200 ms apart; what reaches Meta jitters by the database and HTTP work after the
  // slot, so allow one more than 5 in a second, never a burst.
  for (let i = 0; i + 6 < at.length; i++) t.true(at[i + 6]! - at[i]! >= 1_000, `sends ${i}..${i + 6} came within ${at[i + 6]! - at[i]!} ms`);
  t.true(at.at(-1)! - at[0]! >= 3_500, 'twenty sends at 5/s take about four seconds');
  const rows = await w.app.deps.db('messages').whereIn('id', ids);
  t.true(rows.every((r) => r.attempts === 1 && r.error_code === null), 'pacing is not a failed attempt');
});

test('a quick reply is sent as its text', async (t) => {
  const conv = await conversationWith(w, connection, '5511922223333');
  const reply = await insertQuickReply(w.app.deps.db, { shortcut: 'horario', text: 'Atendemos de segunda a sábado, das 8h às 18h.', createdBy: null });
  const res = await w.app.api('POST', `/api/conversations/${conv}/messages`, { cookie: w.admin, body: { quickReplyId: reply.id, clientId: 'qr-1' } });
  t.is(res.status, 202, res.text);
  t.is(res.body.body, 'Atendemos de segunda a sábado, das 8h às 18h.');
  await waitForStatus(w, res.body.id, 'sent');
  t.is(sendCallsTo(w, '5511922223333')[0]!.body.text.body, 'Atendemos de segunda a sábado, das 8h às 18h.');
  const missing = await w.app.api('POST', `/api/conversations/${conv}/messages`, { cookie: w.admin, body: { quickReplyId: crypto.randomUUID() } });
  t.is(missing.status, 404);
});

test('Instagram: text goes to /me/messages; templates and media are refused with their codes', async (t) => {
  w.sim.addInstagramAccount({ accountId: '17841400000000001', accessToken: 'IGQ-token-0001' });
  const created = await w.app.api('POST', '/api/connections', {
    cookie: w.admin,
    body: { channel: 'instagram', name: 'Insta', accountId: '17841400000000001', accessToken: 'IGQ-token-0001', appSecret: 'app-secret-0123456789', verifyToken: 'verify-me-please' },
  });
  t.is(created.status, 201, created.text);
  const conv = await conversationWith(w, created.body.id, '6543210987654321');
  const template = await w.app.api('POST', `/api/conversations/${conv}/messages`, { cookie: w.admin, body: { type: 'template', template: { name: 'oi', language: 'pt_BR' } } });
  t.is(template.status, 400);
  t.is(template.body.error.code, 'template_not_supported');
  const sticker = await upload(Buffer.concat([Buffer.from('RIFF0000WEBPVP8 ', 'latin1'), crypto.randomBytes(32)]), 'image/webp');
  const refused = await w.app.api('POST', `/api/conversations/${conv}/messages`, { cookie: w.admin, body: { type: 'sticker', uploadId: sticker.body.id } });
  t.is(refused.status, 400);
  t.is(refused.body.error.code, 'media_not_supported_on_instagram');

  // Instagram fetches attachments by URL: a signed, expiring link to the appliance's public media route.
  const up = await upload(PNG, 'image/png');
  const image = await w.app.api('POST', `/api/conversations/${conv}/messages`, { cookie: w.admin, body: { type: 'image', uploadId: up.body.id } });
  t.is(image.status, 202, image.text);
  await waitForStatus(w, image.body.id, 'sent');
  const [attachmentCall] = sendCallsTo(w, '6543210987654321');
  const attachment = attachmentCall!.body.message.attachment;
  t.is(attachment.type, 'image');
  const link = new URL(attachment.payload.url);
  t.is(link.origin, 'http://atendo.test', 'the link is on the appliance\'s public URL');
  const fetched = await fetch(`${w.app.url}${link.pathname}${link.search}`);
  t.is(fetched.status, 200);
  t.deepEqual(Buffer.from(await fetched.arrayBuffer()), PNG, 'Meta gets the uploaded bytes');
  const forged = await fetch(`${w.app.url}${link.pathname}${link.search.replace(/sig=./, 'sig=A')}`);
  t.is(forged.status, 403);
  t.is((await forged.json() as any).error.code, 'media_link_invalid');
  w.app.clock.advance(2 * 3_600_000);
  t.is((await fetch(`${w.app.url}${link.pathname}${link.search}`)).status, 403, 'the link expires');
  w.app.clock.advance(-2 * 3_600_000);
  w.sim.reset();

  const res = await sendText(w, conv, 'Oi! Como posso ajudar?');
  t.is(res.status, 202);
  const sent = await waitForStatus(w, res.body.id, 'sent');
  const callIg = sendCallsTo(w, '6543210987654321');
  t.is(callIg.length, 1);
  t.regex(callIg[0]!.path, /\/me\/messages$/);
  t.deepEqual(callIg[0]!.body, { recipient: { id: '6543210987654321' }, messaging_type: 'RESPONSE', message: { text: 'Oi! Como posso ajudar?' } });
  t.is(sent.provider_message_id, w.sim.sent.find((s) => s.to === '6543210987654321')!.id);
  t.is((await messageRow(w, res.body.id)).status, 'sent');
});

test('a queued message whose job was lost is found by the sweeper of the next worker and sent', async (t) => {
  const conv = await conversationWith(w, connection, '5511944445555');
  const [row] = await w.app.deps.db('messages').insert({
    conversation_id: conv, connection_id: connection, direction: 'out', origin: 'agent', type: 'text', body: 'Perdido no Redis',
    status: 'queued', at: new Date(), created_at: new Date(Date.now() - 5 * 60_000),
  }).returning('*');
  await w.app.startWorker();
  await waitForStatus(w, row.id, 'sent');
  t.is(sendCallsTo(w, '5511944445555').length, 1);
});

test('a conversation whose connection was removed cannot send', async (t) => {
  const doomed = await whatsappConnection(w, '2000000009');
  const conv = await conversationWith(w, doomed, '5511900009999');
  t.is((await w.app.api('DELETE', `/api/connections/${doomed}`, { cookie: w.admin })).status, 204);
  const res = await sendText(w, conv, 'oi');
  t.is(res.status, 409);
  t.is(res.body.error.code, 'connection_removed');
});
