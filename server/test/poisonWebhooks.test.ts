/**
 * Signed webhooks whose values are absurd or hostile (found by fuzzing): each odd message is cleaned,
 * bounded or set aside on its own, and never takes its neighbours, the inbox or the batch path with it.
 */
import anyTest from 'ava';
import { newWamid, postWebhook, waEnvelope, waMessage, waMessagesValue, waStatus, waText } from '../../scripts/meta-simulator/webhooks.js';
import type { WorkerProcess } from '../src/processes/worker.js';
import { startInboundWorld, waitFor, type InboundWorld, type TestConnection } from './inbound.js';

const test = anyTest.serial;
let w: InboundWorld;
let wa: TestConnection;
let worker: WorkerProcess;

anyTest.before(async () => {
  w = await startInboundWorld();
  const team = (await w.app.api('POST', '/api/teams', { cookie: w.adminCookie, body: { name: 'Vendas' } })).body.id;
  wa = await w.addWhatsApp({ teamId: team });
  worker = await w.app.startWorker();
});
anyTest.after.always(async () => { await w?.close(); });

const db = () => w.app.deps.db;
const phone = () => `55119${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
const value = (messages: object[], statuses: object[] = []) =>
  waMessagesValue({ phoneNumberId: wa.externalId, contacts: [], messages, statuses } as never);
const bodyOf = (v: object) => JSON.stringify(waEnvelope([{ changes: [{ value: v, field: 'messages' }] }]));
const post = async (raw: string) => {
  const res = await postWebhook(wa.webhookUrl, null, wa.appSecret, { raw });
  if (res.status !== 200) throw new Error(`webhook ${res.status} ${res.text}`);
};
const eventDone = () => waitFor(async () => !(await db()('webhook_events').whereNull('processed_at').first()), 15_000, 'events processed');
const stored = (id: string) => db()('messages').where({ provider_message_id: id }).first();

test('one body with a normal message beside every kind of poison: the normal one, the status and the cleaned ones are stored; only what cannot be stored is set aside, with its reason, on the health view', async (t) => {
  const from = phone();
  const ids = { normal: newWamid(from), nul: newWamid(from), surrogate: newWamid(from), deep: newWamid(from), longId: `wamid.${'A'.repeat(4000)}`, longFrom: newWamid(from) };
  // A status for a message not stored yet is kept pending: it must not be lost with the body either.
  const echoId = newWamid(from);
  const messages = [
    waText(from, 'Oi, quero fazer um pedido', { id: ids.normal }),
    waText(from, 'C:\\\u0000', { id: ids.nul }), // an escaped backslash, then NUL
    waText(from, 'praça \ud83d', { id: ids.surrogate }), // half an emoji
    waMessage({ from, id: ids.deep, type: 'location', body: { latitude: -23.5, longitude: -46.6, name: 'Loja', extra: 'DEEP' } }),
    waText(from, 'id enorme', { id: ids.longId }),
    waText(`${'9'.repeat(4000)}`, 'wa_id enorme', { id: ids.longFrom }),
  ];
  // 5,000 levels of nesting inside the location, written by hand so no serialiser on our side chokes first.
  const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
  const raw = bodyOf(value(messages, [waStatus({ id: echoId, recipientId: from, status: 'delivered' })])).replace('"DEEP"', deep);
  await post(raw);
  await eventDone();

  const event = await db()('webhook_events').where({ connection_id: wa.id }).orderBy('id', 'desc').first();
  t.is(event.last_error, null, 'the body as a whole was processed');
  t.is(event.attempts, 0, 'and never retried');

  t.is((await stored(ids.normal))?.body, 'Oi, quero fazer um pedido');
  t.is((await stored(ids.nul))?.body, 'C:\\', 'NUL removed, the backslash kept');
  t.is((await stored(ids.surrogate))?.body, 'praça \ufffd', 'the unpaired surrogate replaced');
  const location = await stored(ids.deep);
  t.is(location?.body, 'Loja');
  t.is(location?.payload.latitude, -23.5);
  t.true(JSON.stringify(location?.payload.extra).length < 400, 'the absurd nesting is cut');
  t.truthy(await db()('pending_statuses').where({ provider_message_id: echoId }).first(), 'the status of the same body was kept');
  t.falsy(await db()('messages').where('provider_message_id', 'like', 'wamid.AAAA%').first());

  const health = await w.app.api('GET', `/api/connections/${wa.id}/health`, { cookie: w.adminCookie });
  t.is(health.status, 200);
  t.is(health.body.setAsideLastDay, 2);
  const reasons = health.body.setAsideLatest.map((x: { reason: string }) => x.reason.split(':')[0]).sort();
  t.deepEqual(reasons, ['customer_id_too_long', 'provider_id_too_long']);
  t.true(health.body.setAsideLatest.every((x: { providerId: string }) => x.providerId.length <= 256));
});

test('absurd provider timestamps are replaced by the receive time and recorded; the inbox keeps answering and is not pinned', async (t) => {
  const [absurd, future] = [phone(), phone()];
  const before = Date.now();
  await post(bodyOf(value([waText(absurd, 'ano 275760', { id: 'wamid.absurd' })])).replace(/"timestamp":"\d+"/, '"timestamp":"8640000000000"'));
  await post(bodyOf(value([waText(future, 'ano 5138', { id: 'wamid.future' })])).replace(/"timestamp":"\d+"/, '"timestamp":"99999999999"'));
  await eventDone();
  const later = phone();
  // Meta's times are whole seconds: a few seconds on, so the order does not hang on a rounding.
  await post(bodyOf(value([waText(later, 'uma mensagem de agora', { timestamp: Math.floor(Date.now() / 1000) + 5 })])));
  await eventDone();

  for (const id of ['wamid.absurd', 'wamid.future']) {
    const m = await stored(id);
    t.true(Math.abs(m.at.getTime() - before) < 60_000, `${id} is dated when it arrived`);
    t.is(m.payload.timestamp_replaced.reason, 'far_future');
  }
  const list = await w.app.api('GET', '/api/conversations?queue=all', { cookie: w.adminCookie });
  t.is(list.status, 200);
  const names = list.body.items.map((c: { contact: { externalId: string } }) => c.contact.externalId);
  t.true(names.indexOf(later) < names.indexOf(absurd), 'a newer conversation sorts above the one with the absurd date');
  const conversation = await db()('conversations').join('contacts', 'contacts.id', 'conversations.contact_id').where('contacts.external_id', absurd).first('conversations.id');
  const one = await w.app.api('GET', `/api/conversations/${conversation.id}`, { cookie: w.adminCookie });
  t.is(one.status, 200);
  t.truthy(one.body.serviceWindowEndsAt, 'the 24-hour window runs from the receive time');
});

test('a value PostgreSQL itself refuses sets aside that one message; the rest of its body and of the batch is stored at once', async (t) => {
  // The database refuses one body with a data exception (SQLSTATE 22023), as it refuses an index row too large.
  await db().raw(`create function refuse_poison() returns trigger language plpgsql as $$
    begin if new.body = 'recusada pelo banco' then raise exception 'value refused' using errcode = '22023'; end if; return new; end $$`);
  await db().raw(`create trigger refuse_poison before insert on messages for each row execute function refuse_poison()`);
  try {
    await worker.stop();
    const from = phone();
    const [good, poison] = [newWamid(from), newWamid(from)];
    await post(bodyOf(value([waText(from, 'primeira', { id: good }), waText(from, 'recusada pelo banco', { id: poison })])));
    const others = Array.from({ length: 8 }, () => ({ from: phone(), id: '' }));
    for (const o of others) {
      o.id = newWamid(o.from);
      await post(bodyOf(value([waText(o.from, 'outra conversa', { id: o.id })])));
    }
    worker = await w.app.startWorker();
    await eventDone();

    t.truthy(await stored(good), 'its neighbour in the same body is stored');
    t.falsy(await stored(poison));
    for (const o of others) t.truthy(await stored(o.id), 'every other event of the batch is stored');
    const events = await db()('webhook_events').where({ connection_id: wa.id }).orderBy('id', 'desc').limit(9);
    t.true(events.every((e) => e.attempts === 0 && e.last_error === null), 'nothing left to retry: the poison costs one pass, not 17 minutes of them');
    const health = await w.app.api('GET', `/api/connections/${wa.id}/health`, { cookie: w.adminCookie });
    const latest = health.body.setAsideLatest[0];
    t.is(latest.providerId, poison);
    t.regex(latest.reason, /value refused/);
  } finally {
    await db().raw('drop trigger if exists refuse_poison on messages');
    await db().raw('drop function if exists refuse_poison()');
  }
});
