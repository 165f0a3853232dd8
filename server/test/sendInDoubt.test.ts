/**
 * A send cut by a crash between Meta's accept and our record of it, settled by Meta's own status webhooks:
 * every WhatsApp send carries our message id as biz_opaque_callback_data, which Meta (here its simulator)
 * echoes in each status of that message. Through the real stack: a worker process killed at the failpoint
 * right after Meta answered, the simulator's signed status webhooks, ingest in a worker, the API.
 */
import anyTest from 'ava';
import { deliverMessage } from '../src/commands/deliverMessage.js';
import type { WorkerProcess } from '../src/processes/worker.js';
import { startCampaignWorld, type CampaignWorld } from './campaignSupport.js';
import { waitFor } from './inbound.js';

const test = anyTest.serial;
let w: CampaignWorld;
let worker: WorkerProcess | null = null;
const db = () => w.app.deps.db;

anyTest.before(async () => {
  w = await startCampaignWorld();
});
anyTest.afterEach.always(async () => {
  await worker?.stop();
  worker = null;
});
anyTest.after.always(async () => { await w?.close(); });

/** A worker process that dies (exit 137) the moment Meta has accepted its first send, before recording it. */
async function crashAfterMetaAccepts(trigger: () => Promise<void>, phone: string) {
  const child = w.spawnWorker({ ATENDO_FAILPOINT: 'send.after_meta' });
  await trigger();
  const code = await Promise.race([child.exited, new Promise((r) => setTimeout(() => r('alive'), 30_000))]);
  if (code !== 137) throw new Error(`the worker should have died at the failpoint (${String(code)}): ${child.output()}`);
  const sends = w.sim.sent.filter((s) => s.to === phone);
  if (sends.length !== 1) throw new Error(`one send at Meta expected, got ${sends.length}`);
  return sends[0]!;
}

const status = (messageId: string, s: 'sent' | 'delivered' | 'read') =>
  w.sim.postWhatsAppStatus({ webhookUrl: w.wa.webhookUrl, appSecret: w.wa.appSecret, messageId, status: s });

const sentEvents = async (messageId: string) =>
  Number((await db()('domain_events').where({ type: 'message.sent' }).whereRaw(`payload->>'messageId' = ?`, [messageId]).count<{ n: string }[]>('* as n'))[0]!.n);

test('a campaign send in doubt after a crash becomes sent, then delivered, with its wamid, once, when Meta\'s statuses name it', async (t) => {
  const { tag, phones } = await w.contacts(1);
  const id = await w.campaign(tag, { ratePerSecond: 5 });
  const atMeta = await crashAfterMetaAccepts(async () => {
    const r = await w.api('POST', `/api/campaigns/${id}/start`, {});
    if (r.status !== 200) throw new Error(r.text);
  }, phones[0]!);
  const rec = await db()('campaign_recipients').where({ campaign_id: id }).first();
  t.regex(atMeta.callbackData ?? '', new RegExp(`^atendo:m:${rec.message_id}$`), 'the send named our message');
  t.like(await db()('messages').where({ id: rec.message_id }).first(), { status: 'queued', provider_message_id: null, attempts: 1 });

  // The killed worker's lease runs out: the next worker's sweep finds the message and gives it up as in doubt.
  w.app.clock.advance(5 * 60_000);
  worker = await w.app.startWorker();
  await waitFor(async () => (await db()('campaign_recipients').where({ id: rec.id, status: 'failed', error_code: 'send_in_doubt' }).first()) ?? null, 20_000, 'the recipient in doubt');
  const doubt = await db()('messages').where({ id: rec.message_id }).first();
  t.like(doubt, { status: 'failed', error_code: 'send_in_doubt', provider_message_id: null });
  t.regex(doubt.error_detail, /status é atualizado/, 'the dashboard says a confirmation from Meta settles it');

  // Meta's statuses for the wamid we never stored, naming our message: the doubt is settled.
  t.is((await status(atMeta.id, 'sent')).status, 200);
  t.is((await status(atMeta.id, 'delivered')).status, 200);
  const delivered = await waitFor(async () => {
    const m = await db()('messages').where({ id: rec.message_id }).first();
    return m.status === 'delivered' ? m : null;
  }, 20_000, 'the message delivered');
  t.like(delivered, { provider_message_id: atMeta.id, error_code: null, error_title: null, failed_at: null });
  t.truthy(delivered.sent_at);
  t.truthy(delivered.delivered_at);
  const sentRec = await waitFor(async () => (await db()('campaign_recipients').where({ id: rec.id, status: 'sent' }).first()) ?? null, 20_000, 'the recipient sent');
  t.is(sentRec.error_code, null);
  t.truthy(sentRec.sent_at);
  await waitFor(async () => {
    const c = await w.get(id);
    return c.progress.sent === 1 && c.progress.failed === 0 ? c : null;
  }, 20_000, 'the campaign counts it sent');

  // Meta redelivers a status: nothing moves back and nothing is recorded twice.
  t.is((await status(atMeta.id, 'sent')).status, 200);
  // (A wake-up job the killed worker held may leave this one to the ingest sweeper: up to a sweep away.)
  await waitFor(async () => (await db()('webhook_events').whereNull('processed_at').first('id')) ? null : true, 90_000, 'ingest idle');
  t.is((await db()('messages').where({ id: rec.message_id }).first()).status, 'delivered');
  t.is(await sentEvents(rec.message_id), 1, 'message.sent recorded exactly once');
  t.is(w.sim.sent.filter((s) => s.to === phones[0]).length, 1, 'never sent again');
});

test('an attendant\'s send cut by a crash is settled by its status while still leased, and the sweeper never sends it again', async (t) => {
  const [phone] = (await w.contacts(1)).phones;
  // The customer writes first (the 24-hour window), ingested by the worker that will crash.
  const atMeta = await crashAfterMetaAccepts(async () => {
    await w.say(phone!, 'Oi, meu pedido chegou?');
    const conv = await waitFor(async () => (await db()('conversations as c').join('contacts as k', 'k.id', 'c.contact_id').where('k.external_id', phone).first('c.id')) ?? null, 20_000, 'the conversation');
    const r = await w.api('POST', `/api/conversations/${conv.id}/messages`, { type: 'text', text: 'Chegou sim!' });
    if (r.status !== 202) throw new Error(r.text);
  }, phone!);
  const id = atMeta.callbackData!.replace('atendo:m:', '');
  t.like(await db()('messages').where({ id }).first(), { status: 'queued', provider_message_id: null, origin: 'agent' });

  worker = await w.app.startWorker();
  t.is((await status(atMeta.id, 'delivered')).status, 200, 'a delivered status alone implies sent');
  const m = await waitFor(async () => {
    const row = await db()('messages').where({ id }).first();
    return row.status === 'delivered' ? row : null;
  }, 20_000, 'the message delivered');
  t.is(m.provider_message_id, atMeta.id);
  t.is(m.claimed_until, null);
  t.truthy(m.sent_at);

  // Past the dead worker's lease, the sweeper's job finds nothing left to send.
  w.app.clock.advance(5 * 60_000);
  t.is(await deliverMessage(w.app.deps, id), 'skipped');
  t.is(w.sim.sent.filter((s) => s.to === phone).length, 1, 'never sent again');
  t.is(await sentEvents(id), 1);
});

test('a status naming a message of ours that is already sent under another wamid changes nothing', async (t) => {
  worker = await w.app.startWorker();
  const [phone] = (await w.contacts(1)).phones;
  await w.say(phone!, 'Olá');
  const conv = await waitFor(async () => (await db()('conversations as c').join('contacts as k', 'k.id', 'c.contact_id').where('k.external_id', phone).first('c.id')) ?? null, 20_000, 'the conversation');
  const r = await w.api('POST', `/api/conversations/${conv.id}/messages`, { type: 'text', text: 'Bom dia!' });
  const sent = await waitFor(async () => {
    const row = await db()('messages').where({ id: r.body.id }).first();
    return row.status === 'sent' ? row : null;
  }, 20_000, 'sent');
  // Another send carrying the same callback data (as a duplicate would): its status must not take the message.
  const other = await fetch(`${w.sim.url}/v23.0/${w.wa.externalId}/messages`, {
    method: 'POST', headers: { authorization: `Bearer ${w.wa.accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ messaging_product: 'whatsapp', to: phone, type: 'text', text: { body: 'x' }, biz_opaque_callback_data: `atendo:m:${r.body.id}` }),
  });
  const otherId = ((await other.json()) as any).messages[0].id as string;
  t.is((await status(otherId, 'read')).status, 200);
  await waitFor(async () => (await db()('pending_statuses').where({ provider_message_id: otherId }).first()) ?? null, 20_000, 'kept pending');
  const after = await db()('messages').where({ id: r.body.id }).first();
  t.is(after.provider_message_id, sent.provider_message_id);
  t.is(after.status, 'sent');
});
