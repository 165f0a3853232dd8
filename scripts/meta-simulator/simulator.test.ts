import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { startSimulatedCustomers } from './customers.js';
import { startMetaSimulator, type MetaSimulator } from './simulator.js';
import {
  igEcho, igEnvelope, igMessage, igQuickReply, igRead, mediaSha256Hex, postWebhook, signBody, waButtonReply, waEchoValue, waEnvelope,
  waListReply, waMessage, waMessagesValue, waStatus, waText,
} from './webhooks.js';

const PHONE_ID = '106540352242922';
const TOKEN = 'EAAtest-token-wa';
const IG_ID = '17841400000000001';
const IG_TOKEN = 'IGQtest-token-ig';
const V = 'v23.0';

async function withSim(fn: (sim: MetaSimulator) => Promise<void>): Promise<void> {
  const sim = await startMetaSimulator();
  sim.addWhatsAppNumber({ phoneNumberId: PHONE_ID, accessToken: TOKEN, displayPhoneNumber: '5511955550000', verifiedName: 'Padaria' });
  sim.addInstagramAccount({ accountId: IG_ID, accessToken: IG_TOKEN, username: 'padaria' });
  try { await fn(sim); } finally { await sim.close(); }
}

const graph = (sim: MetaSimulator, path: string, init: { method?: string; token?: string | null; json?: unknown; body?: FormData } = {}): Promise<Response> =>
  fetch(`${sim.url}/${V}${path}`, {
    method: init.method ?? (init.json !== undefined || init.body ? 'POST' : 'GET'),
    headers: {
      ...(init.token === null ? {} : { authorization: `Bearer ${init.token ?? TOKEN}` }),
      ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: init.body ?? (init.json !== undefined ? JSON.stringify(init.json) : null),
  });

const textMessage = (to: string, body = 'Olá!') => ({ messaging_product: 'whatsapp', recipient_type: 'individual', to, type: 'text', text: { body } });

test('a text send is accepted with Meta response shape and recorded', (t) => withSim(async (sim) => {
  const res = await graph(sim, `/${PHONE_ID}/messages`, { json: textMessage('5511987654321') });
  t.is(res.status, 200);
  const body = await res.json() as any;
  t.is(body.messaging_product, 'whatsapp');
  t.deepEqual(body.contacts, [{ input: '5511987654321', wa_id: '5511987654321' }]);
  t.regex(body.messages[0].id, /^wamid\.[A-Za-z0-9+/=]+$/);
  t.is(sim.sent.length, 1);
  t.like(sim.sent[0], { channel: 'whatsapp', from: PHONE_ID, to: '5511987654321', id: body.messages[0].id });
  t.is(sim.calls.at(-1)?.authorization, `Bearer ${TOKEN}`);

  const info = await (await graph(sim, `/${PHONE_ID}?fields=verified_name,display_phone_number`)).json() as any;
  t.like(info, { id: PHONE_ID, verified_name: 'Padaria', display_phone_number: '5511955550000', quality_rating: 'GREEN' });
}));

test('bad bodies answer 400 code 100; unknown numbers 400/100/33', (t) => withSim(async (sim) => {
  const noProduct = await graph(sim, `/${PHONE_ID}/messages`, { json: { to: '5511987654321', type: 'text', text: { body: 'x' } } });
  t.is(noProduct.status, 400);
  t.like(await noProduct.json(), { error: { code: 100, type: 'OAuthException', message: '(#100) The parameter messaging_product is required.' } });

  const noBody = await graph(sim, `/${PHONE_ID}/messages`, { json: { ...textMessage('5511987654321'), text: {} } });
  t.is(noBody.status, 400);
  const template = await graph(sim, `/${PHONE_ID}/messages`, { json: { messaging_product: 'whatsapp', to: '5511987654321', type: 'template', template: { name: 'hello' } } });
  t.is(template.status, 400);
  const media = await graph(sim, `/${PHONE_ID}/messages`, { json: { messaging_product: 'whatsapp', to: '5511987654321', type: 'image', image: { caption: 'x' } } });
  t.is(media.status, 400);

  const unknown = await graph(sim, '/999999999999999/messages', { json: textMessage('5511987654321') });
  t.is(unknown.status, 400);
  const err = (await unknown.json() as any).error;
  t.is(err.code, 100);
  t.is(err.error_subcode, 33);
  t.regex(err.message, /Object with ID '999999999999999' does not exist/);
  t.is(sim.sent.length, 0);
}));

test('a bad or missing token answers 401 code 190', (t) => withSim(async (sim) => {
  for (const token of ['wrong', null, IG_TOKEN]) {
    const res = await graph(sim, `/${PHONE_ID}/messages`, { json: textMessage('5511987654321'), token });
    t.is(res.status, 401);
    const { error } = await res.json() as any;
    t.is(error.code, 190);
    t.is(error.type, 'OAuthException');
    t.is(error.message, 'Invalid OAuth access token - Cannot parse access token');
    t.truthy(error.fbtrace_id);
  }
  t.is(sim.sent.length, 0);
}));

test('failNext answers the error shape the given number of times, then sends succeed', (t) => withSim(async (sim) => {
  sim.failNext({ match: { path: /\/messages$/, to: '5511987654321' }, times: 2, status: 429, code: 131056, headers: { 'retry-after': '1' } });
  // A send to someone else is not matched.
  t.is((await graph(sim, `/${PHONE_ID}/messages`, { json: textMessage('5521998765432') })).status, 200);
  for (let i = 0; i < 2; i++) {
    const res = await graph(sim, `/${PHONE_ID}/messages`, { json: textMessage('5511987654321') });
    t.is(res.status, 429);
    t.is(res.headers.get('retry-after'), '1');
    const { error } = await res.json() as any;
    t.is(error.code, 131056);
    t.is(error.message, '(#131056) (Business Account, Consumer Account) pair rate limit hit');
    t.is(error.error_data.messaging_product, 'whatsapp');
    t.regex(error.error_data.details, /too many messages/);
    t.is(error.error_user_title, '(Business Account, Consumer Account) pair rate limit hit');
  }
  t.is((await graph(sim, `/${PHONE_ID}/messages`, { json: textMessage('5511987654321') })).status, 200);
  t.is(sim.sent.length, 2);

  // The HTTP control surface does the same (path as a string regex).
  const control = await fetch(`${sim.url}/_sim/fail-next`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ match: { path: 'messages$' }, status: 400, code: 131047, subcode: 2494010 }),
  });
  t.is(control.status, 200);
  const failed = await graph(sim, `/${PHONE_ID}/messages`, { json: textMessage('5511987654321') });
  t.is(failed.status, 400);
  t.like(await failed.json(), { error: { code: 131047, error_subcode: 2494010, message: '(#131047) Re-engagement message' } });
  const listed = await (await fetch(`${sim.url}/_sim/sent`)).json() as unknown[];
  t.is(listed.length, 2);
}));

test('media round trip: media object, authenticated download, failures and overrides', (t) => withSim(async (sim) => {
  const bytes = crypto.randomBytes(2048);
  const id = sim.addMedia({ bytes, mimeType: 'image/jpeg' });
  const object = await (await graph(sim, `/${id}`)).json() as any;
  t.like(object, { messaging_product: 'whatsapp', id, mime_type: 'image/jpeg', sha256: mediaSha256Hex(bytes), file_size: bytes.length });
  t.true(object.url.startsWith(`${sim.url}/media-download/${id}?`));

  t.is((await fetch(object.url)).status, 401);
  t.is((await fetch(object.url, { headers: { authorization: 'Bearer nope' } })).status, 401);
  const ok = await fetch(object.url, { headers: { authorization: `Bearer ${TOKEN}` } });
  t.is(ok.status, 200);
  t.is(ok.headers.get('content-type'), 'image/jpeg');
  t.true(Buffer.from(await ok.arrayBuffer()).equals(bytes));

  const flaky = sim.addMedia({ bytes, mimeType: 'audio/ogg', downloadFailures: 1, wrongSha: true, contentType: 'application/octet-stream' });
  const flakyObject = await (await graph(sim, `/${flaky}`)).json() as any;
  t.not(flakyObject.sha256, mediaSha256Hex(bytes));
  const auth = { headers: { authorization: `Bearer ${TOKEN}` } };
  t.is((await fetch(flakyObject.url, auth)).status, 500);
  const second = await fetch(flakyObject.url, auth);
  t.is(second.status, 200);
  t.is(second.headers.get('content-type'), 'application/octet-stream');

  const cdn = await fetch(sim.igCdnUrl(id));
  t.is(cdn.status, 200);
  t.true(Buffer.from(await cdn.arrayBuffer()).equals(bytes));
}));

test('a multipart upload gives a media id whose bytes download', (t) => withSim(async (sim) => {
  const bytes = Buffer.concat([Buffer.from('%PDF-1.4\r\n--not-a-boundary\r\n'), crypto.randomBytes(4096)]);
  const form = new FormData();
  form.append('messaging_product', 'whatsapp');
  form.append('type', 'application/pdf');
  form.append('file', new Blob([bytes], { type: 'application/pdf' }), 'boleto.pdf');
  const res = await graph(sim, `/${PHONE_ID}/media`, { body: form });
  t.is(res.status, 200);
  const { id } = await res.json() as { id: string };
  t.regex(id, /^\d{16}$/);
  t.true(Buffer.isBuffer(sim.calls.at(-1)?.body));

  const object = await (await graph(sim, `/${id}`)).json() as any;
  t.is(object.mime_type, 'application/pdf');
  t.is(object.file_size, bytes.length);
  const download = await fetch(object.url, { headers: { authorization: `Bearer ${TOKEN}` } });
  t.true(Buffer.from(await download.arrayBuffer()).equals(bytes));

  const noFile = new FormData();
  noFile.append('messaging_product', 'whatsapp');
  t.is((await graph(sim, `/${PHONE_ID}/media`, { body: noFile })).status, 400);
}));

test('autoStatuses posts sent, delivered and read webhooks signed with the app secret', (t) => withSim(async (sim) => {
  const received: Array<{ signature: string | undefined; raw: Buffer }> = [];
  let done!: () => void;
  const allThree = new Promise<void>((r) => { done = r; });
  const receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ signature: req.headers['x-hub-signature-256'] as string | undefined, raw: Buffer.concat(chunks) });
      res.end('EVENT_RECEIVED');
      if (received.length === 3) done();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const port = (receiver.address() as AddressInfo).port;
  try {
    sim.autoStatuses({ webhookUrl: (id) => `http://127.0.0.1:${port}/webhooks/whatsapp/${id}`, appSecret: () => 'app-secret', delayMs: 5 });
    const sentRes = await (await graph(sim, `/${PHONE_ID}/messages`, { json: textMessage('5511987654321') })).json() as any;
    const wamid = sentRes.messages[0].id;
    await Promise.race([allThree, new Promise((_, reject) => setTimeout(() => reject(new Error('statuses did not arrive')), 2000))]);

    const statuses = received.map(({ signature, raw }) => {
      t.is(signature, signBody(raw, 'app-secret'));
      const body = JSON.parse(raw.toString('utf8'));
      t.is(body.object, 'whatsapp_business_account');
      t.is(body.entry[0].changes[0].field, 'messages');
      t.is(body.entry[0].changes[0].value.metadata.phone_number_id, PHONE_ID);
      return body.entry[0].changes[0].value.statuses[0];
    });
    t.deepEqual(statuses.map((s) => s.status), ['sent', 'delivered', 'read']);
    for (const s of statuses) {
      t.is(s.id, wamid);
      t.is(s.recipient_id, '5511987654321');
      t.regex(s.timestamp, /^\d{10}$/);
    }
    t.is(statuses[0].pricing.category, 'service');
  } finally {
    await new Promise((r) => receiver.close(r));
  }
}));

test('Instagram: send via /me/messages and /:id/messages, profile, auth', (t) => withSim(async (sim) => {
  const me = await (await graph(sim, '/me?fields=id,username', { token: IG_TOKEN })).json();
  t.deepEqual(me, { id: IG_ID, username: 'padaria' });
  const message = { recipient: { id: '1234567890' }, message: { text: 'Oi!' } };
  for (const path of ['/me/messages', `/${IG_ID}/messages`]) {
    const res = await graph(sim, path, { json: message, token: IG_TOKEN });
    t.is(res.status, 200);
    const body = await res.json() as any;
    t.is(body.recipient_id, '1234567890');
    t.true(body.message_id.length > 20);
  }
  t.is((await graph(sim, `/${IG_ID}/messages`, { json: message, token: TOKEN })).status, 401);
  const long = await graph(sim, '/me/messages', { json: { recipient: { id: '1' }, message: { text: 'a'.repeat(1001) } }, token: IG_TOKEN });
  t.is(long.status, 400);
  t.false('messaging_product' in (await long.json() as any).error.error_data);
  t.deepEqual(sim.sent.map((s) => s.channel), ['instagram', 'instagram']);
}));

test('webhook builders produce the documented envelopes', (t) => {
  const wa = waEnvelope([{
    wabaId: '102290129340398',
    changes: [{
      value: waMessagesValue({
        phoneNumberId: PHONE_ID, displayPhoneNumber: '15550783881',
        contacts: [{ waId: '16505551234', name: 'Sheena Nelson' }],
        messages: [
          waText('16505551234', 'Does it come in another color?', { timestamp: 1749416383 }),
          waMessage({ from: '16505551234', type: 'image', body: { id: '123', mime_type: 'image/jpeg', sha256: 'abc=' } }),
          waMessage({ from: '16505551234', type: 'unsupported' }),
        ],
      }),
    }],
  }]) as any;
  t.is(wa.object, 'whatsapp_business_account');
  const value = wa.entry[0].changes[0].value;
  t.is(wa.entry[0].changes[0].field, 'messages');
  t.deepEqual(value.metadata, { display_phone_number: '15550783881', phone_number_id: PHONE_ID });
  t.deepEqual(value.contacts, [{ profile: { name: 'Sheena Nelson' }, wa_id: '16505551234' }]);
  t.like(value.messages[0], { from: '16505551234', timestamp: '1749416383', type: 'text', text: { body: 'Does it come in another color?' } });
  t.like(value.messages[1], { type: 'image', image: { id: '123', mime_type: 'image/jpeg' } });
  t.is(value.messages[2].errors[0].code, 131051);

  const failed = waStatus({ id: 'wamid.X', recipientId: '16505551234', status: 'failed', errors: [{ code: 131047, title: 'Re-engagement message' }] }) as any;
  t.like(failed, { id: 'wamid.X', status: 'failed', recipient_id: '16505551234', errors: [{ code: 131047, title: 'Re-engagement message' }] });
  t.is(typeof failed.timestamp, 'string');

  const echo = waEchoValue({ phoneNumberId: PHONE_ID, displayPhoneNumber: '15550783881', to: '16505551234', text: 'Oi' }) as any;
  t.like(echo.message_echoes[0], { from: '15550783881', to: '16505551234', type: 'text', text: { body: 'Oi' } });

  const ig = igEnvelope([{
    accountId: IG_ID,
    messaging: [
      igMessage({ accountId: IG_ID, senderId: '999', text: 'oi', attachments: [{ type: 'image', url: 'https://cdn/x.jpg' }] }),
      igEcho({ accountId: IG_ID, recipientId: '999', text: 'olá' }),
      igRead({ accountId: IG_ID, senderId: '999', mid: 'm1' }),
    ],
  }]) as any;
  t.is(ig.object, 'instagram');
  t.is(ig.entry[0].id, IG_ID);
  t.is(typeof ig.entry[0].time, 'number');
  const [inbound, echoEvent, read] = ig.entry[0].messaging;
  t.like(inbound, { sender: { id: '999' }, recipient: { id: IG_ID }, message: { text: 'oi', attachments: [{ type: 'image', payload: { url: 'https://cdn/x.jpg' } }] } });
  t.true(inbound.timestamp > 1e12); // milliseconds
  t.like(echoEvent, { sender: { id: IG_ID }, recipient: { id: '999' }, message: { is_echo: true, text: 'olá' } });
  t.like(read, { sender: { id: '999' }, read: { mid: 'm1' } });
});

test('postWebhook signs the exact bytes and can send a bad or no signature', async (t) => {
  const seen: Array<{ signature: string | undefined; raw: string }> = [];
  const receiver = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => { raw += c; });
    req.on('end', () => { seen.push({ signature: req.headers['x-hub-signature-256'] as string | undefined, raw }); res.end('ok'); });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  try {
    const raw = '{"object": "instagram",  "entry": []}'; // whitespace a re-serialization would lose
    const ok = await postWebhook(url, null, 's3cret', { raw });
    t.is(ok.status, 200);
    t.is(ok.text, 'ok');
    await postWebhook(url, { a: 1 }, 's3cret', { signature: 'sha256=00' });
    await postWebhook(url, { a: 1 }, 's3cret', { signature: null });
    t.deepEqual(seen[0], { signature: signBody(raw, 's3cret'), raw });
    t.is(seen[0]!.signature, `sha256=${crypto.createHmac('sha256', 's3cret').update(raw).digest('hex')}`);
    t.is(seen[1]!.signature, 'sha256=00');
    t.is(seen[2]!.signature, undefined);
  } finally {
    await new Promise((r) => receiver.close(r));
  }
});

test('simulated customers post signed Portuguese text messages to the numbers\' webhooks', async (t) => {
  const seen: any[] = [];
  let done!: () => void;
  const two = new Promise<void>((r) => { done = r; });
  const receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      seen.push({ signature: req.headers['x-hub-signature-256'], raw, body: JSON.parse(raw.toString('utf8')) });
      res.end();
      if (seen.length === 2) done();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/whatsapp`;
  const lines: string[] = [];
  const stop = startSimulatedCustomers({
    numbers: [{ phoneNumberId: PHONE_ID, displayPhoneNumber: '5511955550000', webhookUrl, appSecret: 'demo-secret' }],
    everyMs: 10, log: (line) => lines.push(line),
  });
  try {
    await Promise.race([two, new Promise((_, reject) => setTimeout(() => reject(new Error('no customer messages')), 2000))]);
  } finally {
    stop();
    await new Promise((r) => receiver.close(r));
  }
  t.is(seen[0].signature, signBody(seen[0].raw, 'demo-secret'));
  const value = seen[0].body.entry[0].changes[0].value;
  t.is(value.metadata.phone_number_id, PHONE_ID);
  t.regex(value.contacts[0].wa_id, /^55\d{10,11}$/);
  t.is(value.messages[0].from, value.contacts[0].wa_id);
  t.is(value.messages[0].type, 'text');
  t.true(value.messages[0].text.body.length > 0);
  t.true(lines.length >= 1);
});

// ─────────── interactive messages (reply buttons, lists, Instagram quick replies) ───────────

const interactive = (to: string, content: Record<string, unknown>) =>
  ({ messaging_product: 'whatsapp', recipient_type: 'individual', to, type: 'interactive', interactive: content });
const buttons = (titles: string[], extra: Record<string, unknown> = {}) => ({
  type: 'button', body: { text: 'Como prefere pagar?' },
  action: { buttons: titles.map((title, i) => ({ type: 'reply', reply: { id: `opt_${i}`, title } })) }, ...extra,
});
const rows = (n: number, row: (i: number) => Record<string, unknown> = (i) => ({ id: `r${i}`, title: `Opção ${i}` })) =>
  Array.from({ length: n }, (_, i) => row(i + 1));
const list = (sections: unknown[], extra: Record<string, unknown> = {}) =>
  ({ type: 'list', body: { text: 'Escolha o assunto' }, action: { button: 'Ver opções', sections }, ...extra });

/** Sends and expects Meta's refusal: 400 with this code, and the details matching. */
async function refused(t: any, sim: MetaSimulator, body: unknown, code: number, details: RegExp, o: { path?: string; token?: string } = {}) {
  const before = sim.sent.length;
  const res = await graph(sim, o.path ?? `/${PHONE_ID}/messages`, { json: body, ...(o.token ? { token: o.token } : {}) });
  t.is(res.status, 400);
  const { error } = await res.json() as any;
  t.is(error.code, code);
  t.is(error.type, 'OAuthException');
  if (code === 131009) t.is(error.message, '(#131009) Parameter value is not valid');
  t.regex(error.error_data.details, details);
  t.is(sim.sent.length, before, 'a refused message is not recorded as sent');
  return error;
}

test('reply buttons: 1-3 buttons, titles of 1-20 characters, unique ids and titles, body up to 1024', (t) => withSim(async (sim) => {
  const to = '5511987654321';
  const err = await refused(t, sim, interactive(to, buttons(['Cartão de crédito', 'Pix', 'Boleto bancário à vista'])), 131009,
    /^Button title length invalid\. Min length: 1, Max length: 20$/);
  t.is(err.error_data.messaging_product, 'whatsapp');
  t.is(err.error_user_title, 'Parameter value is not valid');
  await refused(t, sim, interactive(to, buttons(['a'.repeat(21)])), 131009, /Button title length invalid/);
  await refused(t, sim, interactive(to, buttons(['Pix', ''])), 131009, /Button title length invalid/);
  await refused(t, sim, interactive(to, buttons(['1', '2', '3', '4'])), 131009, /^Invalid buttons count\. Min allowed buttons: 1, Max allowed buttons: 3$/);
  await refused(t, sim, interactive(to, buttons([])), 131009, /Invalid buttons count/);
  await refused(t, sim, interactive(to, buttons(['Pix', 'Pix'])), 131009, /unique/);
  const dupIds = buttons(['Pix', 'Cartão']);
  (dupIds.action.buttons[1] as any).reply.id = 'opt_0';
  await refused(t, sim, interactive(to, dupIds), 131009, /ids/);
  const longId = buttons(['Pix']);
  (longId.action.buttons[0] as any).reply.id = 'x'.repeat(257);
  await refused(t, sim, interactive(to, longId), 131009, /Button id length invalid.*256/);
  await refused(t, sim, interactive(to, buttons(['Pix'], { body: { text: 'a'.repeat(1025) } })), 131009, /Body text length invalid.*1024/);
  await refused(t, sim, interactive(to, buttons(['Pix'], { body: undefined })), 100, /interactive\['body'\] is required/);
  await refused(t, sim, interactive(to, buttons(['Pix'], { footer: { text: 'f'.repeat(61) } })), 131009, /Footer text length invalid.*60/);
  await refused(t, sim, interactive(to, buttons(['Pix'], { header: { type: 'text', text: 'h'.repeat(61) } })), 131009, /Header text length invalid.*60/);

  // Exactly at the limits: accepted, and recorded as the customer saw it.
  const ok = await graph(sim, `/${PHONE_ID}/messages`, {
    json: interactive(to, buttons(['a'.repeat(20), 'Pix', 'Boleto'], { body: { text: 'b'.repeat(1024) }, header: { type: 'text', text: 'Pagamento' }, footer: { text: 'f'.repeat(60) } })),
  });
  t.is(ok.status, 200, await ok.clone().text());
  t.regex((await ok.json() as any).messages[0].id, /^wamid\./);
  t.is(sim.sent.length, 1);
  t.deepEqual(sim.sent[0]!.shown, {
    kind: 'button', text: 'b'.repeat(1024), header: 'Pagamento', footer: 'f'.repeat(60),
    options: [{ id: 'opt_0', title: 'a'.repeat(20) }, { id: 'opt_1', title: 'Pix' }, { id: 'opt_2', title: 'Boleto' }],
  });
  // Characters, not bytes: 20 accented letters fit.
  t.is((await graph(sim, `/${PHONE_ID}/messages`, { json: interactive(to, buttons(['ç'.repeat(20)])) })).status, 200);
}));

test('list messages: 1-10 rows in all, row and section limits, a valid list is accepted and recorded', (t) => withSim(async (sim) => {
  const to = '5511987654321';
  await refused(t, sim, interactive(to, list([{ rows: rows(11) }])), 131009, /^Total row count exceed max allowed count: 10$/);
  await refused(t, sim, interactive(to, list([{ title: 'A', rows: rows(6) }, { title: 'B', rows: rows(5, (i) => ({ id: `b${i}`, title: `B ${i}` })) }])), 131009, /Total row count exceed/);
  await refused(t, sim, interactive(to, list(rows(11, (i) => ({ title: `S${i}`, rows: [{ id: `s${i}`, title: 'x' }] })))), 131009, /sections/);
  await refused(t, sim, interactive(to, list([{ rows: rows(1, () => ({ id: 'r', title: 'x'.repeat(25) })) }])), 131009, /^Row title length invalid\. Min length: 1, Max length: 24$/);
  await refused(t, sim, interactive(to, list([{ rows: rows(1, () => ({ id: 'r', title: 'x', description: 'd'.repeat(73) })) }])), 131009, /Row description length invalid.*72/);
  await refused(t, sim, interactive(to, list([{ rows: rows(1, () => ({ id: 'i'.repeat(201), title: 'x' })) }])), 131009, /Row id length invalid.*200/);
  await refused(t, sim, interactive(to, list([{ rows: [{ id: 'same', title: 'a' }, { id: 'same', title: 'b' }] }])), 131009, /unique/);
  await refused(t, sim, interactive(to, { ...list([{ rows: rows(2) }]), action: { button: 'b'.repeat(21), sections: [{ rows: rows(2) }] } }), 131009, /Button text length invalid.*20/);
  await refused(t, sim, interactive(to, { ...list([{ rows: rows(2) }]), action: { sections: [{ rows: rows(2) }] } }), 100, /\['button'\] is required/);
  await refused(t, sim, interactive(to, list([{ rows: rows(2) }, { title: 'B', rows: [{ id: 'b1', title: 'b' }] }])), 100, /sections'\]\[0\]\['title'\] is required/);
  await refused(t, sim, interactive(to, list([{ title: 's'.repeat(25), rows: rows(2) }])), 131009, /Section title length invalid.*24/);
  await refused(t, sim, interactive(to, list([{ rows: [] }])), 100, /rows/);
  await refused(t, sim, interactive(to, list([{ rows: rows(2) }], { header: { type: 'image', image: { id: '1' } } })), 131009, /Header type must be text/);

  const ok = await graph(sim, `/${PHONE_ID}/messages`, {
    json: interactive(to, list([{ title: 'Pagamento', rows: rows(10, (i) => ({ id: `r${i}`, title: `Opção ${i}`.padEnd(24, '.'), ...(i === 1 ? { description: 'd'.repeat(72) } : {}) })) }])),
  });
  t.is(ok.status, 200, await ok.clone().text());
  const shown = sim.sent.at(-1)!.shown!;
  t.is(shown.kind, 'list');
  t.is(shown.button, 'Ver opções');
  t.is(shown.text, 'Escolha o assunto');
  t.is(shown.options.length, 10);
  t.deepEqual(shown.options[0], { id: 'r1', title: 'Opção 1'.padEnd(24, '.'), description: 'd'.repeat(72), section: 'Pagamento' });
  // Two sections with titles, 10 rows in all.
  const two = await graph(sim, `/${PHONE_ID}/messages`, {
    json: interactive(to, list([{ title: 'A', rows: rows(5) }, { title: 'B', rows: rows(5, (i) => ({ id: `b${i}`, title: `B ${i}` })) }])),
  });
  t.is(two.status, 200);
  t.is(sim.sent.length, 2);
  // The recorded sends are readable over HTTP too.
  const overHttp = await (await fetch(`${sim.url}/_sim/sent`)).json() as any[];
  t.is(overHttp[0].shown.kind, 'list');
}));

test('Instagram quick replies: at most 13, text titles (shown cut to 20), payload up to 1000', (t) => withSim(async (sim) => {
  const qr = (n: number, q: (i: number) => Record<string, unknown> = (i) => ({ content_type: 'text', title: `Opção ${i}`, payload: `p${i}` })) =>
    ({ recipient: { id: '1234567890' }, messaging_type: 'RESPONSE', message: { text: 'Como prefere pagar?', quick_replies: Array.from({ length: n }, (_, i) => q(i + 1)) } });
  const ig = { path: '/me/messages', token: IG_TOKEN };
  const err = await refused(t, sim, qr(14), 100, /at most 13/, ig);
  t.false('messaging_product' in err.error_data);
  await refused(t, sim, qr(1, () => ({ content_type: 'text', title: 'Pix', payload: 'p'.repeat(1001) })), 100, /payload.*1000/, ig);
  await refused(t, sim, qr(1, () => ({ content_type: 'text', payload: 'p' })), 100, /title/, ig);
  await refused(t, sim, qr(1, () => ({ content_type: 'location', title: 'x', payload: 'p' })), 100, /content_type/, ig);
  await refused(t, sim, { recipient: { id: '1' }, message: { attachment: { type: 'image', payload: { url: 'https://x/y.jpg' } }, quick_replies: [{ content_type: 'text', title: 'a', payload: 'a' }] } }, 100, /message\[text\]/, ig);

  const ok = await graph(sim, '/me/messages', { json: qr(13, (i) => ({ content_type: 'text', title: i === 1 ? 'Cartão de crédito em 12x' : `Opção ${i}`, payload: `p${i}` })), token: IG_TOKEN });
  t.is(ok.status, 200, await ok.clone().text());
  const shown = sim.sent.at(-1)!.shown!;
  t.is(shown.kind, 'quick_replies');
  t.is(shown.text, 'Como prefere pagar?');
  t.is(shown.options.length, 13);
  t.deepEqual(shown.options[0], { id: 'p1', title: 'Cartão de crédito em' }, 'Instagram shows 20 characters of a longer title');
}));

test('interactive reply webhooks: button_reply, list_reply and Instagram quick_reply in Meta\'s shapes', (t) => {
  const button = waButtonReply('5511987654321', { id: 'pix', title: 'Pix' }, { id: 'wamid.ABC', from: '15550783881' }, { timestamp: 1749416383 }) as any;
  t.deepEqual(button, {
    context: { from: '15550783881', id: 'wamid.ABC' },
    from: '5511987654321', id: button.id, timestamp: '1749416383', type: 'interactive',
    interactive: { type: 'button_reply', button_reply: { id: 'pix', title: 'Pix' } },
  });
  t.regex(button.id, /^wamid\./);
  const row = waListReply('5511987654321', { id: 'r2', title: 'Cartão', description: 'Até 12x' }) as any;
  t.like(row, { type: 'interactive', interactive: { type: 'list_reply', list_reply: { id: 'r2', title: 'Cartão', description: 'Até 12x' } } });
  t.false('context' in row);
  t.false('description' in (waListReply('1', { id: 'a', title: 'b' }) as any).interactive.list_reply);
  const quick = igQuickReply({ accountId: IG_ID, senderId: '999', title: 'Pix', payload: 'pix' }) as any;
  t.like(quick, { sender: { id: '999' }, recipient: { id: IG_ID }, message: { text: 'Pix', quick_reply: { payload: 'pix' } } });
  t.truthy(quick.message.mid);
});

// ─────────── message templates ───────────

const templateSend = (to: string, template: Record<string, unknown>) => ({ messaging_product: 'whatsapp', recipient_type: 'individual', to, type: 'template', template });

test('templates: GET /{waba-id}/message_templates in Meta\'s shape, cursor-paged, with fields and filters', (t) => withSim(async (sim) => {
  const waba = sim.wabaOf(PHONE_ID);
  sim.seedTemplates(waba);
  for (let i = 0; i < 3; i++) sim.addTemplate({ wabaId: waba, name: `aviso_${i}`, language: 'pt_BR', category: 'UTILITY', status: i === 0 ? 'PENDING' : 'APPROVED', components: [{ type: 'BODY', text: `Aviso ${i}: {{1}}` }] });
  const first = await (await graph(sim, `/${waba}/message_templates?limit=3`)).json() as any;
  t.is(first.data.length, 3);
  t.like(first.data[0], { name: 'hello_world', language: 'en_US', status: 'APPROVED', category: 'UTILITY', parameter_format: 'POSITIONAL', quality_score: { score: 'UNKNOWN' } });
  t.regex(first.data[0].id, /^\d{16}$/);
  t.truthy(first.paging.cursors.after);
  t.regex(first.paging.next, new RegExp(`/${V}/${waba}/message_templates\\?.*after=`));
  const names: string[] = first.data.map((d: any) => d.name);
  let after = first.paging.cursors.after;
  for (;;) {
    const page = await (await graph(sim, `/${waba}/message_templates?limit=3&after=${after}`)).json() as any;
    names.push(...page.data.map((d: any) => d.name));
    if (!page.paging?.next) break;
    after = page.paging.cursors.after;
  }
  t.deepEqual(names, ['hello_world', 'pedido_pronto', 'promocao_mes', 'boleto_disponivel', 'aviso_0', 'aviso_1', 'aviso_2']);

  const slim = await (await graph(sim, `/${waba}/message_templates?fields=name,status&status=PENDING`)).json() as any;
  t.deepEqual(slim.data.map((d: any) => Object.keys(d).sort()), [['id', 'name', 'status']]);
  t.is((await graph(sim, `/${waba}/message_templates`, { token: 'wrong' })).status, 401);
  // Over HTTP too, for the demo.
  const added = await (await fetch(`${sim.url}/_sim/templates`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ wabaId: waba, name: 'via_http', language: 'es' }) })).json() as any;
  t.like(added, { name: 'via_http', status: 'APPROVED' });
}));

test('template sends are checked as Meta does: 132001 unknown or unapproved, 132015 paused, 132016 disabled, 132000 counts', (t) => withSim(async (sim) => {
  const waba = sim.wabaOf(PHONE_ID);
  const to = '5511987654321';
  // A WABA with no templates at all takes any template (the simulator's older behaviour).
  t.is((await graph(sim, `/${PHONE_ID}/messages`, { json: templateSend(to, { name: 'qualquer', language: { code: 'pt_BR' } }) })).status, 200);
  sim.seedTemplates(waba);
  sim.addTemplate({ wabaId: waba, name: 'em_analise', language: 'pt_BR', status: 'PENDING' });
  sim.addTemplate({ wabaId: waba, name: 'pausado', language: 'pt_BR', status: 'PAUSED' });
  sim.addTemplate({ wabaId: waba, name: 'desativado', language: 'pt_BR', status: 'DISABLED' });
  const refused = async (template: Record<string, unknown>) => {
    const res = await graph(sim, `/${PHONE_ID}/messages`, { json: templateSend(to, template) });
    return { status: res.status, error: (await res.json() as any).error };
  };
  const unknown = await refused({ name: 'nao_existe', language: { code: 'pt_BR' } });
  t.is(unknown.status, 404);
  t.like(unknown.error, { code: 132001, type: 'OAuthException', message: '(#132001) Template name does not exist in the translation', error_data: { messaging_product: 'whatsapp', details: 'template name (nao_existe) does not exist in pt_BR' }, error_user_title: 'Template does not exist' });
  t.is((await refused({ name: 'pedido_pronto', language: { code: 'en_US' } })).error.code, 132001, 'another language is another template');
  t.is((await refused({ name: 'em_analise', language: { code: 'pt_BR' } })).error.code, 132001);
  t.like(await refused({ name: 'pausado', language: { code: 'pt_BR' } }), { status: 400, error: { code: 132015, message: '(#132015) Template is Paused' } });
  t.like(await refused({ name: 'desativado', language: { code: 'pt_BR' } }), { status: 400, error: { code: 132016 } });

  const oneParam = await refused({ name: 'pedido_pronto', language: { code: 'pt_BR' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Maria' }] }] });
  t.like(oneParam, { status: 400, error: { code: 132000, message: '(#132000) Number of parameters does not match the expected number of params', error_data: { details: 'body: number of localizable_params (1) does not match the expected number of params (2)' } } });
  t.is((await refused({ name: 'pedido_pronto', language: { code: 'pt_BR' } })).error.code, 132000, 'no components for a template with variables');
  const body = { type: 'body', parameters: [{ type: 'text', text: 'Maria' }, { type: 'text', text: '15%' }] };
  const noHeader = await refused({ name: 'promocao_mes', language: { code: 'pt_BR' }, components: [body, { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'maio' }] }] });
  t.like(noHeader.error, { code: 132000, error_data: { details: 'header: number of localizable_params (0) does not match the expected number of params (1)' } });
  const header = { type: 'header', parameters: [{ type: 'image', image: { link: 'https://example.com/a.jpg' } }] };
  const noButton = await refused({ name: 'promocao_mes', language: { code: 'pt_BR' }, components: [header, body] });
  t.like(noButton.error, { code: 132000, error_data: { details: 'button 0: number of localizable_params (0) does not match the expected number of params (1)' } });
  const wrongMedia = await refused({ name: 'promocao_mes', language: { code: 'pt_BR' }, components: [{ type: 'header', parameters: [{ type: 'video', video: { link: 'https://example.com/a.mp4' } }] }, body] });
  t.is(wrongMedia.error.code, 132012);
  t.is(sim.sent.length, 1);

  const ok = await graph(sim, `/${PHONE_ID}/messages`, { json: templateSend(to, {
    name: 'promocao_mes', language: { code: 'pt_BR' },
    components: [header, body, { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'maio' }] }, { type: 'button', sub_type: 'quick_reply', index: '1', parameters: [{ type: 'payload', payload: 'PARAR' }] }],
  }) });
  t.is(ok.status, 200);
  t.like(await ok.json(), { messages: [{ message_status: 'accepted' }] });
  t.is((await graph(sim, `/${PHONE_ID}/messages`, { json: templateSend(to, { name: 'hello_world', language: { code: 'en_US' } }) })).status, 200);
  t.is(sim.sent.length, 3);
}));

test('template status, template quality and phone quality webhooks are posted signed, on demand', (t) => withSim(async (sim) => {
  const waba = sim.wabaOf(PHONE_ID);
  const [, pedido] = sim.seedTemplates(waba);
  const received: Array<{ signature: string | undefined; body: any; raw: Buffer }> = [];
  const receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      received.push({ signature: req.headers['x-hub-signature-256'] as string | undefined, body: JSON.parse(raw.toString('utf8')), raw });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const target = { webhookUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, appSecret: 'app-secret' };
  try {
    t.is((await sim.postTemplateStatus({ ...target, wabaId: waba, name: 'pedido_pronto', language: 'pt_BR', status: 'PAUSED', reason: 'LOW_QUALITY' })).status, 200);
    await sim.postTemplateQuality({ ...target, wabaId: waba, name: 'pedido_pronto', language: 'pt_BR', quality: 'RED' });
    await sim.postPhoneQuality({ ...target, phoneNumberId: PHONE_ID, event: 'FLAGGED' });
    for (const r of received) {
      t.is(r.signature, signBody(r.raw, 'app-secret'));
      t.is(r.body.object, 'whatsapp_business_account');
      t.is(r.body.entry[0].id, waba);
    }
    const [status, quality, phone] = received.map((r) => r.body.entry[0].changes[0]);
    t.is(status.field, 'message_template_status_update');
    t.like(status.value, { event: 'PAUSED', message_template_id: Number(pedido!.id), message_template_name: 'pedido_pronto', message_template_language: 'pt_BR', reason: 'LOW_QUALITY', message_template_category: 'UTILITY' });
    t.is(quality.field, 'message_template_quality_update');
    t.like(quality.value, { previous_quality_score: 'UNKNOWN', new_quality_score: 'RED', message_template_name: 'pedido_pronto' });
    t.is(phone.field, 'phone_number_quality_update');
    t.like(phone.value, { display_phone_number: '5511955550000', event: 'FLAGGED' });
    // The state moved with the webhooks: the listing, the send check and the number's quality say so.
    const listed = await (await graph(sim, `/${waba}/message_templates?name=pedido`)).json() as any;
    t.like(listed.data[0], { status: 'PAUSED', quality_score: { score: 'RED' } });
    const send = await graph(sim, `/${PHONE_ID}/messages`, { json: templateSend('5511987654321', { name: 'pedido_pronto', language: { code: 'pt_BR' } }) });
    t.is((await send.json() as any).error.code, 132015);
    t.like(await (await graph(sim, `/${PHONE_ID}`)).json(), { quality_rating: 'RED' });
  } finally {
    await new Promise<void>((r) => receiver.close(() => r()));
  }
}));

test('biz_opaque_callback_data: up to 512 characters, recorded, and echoed in every status of that message', (t) => withSim(async (sim) => {
  const received: any[] = [];
  const receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => { received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')).entry[0].changes[0].value.statuses[0]); res.end('EVENT_RECEIVED'); });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/whatsapp/x`;
  try {
    const tooLong = await graph(sim, `/${PHONE_ID}/messages`, { json: { ...textMessage('5511987654321'), biz_opaque_callback_data: 'x'.repeat(513) } });
    t.is(tooLong.status, 400);
    t.like(await tooLong.json(), { error: { code: 100, type: 'OAuthException', message: '(#100) Param biz_opaque_callback_data must be at most 512 characters long.', error_data: { messaging_product: 'whatsapp' } } });
    const notString = await graph(sim, `/${PHONE_ID}/messages`, { json: { ...textMessage('5511987654321'), biz_opaque_callback_data: { id: 1 } } });
    t.is(notString.status, 400);
    t.is(sim.sent.length, 0, 'a refused send is not recorded');

    const data = `atendo:m:${'y'.repeat(503)}`;
    t.is(data.length, 512);
    sim.autoStatuses({ webhookUrl: () => url, appSecret: () => 'app-secret', delayMs: 5, steps: ['sent', 'delivered'] });
    const ok = await graph(sim, `/${PHONE_ID}/messages`, { json: { ...textMessage('5511987654321'), biz_opaque_callback_data: data } });
    t.is(ok.status, 200);
    const wamid = (await ok.json() as any).messages[0].id;
    t.is(sim.sent[0]!.callbackData, data);
    const deadline = Date.now() + 2000;
    while (received.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    sim.autoStatuses(null);
    await sim.postWhatsAppStatus({ webhookUrl: url, appSecret: 'app-secret', messageId: wamid, status: 'read' });
    t.deepEqual(received.map((s) => [s.id, s.status, s.biz_opaque_callback_data]), [[wamid, 'sent', data], [wamid, 'delivered', data], [wamid, 'read', data]]);

    // A send without it: its statuses carry none.
    const plain = (await (await graph(sim, `/${PHONE_ID}/messages`, { json: textMessage('5511987654321') })).json() as any).messages[0].id;
    await sim.postWhatsAppStatus({ webhookUrl: url, appSecret: 'app-secret', messageId: plain, status: 'sent' });
    t.false('biz_opaque_callback_data' in received.at(-1));
  } finally {
    await new Promise((r) => receiver.close(r));
  }
}));

test('Instagram window: untagged within 24 h, HUMAN_AGENT within 7 days, refused after with (#10) / 2018278', (t) => withSim(async (sim) => {
  let now = Date.parse('2030-01-10T12:00:00Z');
  sim.setClock(() => new Date(now));
  const send = (to: string, extra: Record<string, unknown> = {}) => graph(sim, '/me/messages', { token: IG_TOKEN, json: { recipient: { id: to }, message: { text: 'Oi' }, ...extra } });
  const tagged = { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' };
  sim.instagramUserWrote({ accountId: IG_ID, userId: '111', at: new Date(now - 23 * 3_600_000) });
  t.is((await send('111')).status, 200, 'untagged inside 24 h');
  now += 2 * 3_600_000; // 25 h after the user's message
  const late = await send('111');
  t.is(late.status, 400);
  const body = await late.json() as any;
  t.like(body, { error: { code: 10, error_subcode: 2018278, type: 'OAuthException' } });
  t.regex(body.error.message, /^\(#10\) This message is sent outside of allowed window/);
  t.false('messaging_product' in body.error.error_data);
  t.is((await send('111', { messaging_type: 'RESPONSE' })).status, 400);
  t.is((await send('111', tagged)).status, 200, 'HUMAN_AGENT at 25 h');
  now += 6 * 24 * 3_600_000; // 7 days and 1 hour
  const tooLate = await send('111', tagged);
  t.is(tooLate.status, 400);
  t.like(await tooLate.json(), { error: { code: 10, error_subcode: 2018278 } });
  t.deepEqual(sim.sent.map((s) => s.tag), [null, 'HUMAN_AGENT']);
  // A user the simulator was never told of is not window-checked.
  t.is((await send('222')).status, 200);

  const badType = await send('111', { messaging_type: 'PROMO' });
  t.like(await badType.json(), { error: { code: 100, message: '(#100) Param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG} - got "PROMO".' } });
  t.like(await (await send('111', { messaging_type: 'MESSAGE_TAG' })).json(), { error: { code: 100, message: '(#100) The parameter tag is required.' } });
  t.like(await (await send('111', { messaging_type: 'MESSAGE_TAG', tag: 'CONFIRMED_EVENT_UPDATE' })).json(), { error: { code: 100 } });
  t.like(await (await send('111', { tag: 'HUMAN_AGENT' })).json(), { error: { code: 100 } });
}));
