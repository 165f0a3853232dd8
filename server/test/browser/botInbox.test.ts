/**
 * The inbox shows which conversations a bot is handling (issue #12 §2), in the real dashboard: a live
 * flow made through the API, a customer who writes through Meta's signed webhooks, the worker's bot
 * answering through the simulator, and Ana (attendant, Vendas) watching the "Robô" queue.
 */
import anyTest from 'ava';
import type { Browser, Page } from 'playwright-core';
import { postWebhook, waButtonReply, waEnvelope, waMessagesValue } from '../../../scripts/meta-simulator/webhooks.js';
import { flowOf } from '../botSupport.js';
import { waitFor } from '../outboundSupport.js';
import {
  item, loggedIn, loginThroughForm, markNoReload, openContext, messageWithText, newCustomer, reportErrors, screenshot, useBrowserWorld, waitForText, wasNotReloaded,
  type BrowserWorld, type Session,
} from './support.js';

const test = anyTest.serial;
let w: BrowserWorld;
let browser: Browser;
/** The first test's conversation (taken over, then handed back: no bot session now). */
let firstId = '';

useBrowserWorld(anyTest, (world, b) => { w = world; browser = b; });

const flow = flowOf([
  { id: 'start', type: 'start', data: {} },
  {
    id: 'menu', type: 'question',
    data: { text: 'Olá! Sou o assistente da Loja. Como posso ajudar?', answerType: 'option', options: [{ id: 'pedido', title: 'Acompanhar pedido' }, { id: 'troca', title: 'Trocar produto' }] },
  },
  { id: 'status', type: 'message', data: { text: 'Seu pedido #4521 saiu para entrega e chega hoje até 18h.' } },
  { id: 'mais', type: 'question', data: { text: 'Posso ajudar em algo mais?', answerType: 'option', options: [{ id: 'sim', title: 'Sim' }, { id: 'nao', title: 'Não, obrigado' }] } },
  { id: 'troca_fim', type: 'transfer', data: { text: 'Vou chamar uma pessoa da equipe.' } },
  { id: 'fim', type: 'end', data: { text: 'Até logo!', resolve: false } },
], ['start.next>menu', 'menu.pedido>status', 'menu.troca>troca_fim', 'status.next>mais', 'mais.sim>menu', 'mais.nao>fim']);

/** Creates, publishes and switches the flow live through the API, as an admin would in Fluxos. */
async function liveFlow(): Promise<string> {
  const api = (method: string, route: string, body?: unknown) => w.api(method, route, { cookie: w.admin, body });
  const created = await api('POST', '/api/flows', { name: 'Atendimento inicial', trigger: { type: 'no_human' }, draft: flow });
  if (created.status !== 201) throw new Error(`flow: ${created.status} ${created.text}`);
  const published = await api('POST', `/api/flows/${created.body.id}/publish`);
  if (published.status !== 200 && published.status !== 201) throw new Error(`publish: ${published.status} ${published.text}`);
  const live = await api('POST', `/api/flows/${created.body.id}/status`, { status: 'live' });
  if (live.status !== 200) throw new Error(`status: ${live.status} ${live.text}`);
  return created.body.id;
}

const db = () => w.app.deps.db;
const botMessages = (conversationId: string) => db()('messages').where({ conversation_id: conversationId, origin: 'bot' }).orderBy('at').select('id', 'provider_message_id', 'status', 'body');
const countText = async (page: Page, queue: string) => (await page.locator(`[data-testid=queue-${queue}] .count`).textContent())?.trim();

test('a bot conversation: in the Robô queue with its badge, the bot\'s menu and replies live as Robô\'s, then "Assumir" silences the bot', async (t) => {
  let ana: Session | undefined;
  try {
    await liveFlow();
    ana = await loggedIn(browser, w, w.people.ana);
    const { page } = ana;
    await page.locator('[data-testid=queue-bot]').click();
    await page.waitForURL(/queue=bot/);
    t.is(await page.locator('[data-testid=queue-bot] .queue-label').textContent(), 'Robô');
    t.is(await countText(page, 'bot'), '0');
    await waitForText(page.locator('.list-empty'), 'O robô não está atendendo nenhuma conversa agora.');
    await markNoReload(page);

    // The customer writes; the bot answers with its menu, and the conversation comes into the queue live.
    const waId = newCustomer();
    await w.customerWrites(waId, 'Oi! Queria saber onde está meu pedido', 'Luciana Prado');
    const conversation = await waitFor('the bot session', async () => {
      const c = await db()('conversations as c').join('contacts as ct', 'ct.id', 'c.contact_id').where('ct.external_id', waId).first('c.id', 'c.bot_session_id');
      return c?.bot_session_id ? c : null;
    });
    const id = conversation.id as string;
    firstId = id;
    const row = item(page, id);
    await row.waitFor();
    t.is(await row.locator('[data-testid=bot-badge]').textContent(), 'Robô');
    await waitFor('the Robô count', async () => (await countText(page, 'bot')) === '1');

    await row.click();
    const menu = messageWithText(page, 'Como posso ajudar?');
    await menu.waitFor();
    t.is(await menu.locator('.msg-author').textContent(), 'Robô');
    t.deepEqual(await menu.locator('[data-testid=message-options] .badge').allTextContents(), ['Acompanhar pedido', 'Trocar produto']);
    const banner = page.locator('[data-testid=bot-banner]');
    await waitForText(banner, 'O robô está atendendo esta conversa');
    t.true(await page.locator('[data-testid=take-over]').isVisible());
    t.is(await page.locator('[data-testid=assign-me]').count(), 0, 'one "Assumir": the banner\'s');
    await waitForText(page.locator('[data-testid=composer-bot-hint]'), 'Ao enviar uma mensagem, você assume a conversa');
    await screenshot(page, 'bot-inbox-1-robo-queue');

    // The customer taps a button: the answer and the bot's next messages arrive live.
    const [asked] = await botMessages(id);
    await waitFor('the menu to be sent', async () => (await db()('messages').where({ id: asked!.id }).first('provider_message_id')).provider_message_id);
    const wamid = (await db()('messages').where({ id: asked!.id }).first('provider_message_id')).provider_message_id as string;
    const value = waMessagesValue({
      phoneNumberId: w.phoneNumberId, displayPhoneNumber: '5511930000000', contacts: [{ waId, name: 'Luciana Prado' }],
      messages: [waButtonReply(waId, { id: 'pedido', title: 'Acompanhar pedido' }, { id: wamid, from: '5511930000000' })],
    });
    t.is((await postWebhook(w.webhookUrl, waEnvelope([{ changes: [{ value }] }]), w.appSecret)).status, 200);
    const tap = page.locator('[data-testid=thread] [data-testid=message][data-direction=in]').filter({ has: page.locator('[data-testid=message-choice]') });
    await tap.waitFor();
    t.is(await tap.locator('.msg-text').textContent(), 'Acompanhar pedido');
    const status = messageWithText(page, 'Seu pedido #4521 saiu para entrega');
    await status.waitFor();
    t.is(await status.locator('.msg-author').textContent(), 'Robô');
    const more = messageWithText(page, 'Posso ajudar em algo mais?');
    await more.waitFor();
    t.deepEqual(await more.locator('[data-testid=message-options] .badge').allTextContents(), ['Sim', 'Não, obrigado']);
    t.true(await banner.isVisible(), 'still the bot\'s');
    t.true(await wasNotReloaded(page), 'all of it arrived live');
    await waitFor('the bot\'s messages to go out', async () => (await botMessages(id)).every((m) => m.status !== 'queued'));
    await screenshot(page, 'bot-inbox-2-bot-replies-live');

    // "Assumir": the banner goes, the conversation is Ana's and leaves the Robô queue.
    await page.locator('[data-testid=take-over]').click();
    await banner.waitFor({ state: 'detached' });
    await waitForText(page.locator('[data-testid=assignee]'), 'Com você');
    t.is(await page.locator('[data-testid=composer-bot-hint]').count(), 0);
    await row.waitFor({ state: 'detached' });
    await waitFor('the Robô count to drop', async () => (await countText(page, 'bot')) === '0');
    const after = (await w.api('GET', `/api/conversations/${id}`, { cookie: w.admin })).body;
    t.like(after, { assigneeId: w.people.ana.id, botActive: false });
    t.truthy(after.humanSince);
    t.true(await page.locator('[data-testid=hand-back]').isVisible(), '"Devolver ao robô" is offered now');

    // The customer writes again: Ana sees it, the bot says nothing.
    const sentBefore = (await botMessages(id)).length;
    const wamidIn = await w.customerWrites(waId, 'Obrigada! E se eu não estiver em casa?');
    await messageWithText(page, 'se eu não estiver em casa').waitFor();
    await waitFor('the bot to have taken the message', async () => db()('bot_inputs as b').join('messages as m', 'm.id', 'b.message_id')
      .where('m.provider_message_id', wamidIn).whereNot('b.outcome', 'pending').first('b.outcome'));
    await new Promise((r) => setTimeout(r, 500));
    t.is((await botMessages(id)).length, sentBefore, 'no bot reply after the take-over');
    t.is(await page.locator('[data-testid=thread] [data-testid=message] .msg-author', { hasText: 'Robô' }).count(), 3, 'only the three from before');
    await page.locator('[data-testid=queue-mine]').click();
    await item(page, id).waitFor();
    t.is(await item(page, id).locator('[data-testid=bot-badge]').count(), 0);
    await screenshot(page, 'bot-inbox-3-taken-over');

    // "Devolver ao robô": nobody holds it, and the action is gone until someone takes it again.
    await page.locator('[data-testid=hand-back]').click();
    await waitForText(page.locator('[data-testid=assignee]'), 'Sem responsável');
    await page.locator('[data-testid=hand-back]').waitFor({ state: 'detached' });
    const handed = (await w.api('GET', `/api/conversations/${id}`, { cookie: w.admin })).body;
    t.like(handed, { assigneeId: null, humanSince: null });
  } catch (err) {
    reportErrors(t, 'ana', ana);
    if (ana) await screenshot(ana.page, 'failed-bot-inbox').catch(() => {});
    throw err;
  } finally {
    await ana?.context.close();
  }
});

test('in English, for an admin: the Bot tab among five, the Bot badge and the banner', async (t) => {
  let admin: Session | undefined;
  try {
    const waId = newCustomer();
    await w.customerWrites(waId, 'Boa tarde, vocês entregam em Niterói?', 'Rafael Nunes');
    const id = await waitFor('the bot session', async () => {
      const c = await db()('conversations as c').join('contacts as ct', 'ct.id', 'c.contact_id').where('ct.external_id', waId).first('c.id', 'c.bot_session_id');
      return c?.bot_session_id ? (c.id as string) : null;
    });
    await waitFor('the menu', async () => (await botMessages(id)).length > 0);

    admin = await openContext(browser);
    await admin.context.addInitScript(() => {
      const store = (globalThis as any).localStorage;
      if (!store.getItem('atendo.lang')) store.setItem('atendo.lang', 'en'); // the person's choice on this device
    });
    await loginThroughForm(admin.page, w.app.url, w.people.admin.email);
    const { page } = admin;
    t.deepEqual(await page.locator('.queue-tabs .queue-label').allTextContents(), ['Queue', 'Mine', 'Team', 'Bot', 'All']);
    await page.locator('[data-testid=queue-bot]').click();
    const row = item(page, id);
    await row.waitFor();
    t.is(await row.locator('[data-testid=bot-badge]').textContent(), 'Bot');
    // The admin landed on "Na fila", which lists both: the Robô list has come once the handed-back one
    // (no session until its customer writes) is gone from it.
    await item(page, firstId).waitFor({ state: 'detached' });
    t.is(await page.locator('[data-testid=conversation-list] [data-testid=conversation-item]').count(), 1);
    await row.click();
    await waitForText(page.locator('[data-testid=bot-banner]'), 'The bot is handling this conversation.');
    await waitForText(page.locator('[data-testid=composer-bot-hint]'), 'Sending a message takes the conversation over');
    t.is(await messageWithText(page, 'Como posso ajudar?').locator('.msg-author').textContent(), 'Bot');
    await screenshot(page, 'bot-inbox-4-admin-english');

    // Five tabs in Portuguese, the longer labels: each one whole, none cut to an ellipsis.
    await page.evaluate(() => (globalThis as any).localStorage.setItem('atendo.lang', 'pt-BR'));
    await page.reload();
    await waitForText(page.locator('[data-testid=bot-banner]'), 'O robô está atendendo esta conversa.');
    t.deepEqual(await page.locator('.queue-tabs .queue-label').allTextContents(), ['Na fila', 'Minhas', 'Equipe', 'Robô', 'Todas']);
    // Measured to the subpixel: an ellipsis takes whole letters for a fraction of a pixel too many.
    const cut = await page.locator('.queue-tabs .queue-label').evaluateAll((els: any[]) => els.filter((e) => {
      const whole = e.cloneNode(true);
      whole.style.cssText = 'position: absolute; visibility: hidden; white-space: nowrap; overflow: visible';
      e.parentElement.appendChild(whole);
      const need = whole.getBoundingClientRect().width;
      whole.remove();
      return need > e.getBoundingClientRect().width + 0.01;
    }).map((e) => e.textContent));
    await screenshot(page, 'bot-inbox-5-admin-ptbr');
    t.deepEqual(cut, [], 'no tab label is cut');
  } catch (err) {
    reportErrors(t, 'admin', admin);
    if (admin) await screenshot(admin.page, 'failed-bot-inbox-admin').catch(() => {});
    throw err;
  } finally {
    await admin?.context.close();
  }
});
