import anyTest from 'ava';
import { postWebhook, waEnvelope, waMessage, waMessagesValue } from '../../scripts/meta-simulator/webhooks.js';
import { audienceContacts, classifyAudience, exclusionReasonOf, hasConsent, isOptedOut, type AudienceFilter } from '../src/audiences/audienceQuery.js';
import { startBotWorld, type BotWorld } from './botSupport.js';
import { waitFor, type TestConnection } from './inbound.js';
import { PASSWORD, call } from './support.js';

/**
 * Audiences: each filter, the exclusion counts (opted out, invalid number, no consent, open
 * conversation), the opt-out ledger fed by customers' keywords and template buttons through signed
 * webhooks (accents, case, whole message only), the ledger's API, and consent with its legal basis.
 */
const test = anyTest.serial;
let w: BotWorld;
let crm: TestConnection;
let supervisor: string;
let attendant: string;

anyTest.before(async () => {
  w = await startBotWorld();
  crm = await w.addWhatsApp();
  await w.app.addUser({ email: 'sup@loja.com.br', role: 'supervisor' });
  await w.app.addUser({ email: 'att@loja.com.br', role: 'attendant' });
  supervisor = (await w.app.login('sup@loja.com.br', PASSWORD)).cookie;
  attendant = (await w.app.login('att@loja.com.br', PASSWORD)).cookie;
});
anyTest.after.always(async () => { await w?.close(); });

const db = () => w.app.deps.db;
const api = (method: string, route: string, body?: unknown, cookie = w.adminCookie) => w.app.api(method, `/api${route}`, { cookie, body });
const day = 86_400_000;

let seq = 0;
async function contact(o: { name: string; tags?: string[]; fields?: Record<string, string>; phone?: string; wroteDaysAgo?: number; open?: boolean; connectionId?: string }): Promise<string> {
  const phone = o.phone ?? `55489${String(10_000_000 + seq++).slice(-8)}`;
  const [row] = await db()('contacts').insert({
    connection_id: o.connectionId ?? crm.id, external_id: phone, match_key: phone, name: o.name, tags: o.tags ?? [], custom_fields: JSON.stringify(o.fields ?? {}),
  }).returning('id');
  if (o.wroteDaysAgo !== undefined || o.open) {
    const at = new Date(w.app.clock.now().getTime() - (o.wroteDaysAgo ?? 0) * day);
    await db()('conversations').insert({ connection_id: o.connectionId ?? crm.id, contact_id: row.id, status: o.open ? 'open' : 'resolved', last_inbound_at: o.wroteDaysAgo === undefined ? null : at, last_message_at: at, ...(o.open ? {} : { resolved_at: at }) });
  }
  return row.id;
}

const names = async (audience: AudienceFilter, connectionId = crm.id) =>
  (await db().from(audienceContacts(db(), connectionId, audience, w.app.clock.now()).as('a')).join('contacts as c', 'c.id', 'a.contact_id').select('c.name')).map((r) => r.name).sort();

test('each filter: tags any/all/none, custom fields, channel, last activity, open conversation', async (t) => {
  await contact({ name: 'Ana', tags: ['vip', 'atacado'], fields: { cidade: 'Campinas', plano: 'ouro' }, wroteDaysAgo: 2 });
  await contact({ name: 'Bia', tags: ['vip'], fields: { cidade: 'São Paulo' }, wroteDaysAgo: 40, open: true });
  await contact({ name: 'Caio', tags: ['atacado'], fields: { cidade: 'campinas', plano: '' } });
  await contact({ name: 'Duda', tags: [], fields: {}, wroteDaysAgo: 10 });

  t.deepEqual(await names({ kind: 'filter' }), ['Ana', 'Bia', 'Caio', 'Duda']);
  t.deepEqual(await names({ kind: 'filter', tags: { any: ['vip', 'atacado'] } }), ['Ana', 'Bia', 'Caio']);
  t.deepEqual(await names({ kind: 'filter', tags: { all: ['vip', 'atacado'] } }), ['Ana']);
  t.deepEqual(await names({ kind: 'filter', tags: { none: ['vip'] } }), ['Caio', 'Duda']);
  t.deepEqual(await names({ kind: 'filter', tags: { any: ['atacado'], none: ['vip'] } }), ['Caio']);
  t.deepEqual(await names({ kind: 'filter', fields: [{ name: 'cidade', op: 'equals', value: 'Campinas' }] }), ['Ana'], 'equals is exact');
  t.deepEqual(await names({ kind: 'filter', fields: [{ name: 'cidade', op: 'contains', value: 'CAMP' }] }), ['Ana', 'Caio'], 'contains ignores case');
  t.deepEqual(await names({ kind: 'filter', fields: [{ name: 'cidade', op: 'contains', value: '%' }] }), [], 'wildcards are literal');
  t.deepEqual(await names({ kind: 'filter', fields: [{ name: 'plano', op: 'is_set' }] }), ['Ana']);
  t.deepEqual(await names({ kind: 'filter', fields: [{ name: 'plano', op: 'is_empty' }] }), ['Bia', 'Caio', 'Duda'], 'an empty value is empty');
  t.deepEqual(await names({ kind: 'filter', channel: 'whatsapp' }), ['Ana', 'Bia', 'Caio', 'Duda']);
  t.deepEqual(await names({ kind: 'filter', channel: 'instagram' }), []);
  t.deepEqual(await names({ kind: 'filter', lastActivityDays: { within: 30 } }), ['Ana', 'Duda']);
  t.deepEqual(await names({ kind: 'filter', lastActivityDays: { notWithin: 7 } }), ['Bia', 'Caio', 'Duda'], 'never wrote counts as not within');
  t.deepEqual(await names({ kind: 'filter', lastActivityDays: { within: 30, notWithin: 7 } }), ['Duda']);
  t.deepEqual(await names({ kind: 'filter', openConversation: 'only' }), ['Bia']);
  t.deepEqual(await names({ kind: 'filter', openConversation: 'exclude' }), ['Ana', 'Caio', 'Duda']);
  t.deepEqual(await names({ kind: 'filter', tags: { any: ['vip'] } }, w.wa.id), [], 'another connection\'s contacts are not in it');

  // The same through the API, with the schema's normalisation and refusals.
  const res = await api('POST', '/audiences/classify', { connectionId: crm.id, audience: { kind: 'filter', tags: { any: [' VIP '] } }, requireConsent: false, excludeOpenConversations: false });
  t.is(res.status, 200, res.text);
  t.is(res.body.total, 2);
  for (const audience of [{ kind: 'filter', fields: [{ name: 'cidade', op: 'equals' }] }, { kind: 'filter', colour: 'red' }, { kind: 'import', importId: 'x' }, { kind: 'list' }]) {
    const bad = await api('POST', '/audiences/classify', { connectionId: crm.id, audience });
    t.is(bad.status, 400, JSON.stringify(audience));
    t.is(bad.body.error.code, 'validation_failed');
  }
  t.is((await api('POST', '/audiences/classify', { connectionId: crm.id, audience: { kind: 'filter' } }, attendant)).status, 403);
});

test('the filters are index-backed: tags by contacts_tags, custom fields by contacts_custom_fields', async (t) => {
  // A connection of 20,000 contacts where the ones asked for are few: the planner takes the indexes.
  await db().raw(
    `insert into contacts (connection_id, external_id, match_key, tags, custom_fields)
     select ?, '55479' || lpad(g::text, 8, '0'), '55479' || lpad(g::text, 8, '0'), '{bulk}', jsonb_build_object('cidade', 'Joinville', 'n', g::text)
     from generate_series(1, 20000) g`,
    [crm.id],
  );
  await db().raw('analyze contacts');
  await db().raw('analyze conversations');
  const plan = async (audience: AudienceFilter) => {
    const q = audienceContacts(db(), crm.id, audience, w.app.clock.now()).toSQL();
    return (await db().raw(`explain ${q.sql}`, q.bindings as any[])).rows.map((r: any) => r['QUERY PLAN']).join('\n');
  };
  t.regex(await plan({ kind: 'filter', tags: { any: ['vip'] } }), /contacts_tags/);
  t.regex(await plan({ kind: 'filter', tags: { all: ['vip', 'atacado'] } }), /contacts_tags/);
  t.regex(await plan({ kind: 'filter', fields: [{ name: 'cidade', op: 'equals', value: 'Campinas' }] }), /contacts_custom_fields/);
  // Few conversations wrote lately: the contacts come by their primary key, not a scan of all of them.
  t.notRegex(await plan({ kind: 'filter', lastActivityDays: { within: 5 } }), /Seq Scan on contacts/);
  await db()('contacts').where({ connection_id: crm.id }).whereRaw(`tags = '{bulk}'`).delete();
});

test('exclusions are counted once each, in order: opted out, invalid number, no consent, open conversation', async (t) => {
  const tag = ['exclusao'];
  const ok = await contact({ name: 'Elisa', tags: tag });
  const out = await contact({ name: 'Fábio', tags: tag });
  const bad = await contact({ name: 'Gil', tags: tag, phone: '12345' });
  const badBr = await contact({ name: 'Hugo', tags: tag, phone: '551198765' });
  const noConsent = await contact({ name: 'Iara', tags: tag });
  const open = await contact({ name: 'João', tags: tag, open: true });
  for (const id of [ok, out, bad, badBr, open]) {
    t.is((await api('POST', `/contacts/${id}/consent`, { connectionId: crm.id, legalBasis: 'consent', evidence: 'formulário do site' })).status, 201);
  }
  t.is((await api('POST', '/opt-outs', { connectionId: crm.id, contactId: out, detail: 'pediu por telefone' })).status, 201);

  const audience: AudienceFilter = { kind: 'filter', tags: { any: tag } };
  const all = await classifyAudience(db(), crm.id, audience, { requireConsent: true, excludeOpenConversations: true, now: w.app.clock.now() });
  t.like(all, { total: 6, willSend: 1, excluded: { opted_out: 1, invalid_number: 2, no_consent: 1, open_conversation: 1 } });
  t.deepEqual(all.sample.map((s) => s.name), ['Elisa']);
  t.deepEqual(all.excludedSample.map((s) => [s.name, s.reason]), [['Fábio', 'opted_out'], ['Gil', 'invalid_number'], ['Hugo', 'invalid_number'], ['Iara', 'no_consent'], ['João', 'open_conversation']]);
  const loose = await classifyAudience(db(), crm.id, audience, { requireConsent: false, excludeOpenConversations: false, now: w.app.clock.now() });
  t.like(loose, { total: 6, willSend: 3, excluded: { opted_out: 1, invalid_number: 2, no_consent: 0, open_conversation: 0 } });

  // Per contact, as the engine checks right before a send.
  const opts = { requireConsent: true, excludeOpenConversations: true };
  t.is(await exclusionReasonOf(db(), crm.id, ok, opts), null);
  t.is(await exclusionReasonOf(db(), crm.id, out, opts), 'opted_out');
  t.is(await exclusionReasonOf(db(), crm.id, noConsent, opts), 'no_consent');
  t.is(await exclusionReasonOf(db(), crm.id, open, opts), 'open_conversation');
  t.is(await exclusionReasonOf(db(), w.wa.id, ok, opts), 'invalid_number', 'not a contact of that connection');
  t.true(await isOptedOut(db(), crm.id, out));
  t.false(await isOptedOut(db(), crm.id, ok));
  t.true(await hasConsent(db(), crm.id, ok));
  t.false(await hasConsent(db(), crm.id, noConsent));

  // The API answers the same counts.
  const res = await api('POST', '/audiences/classify', { connectionId: crm.id, audience });
  t.like(res.body, { total: 6, willSend: 1, excluded: { opted_out: 1, invalid_number: 2, no_consent: 1, open_conversation: 1 } });
});

test('an import is an audience with its rows\' columns', async (t) => {
  const res = await w.app.api('POST', `/api/contacts/import?connectionId=${crm.id}&consentBasis=contract`, { cookie: w.adminCookie });
  t.is(res.status, 400, 'an empty body is not a CSV');
  const imported = await call('POST', `${w.app.url}/api/contacts/import?connectionId=${crm.id}&consentBasis=contract`, {
    raw: 'nome;telefone;boleto\nLia;11 95555-0001;R$ 10\nMel;11 95555-0002;R$ 20\nNão;abc;R$ 0\n', headers: { 'content-type': 'text/csv', cookie: w.adminCookie },
  });
  t.is(imported.status, 201, imported.text);
  const rows = await db().from(audienceContacts(db(), crm.id, { kind: 'import', importId: imported.body.id }, w.app.clock.now()).as('a')).orderBy('external_id');
  t.deepEqual(rows.map((r) => [r.external_id, r.columns]), [['5511955550001', { boleto: 'R$ 10' }], ['5511955550002', { boleto: 'R$ 20' }]]);
  t.deepEqual(await names({ kind: 'import', importId: imported.body.id }, w.wa.id), [], 'an import of another connection is empty');
  const c = await api('POST', '/audiences/classify', { connectionId: crm.id, audience: { kind: 'import', importId: Number(imported.body.id) } });
  t.like(c.body, { total: 2, willSend: 2 });
  t.deepEqual(c.body.sample.map((s: any) => s.columns.boleto), ['R$ 10', 'R$ 20']);
});

/** A customer of the bot world's connection writes through a signed webhook. */
async function customerSends(phone: string, message: object): Promise<void> {
  const res = await postWebhook(w.wa.webhookUrl, waEnvelope([{ changes: [{ value: waMessagesValue({ phoneNumberId: w.wa.externalId, messages: [message] }), field: 'messages' }] }]), w.wa.appSecret);
  if (res.status !== 200) throw new Error(`webhook ${res.status}`);
}
const optOutOfPhone = (phone: string) => db()('opt_outs as o').join('contacts as c', 'c.id', 'o.contact_id').where('c.external_id', phone).first('o.*');
const storedMessage = (phone: string, n: number) => waitFor(async () => {
  const rows = await db()('messages as m').join('conversations as v', 'v.id', 'm.conversation_id').join('contacts as c', 'c.id', 'v.contact_id').where('c.external_id', phone).select('m.id');
  return rows.length >= n ? rows : null;
}, 10_000, `${n} messages from ${phone}`);

test('opt-out by keyword: whole message, accents and case ignored; a sentence with the word is not one', async (t) => {
  const cases: Array<[string, boolean]> = [['Sáir', true], ['  PARAR! ', true], ['stop', true], ['Cancelar.', true], ['não quero sair daqui', false], ['parar de receber?', false], ['sairr', false]];
  const phones = cases.map((_, i) => `55119400000${String(i).padStart(2, '0')}`);
  for (const [i, [text]] of cases.entries()) await customerSends(phones[i]!, waMessage({ from: phones[i]!, type: 'text', body: { body: text } }));
  for (const p of phones) await storedMessage(p, 1);
  // The opt-out subscriber follows the same outbox as the bot; wait until the last message's event is past it.
  // Generous waits (they end as soon as it is): another file's open transaction on the shared PostgreSQL
  // holds the snapshot horizon back, and CI saw 10 s run out on a loaded machine.
  await waitFor(async () => (await optOutOfPhone(phones[3]!)) ?? null, 60_000, 'the last keyword opt-out');
  await waitFor(async () => {
    const cursor = await db()('event_cursors').where({ subscriber: 'opt_outs' }).first('last_id');
    const last = await db()('domain_events').where({ type: 'message.received' }).max('id as id').first();
    return cursor && last && Number(cursor.last_id) >= Number(last.id);
  }, 60_000, 'the subscriber to pass every event');
  for (const [i, [text, opted]] of cases.entries()) {
    const row = await optOutOfPhone(phones[i]!);
    t.is(!!row, opted, text);
    if (row) t.like(row, { source: 'keyword', connection_id: w.wa.id });
  }
  const sair = await optOutOfPhone(phones[0]!);
  t.is(sair.detail, 'Sáir');
  const msg = await db()('messages').where({ id: sair.message_id }).first();
  t.is(msg.body, 'Sáir', 'the message that did it is named');

  // Idempotent: saying it again keeps the first record.
  await customerSends(phones[0]!, waMessage({ from: phones[0]!, type: 'text', body: { body: 'SAIR' } }));
  await storedMessage(phones[0]!, 2);
  await waitFor(async () => {
    const cursor = await db()('event_cursors').where({ subscriber: 'opt_outs' }).first('last_id');
    const last = await db()('domain_events').where({ type: 'message.received' }).max('id as id').first();
    return cursor && last && Number(cursor.last_id) >= Number(last.id);
  }, 60_000, 'the subscriber to pass the repeat');
  const again = await db()('opt_outs as o').join('contacts as c', 'c.id', 'o.contact_id').where('c.external_id', phones[0]!).select('o.*');
  t.is(again.length, 1);
  t.is(again[0].detail, 'Sáir');
});

test('opt-out by a template button payload, and by a button whose text is a keyword', async (t) => {
  const a = '5511940000100';
  const b = '5511940000101';
  const c = '5511940000102';
  await customerSends(a, waMessage({ from: a, type: 'button', body: { payload: 'OPT_OUT', text: 'Não quero receber' } }));
  await customerSends(b, waMessage({ from: b, type: 'button', body: { payload: 'Parar promoções', text: 'Parar' } }));
  await customerSends(c, waMessage({ from: c, type: 'button', body: { payload: 'QUERO_OFERTA', text: 'Quero!' } }));
  const ra = await waitFor(() => optOutOfPhone(a), 10_000, 'button opt-out');
  t.like(ra, { source: 'button', detail: 'OPT_OUT' });
  const rb = await waitFor(() => optOutOfPhone(b), 10_000, 'button text opt-out');
  t.like(rb, { source: 'button', detail: 'Parar' });
  await storedMessage(c, 1);
  await waitFor(async () => {
    const cursor = await db()('event_cursors').where({ subscriber: 'opt_outs' }).first('last_id');
    const last = await db()('domain_events').where({ type: 'message.received' }).max('id as id').first();
    return cursor && last && Number(cursor.last_id) >= Number(last.id);
  }, 60_000, 'the subscriber to pass every event');
  t.falsy(await optOutOfPhone(c), 'another button is not an opt-out');

  // The opted-out customer is left out of an audience of the connection at once.
  const contactA = (await db()('contacts').where({ connection_id: w.wa.id, external_id: a }).first()).id;
  const r = await classifyAudience(db(), w.wa.id, { kind: 'filter' }, { requireConsent: false, excludeOpenConversations: false, now: w.app.clock.now() });
  t.true(r.excluded.opted_out >= 2);
  t.is(await exclusionReasonOf(db(), w.wa.id, contactA, { requireConsent: false, excludeOpenConversations: false }), 'opted_out');
});

test('the ledger API: list with name, phone, when and how; add by phone; remove (audited); roles', async (t) => {
  const list = await api('GET', `/opt-outs?connectionId=${w.wa.id}&limit=2`, undefined, supervisor);
  t.is(list.status, 200, list.text);
  t.is(list.body.items.length, 2);
  t.truthy(list.body.nextCursor);
  const first = list.body.items[0];
  t.like(first, { connectionId: w.wa.id, source: 'button' });
  t.truthy(first.contact.phone);
  t.truthy(first.at);
  const next = await api('GET', `/opt-outs?connectionId=${w.wa.id}&limit=2&cursor=${list.body.nextCursor}`, undefined, supervisor);
  t.false(next.body.items.some((i: any) => list.body.items.some((j: any) => j.id === i.id)), 'pages do not overlap');
  t.is((await api('GET', '/opt-outs?cursor=garbage')).body.error.code, 'invalid_cursor');

  // A number that never wrote is opted out too (a contact is made for it).
  const added = await api('POST', '/opt-outs', { connectionId: crm.id, phone: '(47) 9 8888-1234', detail: 'pediu por e-mail' }, supervisor);
  t.is(added.status, 201, added.text);
  t.like(added.body, { source: 'manual', detail: 'pediu por e-mail', contact: { phone: '5547988881234' } });
  t.truthy(added.body.recordedBy.id);
  const twice = await api('POST', '/opt-outs', { connectionId: crm.id, phone: '5547988881234' }, supervisor);
  t.is(twice.status, 200, 'already opted out: the first record stays');
  t.is(twice.body.id, added.body.id);
  t.is((await api('POST', '/opt-outs', { connectionId: crm.id, phone: '123' })).body.error.code, 'phone_invalid');
  t.is((await api('POST', '/opt-outs', { connectionId: crm.id })).body.error.code, 'validation_failed');
  t.is((await api('POST', '/opt-outs', { connectionId: crm.id, phone: '11988887777' }, attendant)).status, 403);
  t.is((await api('GET', '/opt-outs', undefined, attendant)).status, 403);

  const contactId = added.body.contact.id;
  t.is(await exclusionReasonOf(db(), crm.id, contactId, { requireConsent: false, excludeOpenConversations: false }), 'opted_out');
  t.is((await api('DELETE', `/opt-outs/${added.body.id}`, undefined, supervisor)).status, 204);
  t.is((await api('DELETE', `/opt-outs/${added.body.id}`, undefined, supervisor)).status, 404);
  t.is(await exclusionReasonOf(db(), crm.id, contactId, { requireConsent: false, excludeOpenConversations: false }), null, 'opted back in');
  const audit = await db()('audit_log').where({ subject_type: 'opt_out', subject_id: added.body.id }).orderBy('id');
  t.deepEqual(audit.map((a) => a.action), ['opt_out.create', 'opt_out.delete']);
  t.like(audit[1].detail, { contactId, source: 'manual', detail: 'pediu por e-mail' });
});

test('consent per contact: legal bases of LGPD art. 7, recorded, read, revoked (audited); admin only', async (t) => {
  const id = await contact({ name: 'Kátia' });
  const none = await api('GET', `/contacts/${id}/consent?connectionId=${crm.id}`);
  t.deepEqual(none.body, { consent: null });
  const made = await api('POST', `/contacts/${id}/consent`, { connectionId: crm.id, legalBasis: 'contract', evidence: 'contrato 123' });
  t.is(made.status, 201, made.text);
  t.like(made.body, { contactId: id, connectionId: crm.id, legalBasis: 'contract', source: 'manual', evidence: 'contrato 123' });
  t.true(await hasConsent(db(), crm.id, id));
  const changed = await api('POST', `/contacts/${id}/consent`, { connectionId: crm.id, legalBasis: 'consent' });
  t.like(changed.body, { legalBasis: 'consent', evidence: null });
  t.like((await api('GET', `/contacts/${id}/consent?connectionId=${crm.id}`)).body.consent, { legalBasis: 'consent' });
  for (const basis of ['legal_obligation', 'public_administration', 'research', 'legal_proceedings', 'vital_interest', 'health_protection', 'legitimate_interest', 'credit_protection']) {
    t.is((await api('POST', `/contacts/${id}/consent`, { connectionId: crm.id, legalBasis: basis })).status, 201, basis);
  }
  const bad = await api('POST', `/contacts/${id}/consent`, { connectionId: crm.id, legalBasis: 'marketing' });
  t.is(bad.status, 400);
  t.regex(bad.body.error.message, /^legalBasis/);
  t.is((await api('POST', `/contacts/${id}/consent`, { connectionId: w.wa.id, legalBasis: 'consent' })).body.error.code, 'contact_other_connection');
  t.is((await api('POST', `/contacts/${id}/consent`, { connectionId: crm.id, legalBasis: 'consent' }, supervisor)).status, 403);
  t.is((await api('DELETE', `/contacts/${id}/consent?connectionId=${crm.id}`)).status, 204);
  t.false(await hasConsent(db(), crm.id, id));
  t.is((await api('DELETE', `/contacts/${id}/consent?connectionId=${crm.id}`)).status, 404);
  const actions = (await db()('audit_log').where({ subject_id: id }).whereLike('action', 'consent.%').orderBy('id')).map((a) => a.action);
  t.is(actions.at(-1), 'consent.revoke');
  t.is(actions.filter((a) => a === 'consent.record').length, 10);
});
