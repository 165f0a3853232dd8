/**
 * The flow's webhook node through the real stack: the worker calls a real HTTP server on loopback,
 * signed with HMAC-SHA256 over the raw body (X-Atendo-Signature, key from GET /api/bot/webhook-secret).
 * Sync calls map the JSON answer into variables; async calls carry a one-time callback URL that resumes
 * the flow, and the no-callback timeout is a due time moved with the test clock.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import anyTest from 'ava';
import { flowOf, shownText, startBotWorld, type BotWorld, type Customer } from './botSupport.js';
import { waitFor } from './inbound.js';
import { call } from './support.js';

const test = anyTest.serial;
let w: BotWorld;
let server: http.Server;
let base: string;
const db = () => w.app.deps.db;

interface Hit { path: string; headers: http.IncomingHttpHeaders; raw: string; body: any; res: http.ServerResponse }
const hits: Hit[] = [];

/** The automation on the other side: what each path answers. */
function handle(hit: Hit): void {
  const json = (status: number, body: unknown) => { hit.res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body)); };
  switch (hit.path) {
    case '/consulta': return json(200, { pedido: { status: 'enviado' }, variables: { prazo: '2 dias' } });
    case '/falha': return json(500, { error: 'boom' });
    case '/assinc': return json(202, { accepted: true });
    case '/lento': // never answers
    case '/segura': // answered by the test (release)
      return;
    default: json(404, {});
  }
}

const CANT = 'Não consegui consultar agora.';

anyTest.before(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = null;
      try { body = JSON.parse(raw); } catch { /* kept raw */ }
      const hit = { path: req.url ?? '', headers: req.headers, raw, body, res };
      hits.push(hit);
      handle(hit);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  w = await startBotWorld();

  const keyword = (value: string) => ({ type: 'keyword' as const, keywords: [{ match: 'equals' as const, value }] });
  const simple = (path: string, timeoutSeconds: number) => flowOf([
    { id: 'start', type: 'start', data: {} },
    { id: 'h', type: 'webhook', data: { url: `${base}${path}`, mode: 'sync', timeoutSeconds, map: [] } },
    { id: 'ok', type: 'end', data: { text: 'Consultado.', resolve: false } },
    { id: 'err', type: 'end', data: { text: CANT, resolve: false } },
  ], ['start.next>h', 'h.next>ok', 'h.error>err']);
  await w.flow({
    trigger: keyword('consulta'),
    definition: flowOf([
      { id: 'start', type: 'start', data: {} },
      { id: 'p', type: 'set_field', data: { target: { variable: 'pedido_id' }, value: '4321' } },
      { id: 'z', type: 'set_field', data: { target: { variable: 'prazo' }, value: 'indefinido' } },
      { id: 'h', type: 'webhook', data: { url: `${base}/consulta`, mode: 'sync', timeoutSeconds: 5, map: [{ path: 'pedido.status', variable: 'status' }] } },
      { id: 'ok', type: 'end', data: { text: 'Pedido {{pedido_id}}: {{status}}, chega em {{prazo}}.', resolve: false } },
      { id: 'err', type: 'end', data: { text: CANT, resolve: false } },
    ], ['start.next>p', 'p.next>z', 'z.next>h', 'h.next>ok', 'h.error>err']),
  });
  await w.flow({ trigger: keyword('lento'), definition: simple('/lento', 1) });
  await w.flow({ trigger: keyword('falha'), definition: simple('/falha', 5) });
  await w.flow({
    trigger: keyword('assinc'),
    definition: flowOf([
      { id: 'start', type: 'start', data: {} },
      { id: 'pr', type: 'set_field', data: { target: { variable: 'protocolo' }, value: '' } },
      { id: 'h', type: 'webhook', data: { url: `${base}/assinc`, mode: 'async', timeoutSeconds: 600, map: [] } },
      { id: 'm', type: 'message', data: { text: 'Protocolo {{protocolo}} aberto.' } },
      { id: 'q', type: 'question', data: { text: 'Quer consultar o andamento?', answerType: 'text' } },
      { id: 'h2', type: 'webhook', data: { url: `${base}/segura`, mode: 'sync', timeoutSeconds: 20, map: [] } },
      { id: 'done', type: 'end', data: { text: 'Consulta feita.', resolve: false } },
      { id: 'late', type: 'end', data: { text: 'Sem retorno do sistema.', resolve: false } },
      { id: 'err', type: 'end', data: { text: CANT, resolve: false } },
    ], ['start.next>pr', 'pr.next>h', 'h.next>m', 'h.timeout>late', 'h.error>err', 'm.next>q', 'q.next>h2', 'h2.next>done', 'h2.error>err']),
  });
});
anyTest.after.always(async () => {
  await w?.close();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
});

const hitsOf = (c: Customer, path: string) => hits.filter((h) => h.path === path && h.body?.contact?.phone === c.phone);
const hitOf = (c: Customer, path: string, n = 1) => waitFor(() => hitsOf(c, path)[n - 1], 15_000, `call ${n} to ${path}`);
const latest = async (c: Customer) => (await c.sessions())[0];
/** The callback URL names the public address; the test posts it to the appliance under test. */
const callback = (url: string, body: unknown) => call('POST', url.replace('http://atendo.test', w.app.url), { body });

test('sync: the call is signed over its raw body with the shown secret, carries conversation, contact and variables; the JSON answer fills the next message', async (t) => {
  const secret = await w.app.api('GET', '/api/bot/webhook-secret', { cookie: w.adminCookie });
  t.is(secret.status, 200);
  t.is(secret.body.header, 'x-atendo-signature');
  const c = w.customer();
  await c.say('consulta');
  const hit = await hitOf(c, '/consulta');
  const expected = `sha256=${crypto.createHmac('sha256', secret.body.secret).update(hit.raw).digest('hex')}`;
  t.is(hit.headers['x-atendo-signature'], expected, 'HMAC-SHA256 of the raw body with the secret');
  t.not(hit.headers['x-atendo-signature'], `sha256=${crypto.createHmac('sha256', 'outra-chave').update(hit.raw).digest('hex')}`);
  t.is(hit.headers['content-type'], 'application/json');
  const conv = await c.conversation();
  t.like(hit.body, {
    event: 'atendo.flow.webhook',
    conversation: { id: conv.id, channel: 'whatsapp', connectionId: w.wa.id },
    contact: { phone: c.phone },
    variables: { pedido_id: '4321', prazo: 'indefinido' },
  });
  t.is(hit.body.callbackUrl, undefined, 'a sync call has no callback');
  t.is(shownText((await c.waitFor(1))[0]!), 'Pedido 4321: enviado, chega em 2 dias.');
  t.like(await latest(c), { status: 'ended', reason: 'completed' });
  t.like((await latest(c))!.variables, { status: 'enviado', prazo: '2 dias', pedido_id: '4321' });
});

test('sync: a server slower than timeoutSeconds takes the error edge; so does a 500', async (t) => {
  const slow = w.customer();
  await slow.say('lento');
  await hitOf(slow, '/lento');
  t.is(shownText((await slow.waitFor(1, 'the error edge after the timeout'))[0]!), CANT);
  t.like(await latest(slow), { status: 'ended', reason: 'completed', node_id: 'err' });

  const failing = w.customer();
  await failing.say('falha');
  await hitOf(failing, '/falha');
  t.is(shownText((await failing.waitFor(1, 'the error edge after a 500'))[0]!), CANT);
  t.like(await latest(failing), { status: 'ended', node_id: 'err' });
});

test('async: the call carries a callback URL; posting variables to it resumes the flow with them, once', async (t) => {
  const c = w.customer();
  await c.say('assinc');
  const hit = await hitOf(c, '/assinc');
  t.regex(hit.body.callbackUrl, /^http:\/\/atendo\.test\/api\/bot\/callbacks\/[A-Za-z0-9_-]{43}$/);
  await waitFor(async () => (await latest(c))?.status === 'waiting_callback' || null, 10_000, 'waiting for the callback');
  t.is(c.received().length, 0);

  const first = await callback(hit.body.callbackUrl, { variables: { protocolo: 'A-77' } });
  t.is(first.status, 200, first.text);
  // Two messages of one step: the send worker may hand them to Meta in either order.
  const resumed = (await c.waitFor(2, 'the flow resumed')).map(shownText).sort();
  t.deepEqual(resumed, ['Protocolo A-77 aberto.', 'Quer consultar o andamento?']);

  const again = await callback(hit.body.callbackUrl, { variables: { protocolo: 'B-88' } });
  t.is(again.status, 404, 'the token works once');
  t.is(again.body.error?.code, 'not_found');

  // The flow now waits on another (sync) webhook: the old token must not move it either.
  await c.say('sim');
  const held = await hitOf(c, '/segura');
  t.is(held.body.callbackUrl, undefined);
  const meanwhile = await callback(hit.body.callbackUrl, { variables: { protocolo: 'C-99' } });
  t.is(meanwhile.status, 404, 'a used token stays dead while the session waits on a later webhook');
  held.res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  t.is(shownText((await c.waitFor(3, 'the second webhook answered'))[2]!), 'Consulta feita.');
  t.like(await latest(c), { status: 'ended', reason: 'completed' });
  t.is((await latest(c))!.variables.protocolo, 'A-77');
  t.is((await db()('bot_sessions').where({ id: (await latest(c))!.id }).first('callback_token_hash')).callback_token_hash, null);
});

test('async: with no callback, the timeout edge fires after timeoutSeconds of the clock', async (t) => {
  const c = w.customer();
  await c.say('assinc');
  await hitOf(c, '/assinc');
  const s = await waitFor(async () => { const x = await latest(c); return x?.status === 'waiting_callback' ? x : null; }, 10_000, 'waiting for the callback');
  const left = s.due_at!.getTime() - w.app.clock.now().getTime();
  t.true(left > 590_000 && left <= 600_000, `due in timeoutSeconds (${left} ms)`);
  w.app.clock.advance(left - 30_000);
  // Not yet: nothing is due at this time, so nothing can fire.
  await waitFor(async () => !(await db()('bot_sessions').where('due_at', '<=', w.app.clock.now()).first('id')) || null, 10_000, 'no timer due');
  t.is(c.received().length, 0);
  t.is((await latest(c))!.status, 'waiting_callback');
  w.app.clock.advance(31_000);
  t.is(shownText((await c.waitFor(1, 'the timeout edge'))[0]!), 'Sem retorno do sistema.');
  t.like(await latest(c), { status: 'ended', node_id: 'late', due_at: null });
  const late = await callback(hitsOf(c, '/assinc')[0]!.body.callbackUrl, { variables: { protocolo: 'tarde' } });
  t.is(late.status, 404, 'a callback after the timeout finds nothing');
});

test('a garbage or unknown callback token answers 400/404 with a stable code, and needs no login', async (t) => {
  const garbage = await call('POST', `${w.app.url}/api/bot/callbacks/nao-e-um-token`, { body: { variables: {} } });
  t.is(garbage.status, 400);
  t.is(garbage.body.error?.code, 'validation_failed');
  const unknown = await call('POST', `${w.app.url}/api/bot/callbacks/${crypto.randomBytes(32).toString('base64url')}`, { body: { variables: {} } });
  t.is(unknown.status, 404);
  t.is(unknown.body.error?.code, 'not_found');
});
