/**
 * The bot runtime through the real stack: signed webhooks in, the worker's bot subscriber, Meta's
 * simulator out. Each flow is made, published and switched live through the API.
 */
import anyTest from 'ava';
import { flowOf, shownText, startBotWorld, type BotWorld } from './botSupport.js';
import { waitFor } from './inbound.js';
import { call } from './support.js';

const test = anyTest.serial;
let w: BotWorld;

anyTest.before(async () => { w = await startBotWorld(); });
anyTest.after.always(async () => { await w?.close(); });
// Flows of one test must not answer the next test's customers.
anyTest.afterEach.always(async () => { await w.app.deps.db('flows').update({ status: 'off' }); });

const menu = flowOf([
  { id: 'start', type: 'start', data: {} },
  { id: 'q', type: 'question', data: { text: 'Olá {{contato.nome}}! Como quer pagar?', answerType: 'option', options: [{ id: 'pix', title: 'Pix' }, { id: 'cartao', title: 'Cartão' }, { id: 'boleto', title: 'Boleto' }] } },
  { id: 'm_pix', type: 'message', data: { text: 'Chave Pix: loja@exemplo.com' } },
  { id: 'm_cartao', type: 'message', data: { text: 'Link do cartão: https://pay.example/x' } },
  { id: 'm_boleto', type: 'end', data: { text: 'Boleto enviado por e-mail.', resolve: false } },
  { id: 'fim', type: 'end', data: { text: 'Obrigado!', resolve: true } },
], ['start.next>q', 'q.pix>m_pix', 'q.cartao>m_cartao', 'q.boleto>m_boleto', 'm_pix.next>fim', 'm_cartao.next>fim']);

test('a 3-option question goes out as reply buttons; the tapped button routes to its edge and an end node resolves', async (t) => {
  await w.flow({ definition: menu });
  const c = w.customer();
  await c.say('oi');
  const [ask] = await c.waitFor(1);
  t.is(ask!.body.type, 'interactive');
  t.is(ask!.body.interactive.type, 'button');
  t.deepEqual(ask!.body.interactive.action.buttons.map((b: any) => b.reply.id), ['pix', 'cartao', 'boleto']);
  t.regex(shownText(ask!), /^Olá Cliente|^Olá /);
  await c.tap({ id: 'cartao', title: 'Cartão' });
  const all = await c.waitFor(3);
  t.deepEqual(all.slice(1).map(shownText), ['Link do cartão: https://pay.example/x', 'Obrigado!']);
  const [session] = await c.sessions();
  t.like(session, { status: 'ended', reason: 'completed' });
  await waitFor(async () => (await c.conversation()).status === 'resolved' || null, 10_000, 'resolved by the end node');
  const stored = await w.app.deps.db('messages').where({ conversation_id: (await c.conversation()).id, origin: 'bot' }).select('type');
  t.is(stored.length, 3, 'bot messages are stored in the thread as the bot\'s');
  // The thread reads in order: Meta stamps whole seconds, and the tap came some milliseconds after the menu in that second.
  const thread = await w.app.deps.db('messages').where({ conversation_id: (await c.conversation()).id }).orderBy([{ column: 'at' }, { column: 'id' }]).select('origin', 'type');
  t.deepEqual(thread.map((m) => `${m.origin}:${m.type}`), ['customer:text', 'bot:interactive', 'customer:interactive', 'bot:text', 'bot:text']);
});

test('an answer typed as the number, the number word or the title (without accents) is the option', async (t) => {
  await w.flow({ definition: menu });
  for (const [typed, expected] of [['2', 'Link do cartão'], ['dois', 'Link do cartão'], ['cartao', 'Link do cartão'], ['  PIX! ', 'Chave Pix']] as const) {
    const c = w.customer();
    await c.say('oi');
    await c.waitFor(1);
    await c.say(typed);
    const got = await c.waitFor(2, `an answer to "${typed}"`);
    t.true(shownText(got[1]!).startsWith(expected), `"${typed}" → ${shownText(got[1]!)}`);
  }
});

test('seven options go out as a list message and the list reply routes to the right edge', async (t) => {
  const options = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((id) => ({ id, title: `Opção ${id.toUpperCase()}` }));
  await w.flow({
    definition: flowOf([
      { id: 'start', type: 'start', data: {} },
      { id: 'm', type: 'message', data: { text: 'Escolha um setor', options, buttonLabel: 'Setores' } },
      ...options.map((o) => ({ id: `r_${o.id}`, type: 'end' as const, data: { text: `Você escolheu ${o.title}`, resolve: false } })),
    ], ['start.next>m', ...options.map((o) => `m.${o.id}>r_${o.id}`)]),
  });
  const c = w.customer();
  await c.say('bom dia');
  const [list] = await c.waitFor(1);
  t.is(list!.body.interactive.type, 'list');
  t.is(list!.body.interactive.action.button, 'Setores');
  t.is(list!.body.interactive.action.sections.flatMap((s: any) => s.rows).length, 7);
  await c.pick({ id: 'e', title: 'Opção E' });
  t.is(shownText((await c.waitFor(2))[1]!), 'Você escolheu Opção E');
});

test('typed answers: an invalid e-mail is asked again with the retry text, a valid one is saved and used in text; the budget spent takes the invalid edge', async (t) => {
  await w.flow({
    settings: { burstMs: 0 }, // every message here is an answer, however fast the test types
    definition: flowOf([
      { id: 'start', type: 'start', data: {} },
      { id: 'q', type: 'question', data: { text: 'Seu e-mail?', answerType: 'email', saveTo: { variable: 'email' }, retry: { max: 1, text: 'E-mail inválido, tente de novo.' } } },
      { id: 'ok', type: 'end', data: { text: 'Enviaremos para {{email}}.', resolve: false } },
      { id: 'bad', type: 'transfer', data: { text: 'Vou chamar um atendente.' } },
    ], ['start.next>q', 'q.next>ok', 'q.invalid>bad']),
  });
  const good = w.customer();
  await good.say('oi');
  await good.waitFor(1);
  await good.say('ana@');
  t.is(shownText((await good.waitFor(2))[1]!), 'E-mail inválido, tente de novo.');
  await good.say('Ana@Exemplo.com.br');
  t.regex(shownText((await good.waitFor(3))[2]!), /^Enviaremos para ana@exemplo\.com\.br\.$/i);
  t.like((await good.sessions())[0], { status: 'ended', reason: 'completed' });

  const bad = w.customer();
  await bad.say('oi');
  await bad.waitFor(1);
  await bad.say('não sei');
  await bad.waitFor(2);
  await bad.say('também não');
  t.is(shownText((await bad.waitFor(3))[2]!), 'Vou chamar um atendente.');
  t.like((await bad.sessions())[0], { status: 'handed_off', reason: 'transfer' });
  t.truthy((await bad.conversation()).human_since, 'the transfer node hands the conversation to people');
});

test('condition, tag and set-field nodes: a tag added by the flow is seen by a later condition, and a contact field is saved', async (t) => {
  await w.flow({
    definition: flowOf([
      { id: 'start', type: 'start', data: {} },
      { id: 'cpf', type: 'question', data: { text: 'Seu CPF?', answerType: 'cpf_cnpj', saveTo: { contactField: 'cpf' } } },
      { id: 'tag', type: 'tag', data: { add: ['vip'], remove: [] } },
      { id: 'set', type: 'set_field', data: { target: { variable: 'plano' }, value: 'ouro-{{contato.cpf}}' } },
      { id: 'cond', type: 'condition', data: { rules: [{ id: 'is_vip', all: [{ subject: 'tag', op: 'has', value: 'VIP' }, { subject: 'variable', name: 'plano', op: 'starts_with', value: 'ouro' }] }] } },
      { id: 'yes', type: 'end', data: { text: 'Cliente VIP {{plano}}', resolve: false } },
      { id: 'no', type: 'end', data: { text: 'Cliente comum', resolve: false } },
    ], ['start.next>cpf', 'cpf.next>tag', 'tag.next>set', 'set.next>cond', 'cond.is_vip>yes', 'cond.else>no']),
  });
  const c = w.customer();
  await c.say('oi');
  await c.waitFor(1);
  await c.say('529.982.247-25');
  t.is(shownText((await c.waitFor(2))[1]!), 'Cliente VIP ouro-52998224725');
  const contact = await w.app.deps.db('contacts').where({ external_id: c.phone }).first('tags', 'custom_fields');
  t.deepEqual(contact.tags, ['vip']);
  t.is(contact.custom_fields.cpf, '52998224725');
});

test('keyword triggers ignore case and accents ("Olá" = "ola"), priority picks among matches, and the exit keyword ends the session', async (t) => {
  const said = (text: string) => flowOf([{ id: 'start', type: 'start', data: {} }, { id: 'q', type: 'question', data: { text, answerType: 'text' } }, { id: 'e', type: 'end', data: { resolve: false } }], ['start.next>q', 'q.next>e']);
  await w.flow({ name: 'Saudação', trigger: { type: 'keyword', keywords: [{ match: 'equals', value: 'ola' }] }, definition: said('Oi! Em que posso ajudar?'), priority: 10 });
  await w.flow({ name: 'Pedido', trigger: { type: 'keyword', keywords: [{ match: 'contains', value: 'pedido' }] }, definition: said('Qual o número do pedido?'), priority: 20 });
  const c = w.customer();
  await c.say('Olá');
  t.is(shownText((await c.waitFor(1))[0]!), 'Oi! Em que posso ajudar?');
  await c.say('SAIR');
  await c.settled();
  t.like((await c.sessions())[0], { status: 'ended', reason: 'exit_keyword' });
  t.truthy((await c.conversation()).human_since, 'who leaves the bot goes to the people of the queue');

  const d = w.customer();
  await d.say('Quero ver meu PEDIDO');
  t.is(shownText((await d.waitFor(1))[0]!), 'Qual o número do pedido?');
  const e = w.customer();
  await e.say('qualquer coisa');
  await e.settled();
  t.is(e.received().length, 0, 'no trigger matched and there is no fallback flow: the bot stays quiet');
});

test('the fallback flow answers what no other trigger takes; a flow in test mode answers only its test phone', async (t) => {
  const say = (text: string) => flowOf([{ id: 'start', type: 'start', data: {} }, { id: 'e', type: 'end', data: { text, resolve: false } }], ['start.next>e']);
  const tester = w.customer();
  await w.flow({ name: 'Em teste', trigger: { type: 'no_human' }, definition: say('versão de teste'), priority: 1, status: 'test', testPhone: tester.phone });
  await w.flow({ name: 'Padrão', trigger: { type: 'none' }, isFallback: true, definition: say('fallback') });
  await tester.say('oi');
  t.is(shownText((await tester.waitFor(1))[0]!), 'versão de teste');
  const other = w.customer();
  await other.say('oi');
  t.is(shownText((await other.waitFor(1))[0]!), 'fallback');
});

test('a burst of 4 messages within a second makes one bot turn', async (t) => {
  await w.flow({ definition: menu });
  const c = w.customer();
  const now = Math.floor(Date.now() / 1000);
  await Promise.all(['oi', 'tudo bem?', 'quero pagar', 'uma conta'].map((text) => c.say(text, { timestamp: now })));
  await c.settled();
  t.is(c.received().length, 1, 'one menu, not four');
  const outcomes = await w.app.deps.db('bot_inputs').where({ conversation_id: (await c.conversation()).id }).pluck('outcome');
  t.deepEqual(outcomes.sort(), ['absorbed', 'absorbed', 'absorbed', 'turn']);
  // Within the burst a valid answer still counts (a fast tap or "2" is not swallowed)…
  await c.say('2');
  t.true(shownText((await c.waitFor(2))[1]!).startsWith('Link do cartão'));

  // …and past the burst window an invalid answer gets its retry text.
  const d = w.customer();
  await d.say('oi');
  await d.waitFor(1);
  w.app.clock.advance(2_500);
  await d.say('tudo bem?');
  t.regex(shownText((await d.waitFor(2))[1]!), /Não entendi/);
});

test('a published v2 does not move sessions running on v1: they finish on v1, new ones start on v2, and rollback brings v1 back', async (t) => {
  const v = (text: string) => flowOf([
    { id: 'start', type: 'start', data: {} },
    { id: 'q', type: 'question', data: { text: 'Seu nome?', answerType: 'text', saveTo: { variable: 'nome' } } },
    { id: 'e', type: 'end', data: { text, resolve: false } },
  ], ['start.next>q', 'q.next>e']);
  const id = await w.flow({ definition: v('v1: obrigado {{nome}}') });
  const early = [w.customer(), w.customer(), w.customer()];
  for (const c of early) await c.say('oi');
  for (const c of early) await c.waitFor(1);
  const api = (method: string, route: string, body?: unknown) => w.app.api(method, route, { cookie: w.adminCookie, body });
  t.is((await api('PATCH', `/api/flows/${id}`, { draft: v('v2: valeu {{nome}}') })).status, 200);
  t.is((await api('POST', `/api/flows/${id}/publish`)).status, 200);
  const late = w.customer();
  await late.say('oi');
  await late.waitFor(1);
  for (const c of early) await c.say('Ana');
  await late.say('Bia');
  for (const c of early) t.is(shownText((await c.waitFor(2))[1]!), 'v1: obrigado Ana');
  t.is(shownText((await late.waitFor(2))[1]!), 'v2: valeu Bia');

  const versions = (await api('GET', `/api/flows/${id}/versions`)).body.items;
  const v1 = versions.find((x: { version: number }) => x.version === 1);
  t.is((await api('POST', `/api/flows/${id}/rollback`, { versionId: v1.id })).status, 200);
  const after = w.customer();
  await after.say('oi');
  await after.waitFor(1);
  await after.say('Cris');
  t.is(shownText((await after.waitFor(2))[1]!), 'v1: obrigado Cris');
});

test('the loop guard ends a session that visits a node more than the limit, with its reason', async (t) => {
  await w.flow({
    settings: { maxNodeVisits: 3 },
    definition: flowOf([
      { id: 'start', type: 'start', data: {} },
      { id: 'a', type: 'message', data: { text: 'volta' } },
      { id: 'b', type: 'set_field', data: { target: { variable: 'x' }, value: '1' } },
    ], ['start.next>a', 'a.next>b', 'b.next>a']),
  });
  const c = w.customer();
  await c.say('oi');
  await c.settled();
  t.is(c.received().length, 3);
  t.like((await c.sessions())[0], { status: 'failed', reason: 'loop_guard' });
  t.truthy((await c.conversation()).human_since, 'a looping flow hands the conversation to people');
});

test('number, phone and date answers through the stack: invalid ones asked again, valid ones saved normalised; a message node sends its image', async (t) => {
  const png = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex'), Buffer.alloc(32, 7)]);
  const up = await call('POST', `${w.app.url}/api/uploads?filename=cardapio.png`, { raw: png, headers: { 'content-type': 'image/png', cookie: w.adminCookie } });
  t.is(up.status, 201, up.text);
  await w.flow({
    settings: { burstMs: 0 },
    definition: flowOf([
      { id: 'start', type: 'start', data: {} },
      { id: 'img', type: 'message', data: { text: 'Nosso cardápio', media: { uploadId: up.body.id, type: 'image' } } },
      { id: 'qtd', type: 'question', data: { text: 'Quantas pizzas?', answerType: 'number', saveTo: { variable: 'qtd' }, retry: { max: 2, text: 'Responda com um número.' } } },
      { id: 'tel', type: 'question', data: { text: 'Seu telefone?', answerType: 'phone', saveTo: { variable: 'tel' }, retry: { max: 2, text: 'Telefone inválido.' } } },
      { id: 'dia', type: 'question', data: { text: 'Para que dia?', answerType: 'date', saveTo: { variable: 'dia' }, retry: { max: 2, text: 'Data inválida.' } } },
      { id: 'fim', type: 'end', data: { text: '{{qtd}} | {{tel}} | {{dia}}', resolve: false } },
    ], ['start.next>img', 'img.next>qtd', 'qtd.next>tel', 'tel.next>dia', 'dia.next>fim']),
  });
  const c = w.customer();
  await c.say('oi');
  const [image, ask] = await c.waitFor(2);
  t.is(image!.body.type, 'image');
  t.is(image!.body.image.caption, 'Nosso cardápio');
  t.is(shownText(ask!), 'Quantas pizzas?');
  // A person takes a few seconds to type (five answers within 3 s of the bot would read as a bot).
  const answer = async (text: string, n: number) => { w.app.clock.advance(4_000); await c.say(text); return shownText((await c.waitFor(n))[n - 1]!); };
  t.is(await answer('duas', 3), 'Responda com um número.');
  t.is(await answer('2,5', 4), 'Seu telefone?');
  t.is(await answer('123', 5), 'Telefone inválido.');
  t.is(await answer('(11) 98765-4321', 6), 'Para que dia?');
  t.is(await answer('31/02/2027', 7), 'Data inválida.');
  t.is(await answer('25/12/2027', 8), '2.5 | 5511987654321 | 2027-12-25');
});
