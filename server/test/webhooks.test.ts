import anyTest from 'ava';
import crypto from 'node:crypto';
import http from 'node:http';
import { newWamid, postWebhook, signBody, waEchoValue, waEnvelope, waMessagesValue, waStatus, waText } from '../../scripts/meta-simulator/webhooks.js';
import { startInboundWorld, waitFor, newPhoneNumberId, type InboundWorld, type TestConnection } from './inbound.js';

const test = anyTest.serial;
const BODY_LIMIT = 64 * 1024;
let w: InboundWorld;
let wa: TestConnection;

anyTest.before(async () => {
  w = await startInboundWorld({ env: { BODY_LIMIT_BYTES: String(BODY_LIMIT) } });
  wa = await w.addWhatsApp();
});
anyTest.after.always(async () => {
  await w?.close();
});

const db = () => w.app.deps.db;
const storedEvents = async (connectionId: string) =>
  Number((await db()('webhook_events').where({ connection_id: connectionId }).count<{ count: string }[]>('* as count'))[0]!.count);
const textBody = (phoneNumberId: string, from = '5511987654321', text = 'Oi, tudo bem?') =>
  waEnvelope([{ changes: [{ value: waMessagesValue({ phoneNumberId, contacts: [{ waId: from, name: 'Maria' }], messages: [waText(from, text)] }) }] }]);

test('GET verification answers the challenge as text for the right verify token only', async (t) => {
  const ok = await w.app.api('GET', `/webhooks/whatsapp/${wa.id}?hub.mode=subscribe&hub.verify_token=${wa.verifyToken}&hub.challenge=1158201444`);
  t.is(ok.status, 200);
  t.is(ok.text, '1158201444');
  t.regex(String(ok.headers['content-type']), /^text\/plain/);

  const bad = await w.app.api('GET', `/webhooks/whatsapp/${wa.id}?hub.mode=subscribe&hub.verify_token=wrong-token&hub.challenge=1158201444`);
  t.is(bad.status, 403);
  t.is(bad.body.error.code, 'verify_token_mismatch');
  const noMode = await w.app.api('GET', `/webhooks/whatsapp/${wa.id}?hub.verify_token=${wa.verifyToken}&hub.challenge=1`);
  t.is(noMode.body.error.code, 'verify_token_mismatch');

  for (const path of [`/webhooks/whatsapp/${crypto.randomUUID()}`, '/webhooks/whatsapp/not-a-uuid', `/webhooks/instagram/${wa.id}`]) {
    const unknown = await w.app.api('GET', `${path}?hub.mode=subscribe&hub.verify_token=${wa.verifyToken}&hub.challenge=1`);
    t.is(unknown.status, 404, path);
    t.is(unknown.body.error.code, 'unknown_connection');
  }
});

test('a bad signature is refused with 401, stores nothing, counts on the connection, and audits once a minute', async (t) => {
  const before = await db()('connections').where({ id: wa.id }).first();
  const body = textBody(wa.externalId);
  for (let i = 0; i < 3; i++) {
    const res = await postWebhook(wa.webhookUrl, body, 'not-the-app-secret');
    t.is(res.status, 401);
    t.is(JSON.parse(res.text).error.code, 'invalid_signature');
  }
  t.is(await storedEvents(wa.id), 0);
  const after = await db()('connections').where({ id: wa.id }).first();
  t.is(after.signature_failures, before.signature_failures + 3);
  t.truthy(after.last_signature_failure_at);
  const audits = await db()('audit_log').where({ action: 'webhook.signature_invalid', subject_id: wa.id });
  t.is(audits.length, 1, 'a flood of bad signatures writes one audit row per minute');
});

test('a missing signature, or one over other bytes of the same JSON, is refused', async (t) => {
  const body = textBody(wa.externalId);
  const missing = await postWebhook(wa.webhookUrl, body, wa.appSecret, { signature: null });
  t.is(missing.status, 401);
  t.is(JSON.parse(missing.text).error.code, 'invalid_signature');

  // Meta signs its exact bytes: the same object re-serialised (other whitespace, key order) must not pass.
  const original = JSON.stringify(body);
  const reserialised = JSON.stringify(JSON.parse(original), null, 2);
  const reordered = JSON.stringify({ entry: (body as any).entry, object: (body as any).object });
  for (const raw of [reserialised, reordered]) {
    const res = await postWebhook(wa.webhookUrl, null, wa.appSecret, { raw, signature: signBody(original, wa.appSecret) });
    t.is(res.status, 401);
  }
  const garbage = await postWebhook(wa.webhookUrl, body, wa.appSecret, { signature: 'sha256=zz' });
  t.is(garbage.status, 401);
  t.is(await storedEvents(wa.id), 0);
});

test('a signed body that is not JSON gets 400 malformed_json; not a WhatsApp envelope gets 400 invalid_payload', async (t) => {
  const malformed = await postWebhook(wa.webhookUrl, null, wa.appSecret, { raw: '{"object":"whatsapp_business_account","entry":[' });
  t.is(malformed.status, 400);
  t.is(JSON.parse(malformed.text).error.code, 'malformed_json');
  const page = await postWebhook(wa.webhookUrl, { object: 'page', entry: [] }, wa.appSecret);
  t.is(page.status, 400);
  t.is(JSON.parse(page.text).error.code, 'invalid_payload');
  const noEntry = await postWebhook(wa.webhookUrl, { object: 'whatsapp_business_account' }, wa.appSecret);
  t.is(JSON.parse(noEntry.text).error.code, 'invalid_payload');
  t.is(await storedEvents(wa.id), 0);
});

test('a signed body for another phone number id is acknowledged (200) but not stored', async (t) => {
  const res = await postWebhook(wa.webhookUrl, textBody(newPhoneNumberId()), wa.appSecret);
  t.is(res.status, 200, 'anything else makes Meta retry for days and disable the webhook');
  t.deepEqual(JSON.parse(res.text), { received: true, stored: false, ignored: 'unknown_phone_number_id' });
  t.is(await storedEvents(wa.id), 0);
  const metrics = await w.app.api('GET', '/metrics');
  t.regex(metrics.text, /atendo_webhooks_total\{channel="whatsapp",outcome="ignored"\} 1/);
});

test('an oversize body is refused with 413 whether its length is declared or streamed, and nothing is stored', async (t) => {
  const big = textBody(wa.externalId, '5511987654321', 'x'.repeat(BODY_LIMIT));
  const declared = await postWebhook(wa.webhookUrl, big, wa.appSecret);
  t.is(declared.status, 413);
  t.is(JSON.parse(declared.text).error.code, 'body_too_large');

  // Chunked: no Content-Length, so the limit is enforced while reading.
  const raw = Buffer.from(JSON.stringify(big));
  const chunked = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = http.request(wa.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked', 'x-hub-signature-256': signBody(raw, wa.appSecret) },
    }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    for (let i = 0; i < raw.length; i += 8192) req.write(raw.subarray(i, i + 8192));
    req.end();
  });
  t.is(chunked.status, 413);
  t.is(JSON.parse(chunked.text).error.code, 'body_too_large');
  t.is(await storedEvents(wa.id), 0);
});

test('a valid POST is stored before the 200, and a batch of 2 entries with messages and statuses is processed whole', async (t) => {
  await w.app.startWorker();
  // Two messages the business sent from the WhatsApp Business app, so the batch has statuses to apply.
  const echoIds = [newWamid('5511911112222'), newWamid('5521933334444')];
  const echoes = waEnvelope([{
    changes: echoIds.map((id, i) => ({
      field: 'smb_message_echoes',
      value: waEchoValue({ phoneNumberId: wa.externalId, displayPhoneNumber: '15550783881', to: i ? '5521933334444' : '5511911112222', text: `Olá ${i}`, id }),
    })),
  }]);
  t.is((await postWebhook(wa.webhookUrl, echoes, wa.appSecret)).status, 200);
  await waitFor(async () => (await db()('messages').whereIn('provider_message_id', echoIds)).length === 2, 10_000, 'echoes');

  const customers = ['5511911112222', '5521933334444', '5531955556666'];
  const entry = (n: number) => ({
    changes: [{
      value: waMessagesValue({
        phoneNumberId: wa.externalId,
        contacts: customers.map((c) => ({ waId: c, name: `Cliente ${c.slice(-4)}` })),
        messages: customers.map((c) => waText(c, `mensagem ${n} de ${c.slice(-4)}`)),
        statuses: [waStatus({ id: echoIds[n]!, recipientId: customers[n]!, status: 'delivered' }), waStatus({ id: echoIds[n]!, recipientId: customers[n]!, status: 'read' })],
      }),
    }],
  });
  const batch = waEnvelope([entry(0), entry(1)]);
  const events = await storedEvents(wa.id);
  const res = await postWebhook(wa.webhookUrl, batch, wa.appSecret);
  t.is(res.status, 200);
  t.deepEqual(JSON.parse(res.text), { received: true });
  t.is(await storedEvents(wa.id), events + 1, 'one inbox row per POST, written before the answer');

  const inbound = await waitFor(async () => {
    const rows = await db()('messages').where({ connection_id: wa.id, direction: 'in' });
    return rows.length === 6 ? rows : null;
  }, 10_000, 'six inbound messages');
  t.true(inbound.every((m) => m.status === 'received' && m.origin === 'customer' && m.type === 'text'));
  const echoRows = await waitFor(async () => {
    const rows = await db()('messages').whereIn('provider_message_id', echoIds);
    return rows.every((m) => m.status === 'read') ? rows : null;
  }, 10_000, 'statuses applied');
  t.true(echoRows.every((m) => m.delivered_at && m.read_at));
  const event = await waitFor(() => db()('webhook_events').where({ connection_id: wa.id }).orderBy('id', 'desc').first()
    .then((e) => (e?.processed_at ? e : null)));
  t.is(event.last_error, null);
  t.is(Number((await db()('conversations').where({ connection_id: wa.id }).count<{ count: string }[]>('* as count'))[0]!.count), 3);
});
