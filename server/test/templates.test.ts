import anyTest from 'ava';
import crypto from 'node:crypto';
import { buildTemplateContent, renderTemplateText, templateSlots, withHeaderMediaId } from '../src/templates/templateParams.js';
import { call, PASSWORD } from './support.js';
import {
  conversationWith, messageRow, sendCallsTo, sleep, startOutboundWorld, waitFor, waitForStatus, whatsappConnection, type OutboundWorld,
} from './outboundSupport.js';

const test = anyTest.serial;
let w: OutboundWorld;
let connection: string;
let other: string;
let teamA: string;
let teamB: string;
let attendantA: string;
let attendantB: string;
const PHONE_ID = '3000000001';
const WABA = '103000000000001';
const OTHER_ID = '3000000002';
const OTHER_WABA = '103000000000002';
const APP_SECRET = 'app-secret-0123456789';

anyTest.before(async () => {
  w = await startOutboundWorld();
  teamA = (await w.app.api('POST', '/api/teams', { cookie: w.admin, body: { name: 'Vendas' } })).body.id;
  teamB = (await w.app.api('POST', '/api/teams', { cookie: w.admin, body: { name: 'Suporte' } })).body.id;
  connection = await whatsappConnection(w, PHONE_ID, { businessAccountId: WABA, displayPhoneNumber: '5511955550001', teamId: teamA });
  other = await whatsappConnection(w, OTHER_ID, { businessAccountId: OTHER_WABA, displayPhoneNumber: '5511955550002', teamId: teamB });
  w.sim.addWhatsAppNumber({ phoneNumberId: PHONE_ID, accessToken: `EAAG-token-${PHONE_ID}`, wabaId: WABA, displayPhoneNumber: '5511955550001' });
  w.sim.addWhatsAppNumber({ phoneNumberId: OTHER_ID, accessToken: `EAAG-token-${OTHER_ID}`, wabaId: OTHER_WABA, displayPhoneNumber: '5511955550002' });
  w.sim.seedTemplates(WABA);
  w.sim.seedTemplates(OTHER_WABA);
  w.sim.addTemplate({ wabaId: WABA, name: 'em_analise', language: 'pt_BR', status: 'PENDING', components: [{ type: 'BODY', text: 'Em análise {{1}}' }] });
  // More than one page of Meta's listing (the appliance reads 100 a page).
  for (let i = 0; i < 110; i++) w.sim.addTemplate({ wabaId: WABA, name: `aviso_${String(i).padStart(3, '0')}`, language: 'pt_BR', components: [{ type: 'BODY', text: `Aviso ${i}` }] });
  await w.app.addUser({ email: 'ana@loja.com.br', role: 'attendant', teamIds: [teamA], name: 'Ana' });
  await w.app.addUser({ email: 'bruno@loja.com.br', role: 'attendant', teamIds: [teamB], name: 'Bruno' });
  attendantA = (await w.app.login('ana@loja.com.br', PASSWORD)).cookie;
  attendantB = (await w.app.login('bruno@loja.com.br', PASSWORD)).cookie;
});
anyTest.after.always(async () => { await w?.close(); });

const webhookUrl = (id: string) => `${w.app.url}/webhooks/whatsapp/${id}`;
const templates = async (query = '', cookie = w.admin) => (await w.app.api('GET', `/api/templates${query}`, { cookie })).body.items as any[];
const templateId = async (name: string, conn = connection) => (await templates(`?connectionId=${conn}`)).find((t) => t.name === name)!.id as string;
const events = (type: string) => w.app.deps.db('domain_events').where({ type }).orderBy('id');

test('sync reads every page of the WABA\'s templates into message_templates, with slots, quality and the number\'s rating', async (t) => {
  t.is((await w.app.api('POST', '/api/templates/sync', { cookie: attendantA, body: { connectionId: connection } })).status, 403, 'attendants do not sync');
  const res = await w.app.api('POST', '/api/templates/sync', { cookie: w.admin, body: { connectionId: connection } });
  t.is(res.status, 200, res.text);
  t.like(res.body.results[0], { connectionId: connection, templates: 115, created: 115, changed: 0, deleted: 0, quality: 'GREEN' });
  const listings = w.sim.calls.filter((c) => c.path.endsWith(`/${WABA}/message_templates`));
  t.is(listings.length, 2, 'two pages');
  t.falsy(listings[0]!.query.after);
  t.truthy(listings[1]!.query.after, 'the second page asks after the first one\'s cursor');
  t.is((await w.app.deps.db('connections').where({ id: connection }).first()).quality_rating, 'GREEN');

  const all = await templates(`?connectionId=${connection}`);
  t.is(all.length, 115);
  const approved = await templates(`?connectionId=${connection}&status=APPROVED`);
  t.is(approved.length, 114);
  t.deepEqual((await templates(`?connectionId=${connection}&status=PENDING`)).map((x) => x.name), ['em_analise']);
  const promo = all.find((x) => x.name === 'promocao_mes');
  t.like(promo, { connectionId: connection, language: 'pt_BR', category: 'MARKETING', status: 'APPROVED', quality: 'UNKNOWN' });
  t.truthy(promo.syncedAt);
  t.deepEqual(promo.slots, [
    { key: 'header', component: 'header', index: 0, kind: 'image', example: 'https://example.com/promo.jpg' },
    { key: 'body.1', component: 'body', index: 1, kind: 'text', example: 'Maria' },
    { key: 'body.2', component: 'body', index: 2, kind: 'text', example: '15%' },
    { key: 'button.0', component: 'button', index: 0, kind: 'text', example: 'https://loja.example.com/ofertas/maio' },
  ]);
  t.is(promo.components.length, 3);
  t.is((await w.app.api('GET', '/api/templates?status=NOPE', { cookie: w.admin })).status, 400);
  // Attendants read templates (the composer's picker).
  t.is((await templates(`?connectionId=${connection}`, attendantA)).length, 115);

  // Synced again with nothing changed: no events. Then Meta deletes one and pauses another.
  const again = await w.app.api('POST', '/api/templates/sync', { cookie: w.admin, body: {} });
  t.is(again.body.results.length, 2, 'every WhatsApp connection with a WABA');
  t.is((await events('template.status_changed')).length, 0);
  w.sim.removeTemplate(WABA, 'aviso_109');
  w.sim.addTemplate({ wabaId: WABA, name: 'aviso_108', language: 'pt_BR', status: 'PAUSED', components: [{ type: 'BODY', text: 'Aviso 108' }] });
  const third = await w.app.api('POST', '/api/templates/sync', { cookie: w.admin, body: { connectionId: connection } });
  t.like(third.body.results[0], { templates: 114, created: 0, changed: 1, deleted: 1 });
  const gone = await w.app.deps.db('message_templates').where({ connection_id: connection, name: 'aviso_109' }).first();
  t.is(gone.status, 'DELETED', 'kept (campaigns may refer to it), marked DELETED');
  const changed = (await events('template.status_changed')).map((e) => ({ conversation: e.conversation_id, ...e.payload }));
  t.deepEqual(changed.map((e) => [e.status, e.conversation]).sort(), [['DELETED', null], ['PAUSED', null]]);
  t.is(changed.find((e) => e.status === 'PAUSED').templateId, await templateId('aviso_108'));
  t.is(changed[0].connectionId, connection);
});

test('a connection without its WABA id cannot sync (422); Meta refusing the listing is 502 template_sync_failed', async (t) => {
  const bare = await whatsappConnection(w, '3000000009');
  const res = await w.app.api('POST', '/api/templates/sync', { cookie: w.admin, body: { connectionId: bare } });
  t.is(res.status, 422);
  t.is(res.body.error.code, 'connection_without_waba');
  w.sim.failNext({ match: { path: /message_templates$/ }, status: 401, code: 190 });
  const refused = await w.app.api('POST', '/api/templates/sync', { cookie: w.admin, body: { connectionId: connection } });
  t.is(refused.status, 502);
  t.is(refused.body.error.code, 'template_sync_failed');
  t.is(refused.body.error.metaCode, 190);
  t.is((await w.app.api('POST', '/api/templates/sync', { cookie: w.admin, body: { connectionId: crypto.randomUUID() } })).status, 404);
  await w.app.api('DELETE', `/api/connections/${bare}`, { cookie: w.admin });
});

test('template status and quality webhooks update the stored template and record template.status_changed; number quality goes to the connection', async (t) => {
  const id = await templateId('pedido_pronto');
  const before = (await events('template.status_changed')).length;
  const posted = await w.sim.postTemplateStatus({ webhookUrl: webhookUrl(connection), appSecret: APP_SECRET, wabaId: WABA, name: 'pedido_pronto', language: 'pt_BR', status: 'PAUSED', reason: 'LOW_QUALITY' });
  t.is(posted.status, 200, posted.text);
  t.notRegex(posted.text, /ignored/, 'a WABA-level body is the connection\'s');
  await waitFor('the template paused', async () => (await w.app.deps.db('message_templates').where({ id }).first()).status === 'PAUSED');
  const recorded = (await events('template.status_changed')).slice(before);
  t.is(recorded.length, 1);
  t.is(recorded[0].conversation_id, null);
  t.like(recorded[0].payload, { type: 'template.status_changed', templateId: id, connectionId: connection, status: 'PAUSED' });

  // The same webhook delivered twice changes nothing more.
  await w.sim.postTemplateStatus({ webhookUrl: webhookUrl(connection), appSecret: APP_SECRET, wabaId: WABA, name: 'pedido_pronto', language: 'pt_BR', status: 'PAUSED' });
  await w.sim.postTemplateQuality({ webhookUrl: webhookUrl(connection), appSecret: APP_SECRET, wabaId: WABA, name: 'pedido_pronto', language: 'pt_BR', quality: 'RED' });
  await waitFor('the quality', async () => (await w.app.deps.db('message_templates').where({ id }).first()).quality === 'RED');
  t.is((await events('template.status_changed')).length, before + 1);

  // A signed body for another WABA is not this connection's.
  const foreign = await w.sim.postTemplateStatus({ webhookUrl: webhookUrl(connection), appSecret: APP_SECRET, wabaId: OTHER_WABA, name: 'pedido_pronto', language: 'pt_BR', status: 'DISABLED' });
  t.regex(foreign.text, /ignored/);
  t.is((await w.app.deps.db('message_templates').where({ connection_id: other, name: 'pedido_pronto' }).first()).status, 'APPROVED');
  // A bad signature is refused as for any webhook.
  const forged = await call('POST', webhookUrl(connection), { raw: Buffer.from(JSON.stringify({ object: 'whatsapp_business_account', entry: [] })), headers: { 'content-type': 'application/json', 'x-hub-signature-256': 'sha256=00' } });
  t.is(forged.status, 401);

  const qualityBefore = (await events('connection.quality_changed')).length;
  await w.sim.postPhoneQuality({ webhookUrl: webhookUrl(connection), appSecret: APP_SECRET, phoneNumberId: PHONE_ID, event: 'FLAGGED' });
  await waitFor('the number flagged', async () => (await w.app.deps.db('connections').where({ id: connection }).first()).quality_rating === 'RED');
  const q = (await events('connection.quality_changed')).slice(qualityBefore);
  t.is(q.length, 1);
  t.like(q[0].payload, { connectionId: connection, quality: 'RED' });
  t.is((await w.app.deps.db('connections').where({ id: other }).first()).quality_rating, 'GREEN', 'the other number is untouched');
  await w.sim.postPhoneQuality({ webhookUrl: webhookUrl(connection), appSecret: APP_SECRET, phoneNumberId: PHONE_ID, event: 'UPGRADE' });
  await w.sim.postPhoneQuality({ webhookUrl: webhookUrl(connection), appSecret: APP_SECRET, phoneNumberId: PHONE_ID, event: 'UNFLAGGED' });
  await waitFor('the number unflagged', async () => (await w.app.deps.db('connections').where({ id: connection }).first()).quality_rating === 'GREEN');
  t.is((await events('connection.quality_changed')).length, qualityBefore + 2, 'UPGRADE says nothing about quality');

  // Back to approved for the tests below.
  await w.sim.postTemplateStatus({ webhookUrl: webhookUrl(connection), appSecret: APP_SECRET, wabaId: WABA, name: 'pedido_pronto', language: 'pt_BR', status: 'APPROVED' });
  await waitFor('approved again', async () => (await w.app.deps.db('message_templates').where({ id }).first()).status === 'APPROVED');
});

test('templateSlots and buildTemplateContent: positional, named, media headers, URL and copy-code buttons; missing values named', (t) => {
  const promo = { name: 'promocao_mes', language: 'pt_BR', components: w.sim.templates(WABA).find((x) => x.name === 'promocao_mes')!.components };
  const values = { header: { link: 'https://cdn.loja.com/maio.jpg' }, 'body.1': 'Maria', 'body.2': '15%', 'button.0': 'maio' };
  t.deepEqual(buildTemplateContent(promo, values), {
    name: 'promocao_mes', language: 'pt_BR',
    components: [
      { type: 'header', parameters: [{ type: 'image', image: { link: 'https://cdn.loja.com/maio.jpg' } }] },
      { type: 'body', parameters: [{ type: 'text', text: 'Maria' }, { type: 'text', text: '15%' }] },
      { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'maio' }] },
    ],
  } as any);
  t.is(renderTemplateText(promo, values).body, 'Oi Maria! Neste mês, 15% de desconto em toda a loja.');
  t.is(renderTemplateText(promo, { 'body.1': 'Maria' }).body, 'Oi Maria! Neste mês, {{2}} de desconto em toda a loja.');
  const error = (fn: () => unknown) => { try { fn(); return null; } catch (e) { return e as any; } };
  const missing = error(() => buildTemplateContent(promo, { ...values, 'body.2': ' ' }));
  t.like(missing, { status: 422, code: 'template_params_invalid', details: { slot: 'body.2' } });
  t.is(missing.details.slot, 'body.2');
  t.regex(missing.message, /^body\.2: missing/);
  t.like(error(() => buildTemplateContent(promo, { ...values, header: 'texto' })), { code: 'template_params_invalid', details: { slot: 'header' } });
  t.like(error(() => buildTemplateContent(promo, { ...values, 'body.3': 'x' })), { details: { slot: 'body.3' } });
  t.like(error(() => buildTemplateContent(promo, { ...values, 'body.1': 'linha\noutra' })), { details: { slot: 'body.1' } });
  t.like(error(() => buildTemplateContent(promo, { ...values, header: { link: 'ftp://x' } })), { details: { slot: 'header' } });

  const uploadId = crypto.randomUUID();
  const uploaded = buildTemplateContent(promo, { ...values, header: { uploadId } });
  t.deepEqual(withHeaderMediaId(uploaded, 'MEDIA1').components![0], { type: 'header', parameters: [{ type: 'image', image: { id: 'MEDIA1' } }] } as any);

  const named = {
    name: 'boas_vindas', language: 'pt_BR', components: [
      { type: 'HEADER', format: 'TEXT', text: 'Olá {{nome}}', example: { header_text_named_params: [{ param_name: 'nome', example: 'Ana' }] } },
      { type: 'BODY', text: 'Seu código é {{codigo}}, {{nome}}.', example: { body_text_named_params: [{ param_name: 'codigo', example: '1234' }, { param_name: 'nome', example: 'Ana' }] } },
      { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Ok' }, { type: 'COPY_CODE', example: 'PROMO10' }] },
    ],
  };
  t.deepEqual(templateSlots(named).map((s) => [s.key, s.kind, s.name ?? null, s.example]), [
    ['header', 'text', 'nome', 'Ana'], ['body.codigo', 'text', 'codigo', '1234'], ['body.nome', 'text', 'nome', 'Ana'], ['button.1', 'text', null, 'PROMO10'],
  ]);
  t.deepEqual(buildTemplateContent(named, { header: 'Ana', 'body.codigo': '99', 'body.nome': 'Ana', 'button.1': 'PROMO10' }).components, [
    { type: 'header', parameters: [{ type: 'text', text: 'Ana', parameter_name: 'nome' }] },
    { type: 'body', parameters: [{ type: 'text', text: '99', parameter_name: 'codigo' }, { type: 'text', text: 'Ana', parameter_name: 'nome' }] },
    { type: 'button', sub_type: 'copy_code', index: '1', parameters: [{ type: 'coupon_code', coupon_code: 'PROMO10' }] },
  ] as any);
  const hello = w.sim.templates(WABA).find((x) => x.name === 'hello_world')!;
  t.deepEqual(templateSlots(hello), []);
  t.deepEqual(buildTemplateContent(hello, {}), { name: 'hello_world', language: 'en_US' });
});

test('the composer route sends a stored template with its parameters, outside the window; unapproved, paused or incomplete ones are refused', async (t) => {
  const conv = await conversationWith(w, connection, '5511911112222', 25 * 3_600_000);
  const send = (body: Record<string, unknown>, cookie = w.admin) => w.app.api('POST', `/api/conversations/${conv}/messages`, { cookie, body: { type: 'template', ...body } });
  const pedido = await templateId('pedido_pronto');

  const missing = await send({ templateId: pedido, params: { 'body.1': 'Maria' } });
  t.is(missing.status, 422);
  t.is(missing.body.error.code, 'template_params_invalid');
  t.regex(missing.body.error.message, /body\.2/);
  const pending = await send({ templateId: await templateId('em_analise'), params: { 'body.1': 'x' } });
  t.is(pending.status, 422);
  t.is(pending.body.error.code, 'template_not_approved');
  const paused = await send({ templateId: await templateId('aviso_108') });
  t.is(paused.body.error.code, 'template_not_approved');
  t.is(paused.body.error.status, 'PAUSED');
  const foreign = await send({ templateId: await templateId('pedido_pronto', other), params: { 'body.1': 'a', 'body.2': 'b' } });
  t.is(foreign.status, 404, 'another connection\'s template');
  t.is((await send({ templateId: 'nope' })).status, 400);
  t.is((await w.app.deps.db('messages').where({ conversation_id: conv })).length, 0, 'nothing was queued');

  const ok = await send({ templateId: pedido, params: { 'body.1': 'Maria', 'body.2': '#4521' }, clientId: 'tpl-1' });
  t.is(ok.status, 202, ok.text);
  t.is(ok.body.type, 'template');
  t.is(ok.body.body, 'Olá Maria, seu pedido #4521 está pronto para retirada.\n\nPadaria Pão Quente', 'what the customer reads is kept');
  await waitForStatus(w, ok.body.id, 'sent');
  t.deepEqual(sendCallsTo(w, '5511911112222')[0]!.body.template, {
    name: 'pedido_pronto', language: { code: 'pt_BR' },
    components: [{ type: 'body', parameters: [{ type: 'text', text: 'Maria' }, { type: 'text', text: '#4521' }] }],
  });
  const conversation = await w.app.deps.db('conversations').where({ id: conv }).first();
  t.regex(conversation.last_message_preview, /^Olá Maria/);
});

test('a media header from an upload goes to Meta as a media id; a template Meta changed since the sync fails with 132000, as a failed message', async (t) => {
  const conv = await conversationWith(w, connection, '5511933334444', 25 * 3_600_000);
  const png = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex'), crypto.randomBytes(64)]);
  const upload = await call('POST', `${w.app.url}/api/uploads?filename=maio.png`, { raw: png, headers: { 'content-type': 'image/png', cookie: w.admin } });
  t.is(upload.status, 201, upload.text);
  const promo = await templateId('promocao_mes');
  const res = await w.app.api('POST', `/api/conversations/${conv}/messages`, {
    cookie: w.admin, body: { type: 'template', templateId: promo, params: { header: { uploadId: upload.body.id }, 'body.1': 'Maria', 'body.2': '15%', 'button.0': 'maio' } },
  });
  t.is(res.status, 202, res.text);
  const sent = await waitForStatus(w, res.body.id, 'sent');
  t.truthy(sent.media_provider_id);
  const header = sendCallsTo(w, '5511933334444')[0]!.body.template.components[0];
  t.deepEqual(header, { type: 'header', parameters: [{ type: 'image', image: { id: sent.media_provider_id } }] });
  t.truthy(w.sim.calls.find((c) => c.path.endsWith(`/${PHONE_ID}/media`)), 'uploaded to Meta first');

  // Someone edited the template in WhatsApp Manager: Meta now wants three body parameters, we still know two.
  w.sim.addTemplate({ wabaId: WABA, name: 'pedido_pronto', language: 'pt_BR', category: 'UTILITY', components: [{ type: 'BODY', text: 'Olá {{1}}, pedido {{2}} pronto em {{3}}.' }] });
  const stale = await w.app.api('POST', `/api/conversations/${conv}/messages`, { cookie: w.admin, body: { type: 'template', templateId: await templateId('pedido_pronto'), params: { 'body.1': 'Maria', 'body.2': '#1' } } });
  t.is(stale.status, 202);
  const failed = await waitForStatus(w, stale.body.id, 'failed');
  t.is(failed.error_code, '132000');
  t.regex(failed.error_title ?? '', /Number of parameters does not match/);
  t.regex(failed.error_detail ?? '', /body: number of localizable_params \(2\) does not match the expected number of params \(3\)/);
  t.is((await messageRow(w, stale.body.id)).attempts, 1, 'not retried: the same request fails the same way');
  // The next sync learns the new shape.
  await w.app.api('POST', '/api/templates/sync', { cookie: w.admin, body: { connectionId: connection } });
  t.deepEqual((await templates(`?connectionId=${connection}`)).find((x) => x.name === 'pedido_pronto').slots.map((s: any) => s.key), ['body.1', 'body.2', 'body.3']);
});

test('start a conversation: phone normalised with the ninth digit, contact created, opened in the connection\'s team, assigned, template queued', async (t) => {
  const hello = await templateId('hello_world');
  const start = (body: Record<string, unknown>, cookie = attendantA) => w.app.api('POST', '/api/conversations', { cookie, body: { connectionId: connection, templateId: hello, ...body } });

  const bad = await start({ phone: '123' });
  t.is(bad.status, 422);
  t.is(bad.body.error.code, 'invalid_phone');
  t.is((await start({ phone: '+55 (00) 98765-4321' })).body.error.code, 'invalid_phone', 'no such DDD');
  t.is((await start({ phone: 'abc' })).body.error.code, 'invalid_phone');
  const pending = await start({ phone: '11 98765-4321', templateId: await templateId('em_analise'), params: { 'body.1': 'x' } });
  t.is(pending.status, 422);
  t.is(pending.body.error.code, 'template_not_approved');
  const noParams = await start({ phone: '11 98765-4321', templateId: await templateId('boleto_disponivel') });
  t.is(noParams.body.error.code, 'template_params_invalid');
  t.is(await w.app.deps.db('contacts').where({ connection_id: connection, match_key: '5511987654321' }).first(), undefined, 'nothing written for a refused start');

  // An old 8-digit mobile, typed with DDD only: +55 and the ninth digit come back.
  const res = await start({ phone: '(11) 8765-4321', clientId: 'start-1' });
  t.is(res.status, 201, res.text);
  t.like(res.body, { opened: true, status: 'open', teamId: teamA, connection: { id: connection, channel: 'whatsapp' }, contact: { externalId: '5511987654321' } });
  const ana = (await w.app.deps.db('users').where({ email: 'ana@loja.com.br' }).first()).id;
  t.is(res.body.assigneeId, ana);
  t.truthy(res.body.humanSince, 'a person holds it: no bot answers the reply');
  t.like(res.body.message, { type: 'template', origin: 'agent', status: 'queued' });
  await waitForStatus(w, res.body.message.id, 'sent');
  const calls = sendCallsTo(w, '5511987654321');
  t.is(calls.length, 1);
  t.like(calls[0]!.body, { to: '5511987654321', type: 'template', template: { name: 'hello_world', language: { code: 'en_US' } } });
  t.truthy(await w.app.deps.db('audit_log').where({ action: 'conversation.start', subject_id: res.body.id }).first());
  const assigned = await w.app.deps.db('domain_events').where({ type: 'conversation.assigned', conversation_id: res.body.id }).first();
  t.like(assigned.payload, { assigneeId: ana, teamId: teamA, byUserId: ana });
  // It is in Ana's inbox.
  const mine = await w.app.api('GET', '/api/conversations?queue=mine', { cookie: attendantA });
  t.true(mine.body.items.some((c: any) => c.id === res.body.id));

  // The customer wrote from the old 12-digit id: the same contact and conversation.
  t.is((await w.app.deps.db('contacts').where({ connection_id: connection, match_key: '5511987654321' })).length, 1);
  // Started again while it is open: the template goes into that conversation (200, opened false).
  const again = await start({ phone: '+55 11 98765-4321' });
  t.is(again.status, 200, again.text);
  t.is(again.body.id, res.body.id);
  t.false(again.body.opened);
});

test('who may start: admins anywhere and in any team; attendants only in their teams\' queues', async (t) => {
  const hello = await templateId('hello_world');
  const helloOther = await templateId('hello_world', other);
  const start = (body: Record<string, unknown>, cookie: string) => w.app.api('POST', '/api/conversations', { cookie, body: { templateId: hello, ...body } });

  const outside = await start({ connectionId: other, templateId: helloOther, phone: '21 99876-5432' }, attendantA);
  t.is(outside.status, 403, 'the other connection lands in Suporte, not Ana\'s team');
  t.is(outside.body.error.code, 'forbidden');
  t.is((await start({ connectionId: connection, phone: '21 99876-5432', teamId: teamB }, attendantA)).status, 403, 'nor by naming another team');
  const bruno = await start({ connectionId: connection, phone: '21 99876-5432', teamId: teamB }, attendantB);
  t.is(bruno.status, 201, 'Bruno starts on the shared number in his own team\'s queue');
  t.is(bruno.body.teamId, teamB);
  // Ana cannot see Bruno's conversation: starting with that customer again is a conflict, not a leak.
  const taken = await start({ connectionId: connection, phone: '+5521998765432' }, attendantA);
  t.is(taken.status, 409);
  t.is(taken.body.error.code, 'conversation_already_open');

  // The numbers a conversation can be started on: names, teams and quality, for every role, no secrets.
  const numbers = await w.app.api('GET', '/api/templates/connections', { cookie: attendantA });
  t.is(numbers.status, 200);
  t.like(numbers.body.items.find((c: any) => c.id === connection), { name: `Loja ${PHONE_ID.slice(-3)}`, displayPhoneNumber: '5511955550001', teamId: teamA });
  t.false(JSON.stringify(numbers.body).includes('token'));

  const admin = await start({ connectionId: other, templateId: helloOther, phone: '+1 415 555 0100' }, w.admin);
  t.is(admin.status, 201, admin.text);
  t.like(admin.body, { teamId: teamB, contact: { externalId: '14155550100' } });
  t.is((await start({ connectionId: crypto.randomUUID(), phone: '11 98765-0000' }, w.admin)).status, 404);
  t.is((await start({ connectionId: connection, phone: '11 98765-0000', teamId: crypto.randomUUID() }, w.admin)).status, 400);
  t.is((await w.app.api('POST', '/api/conversations', { cookie: w.admin, body: { connectionId: connection, phone: '11 98765-0000' } })).status, 400, 'templateId is required');
  await sleep(10);
});
