import anyTest from 'ava';
import type { Browser } from 'playwright-core';
import { waitFor } from '../outboundSupport.js';
import {
  conversationOf, cookieOf, item, loggedIn, markNoReload, messageWithText, newCustomer, reportErrors, screenshot,
  sleep, useBrowserWorld, waitForText, wasNotReloaded, type BrowserWorld, type Session,
} from './support.js';

// One world and one browser for the file; the tests share Ana's queue, so they run one after another.
const test = anyTest.serial;
let w: BrowserWorld;
let browser: Browser;

useBrowserWorld(anyTest, (world, b) => { w = world; browser = b; });

const sentTo = (waId: string) => w.sim.sent.filter((s) => s.to === waId);

test('a customer writes: live in the list and the open thread; the attendant takes it, answers with a quick reply, sees delivered then read', async (t) => {
  const replyText = 'Olá! Obrigado por falar com a Loja Atendo. Como posso ajudar?';
  const qr = await w.api('POST', '/api/quick-replies', { cookie: w.admin, body: { shortcut: 'boasvindas', text: replyText } });
  t.is(qr.status, 201, qr.text);
  // Meta reports sent and delivered by itself; "read" comes when the customer opens it (below).
  w.sim.autoStatuses({ webhookUrl: () => w.webhookUrl, appSecret: () => w.appSecret, steps: ['sent', 'delivered'], delayMs: 50 });
  let ana: Session | undefined;
  try {
    ana = await loggedIn(browser, w, w.people.ana);
    const { page } = ana;
    await page.locator('[data-testid=queue-unassigned]').click();
    await page.locator('[data-testid=conversation-list]').waitFor();
    await markNoReload(page);

    const waId = newCustomer();
    await w.customerWrites(waId, 'Oi! Vocês entregam no Morumbi?', 'Marina Lopes');
    const id = await conversationOf(w, waId);
    const row = item(page, id);
    await row.waitFor();
    await waitForText(row.locator('.conv-preview'), 'entregam no Morumbi');
    await waitForText(row.locator('.conv-name'), 'Marina Lopes');

    await row.click();
    await page.locator(`[data-testid=conversation][data-id="${id}"]`).waitFor();
    await messageWithText(page, 'entregam no Morumbi').and(page.locator('[data-direction=in]')).waitFor();

    await w.customerWrites(waId, 'Preciso para hoje ainda, é presente.');
    await messageWithText(page, 'Preciso para hoje ainda').and(page.locator('[data-direction=in]')).waitFor();
    await waitForText(row.locator('.conv-preview'), 'Preciso para hoje ainda');

    await page.locator('[data-testid=assign-me]').click();
    await waitFor('the conversation to be assigned to Ana', async () =>
      (await w.api('GET', `/api/conversations/${id}`, { cookie: w.admin })).body.assigneeId === w.people.ana.id);

    const input = page.locator('[data-testid=composer-input]');
    await input.click();
    await input.pressSequentially('/');
    await page.locator('[data-testid=quick-replies]').waitFor();
    await page.locator('[data-testid=quick-replies] [data-testid=quick-reply-option][data-shortcut=boasvindas]').click();
    await page.locator('[data-testid=quick-replies]').waitFor({ state: 'hidden' });
    await input.press('Enter');

    const sent = await waitFor('the simulator to receive the send', async () => sentTo(waId)[0], 10_000);
    t.is(sent.body.type, 'text');
    t.is(sent.body.text?.body, replyText, 'the quick reply text reached Meta');
    t.is(sentTo(waId).length, 1, 'Enter sent once');
    t.is(await input.inputValue(), '', 'the composer is empty after sending');

    const out = messageWithText(page, 'Obrigado por falar com a Loja Atendo').and(page.locator('[data-direction=out]'));
    await out.and(page.locator('[data-status=delivered]')).waitFor();
    await w.statusWebhook(sent.id, waId, 'read');
    await out.and(page.locator('[data-status=read]')).waitFor();
    t.is(await page.locator(`[data-testid=thread] [data-testid=message][data-direction=out][data-status=read]`).count(), 1);
    t.true(await wasNotReloaded(page), 'everything arrived live, without a reload');
  } catch (err) {
    reportErrors(t, 'ana', ana);
    if (ana) await screenshot(ana.page, 'failed-live-quick-reply').catch(() => {});
    throw err;
  } finally {
    w.sim.autoStatuses(null);
    await ana?.context.close();
  }
});

test('markup in a customer message renders as text and never runs', async (t) => {
  const evil = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script><b>bold</b>';
  let ana: Session | undefined;
  try {
    ana = await loggedIn(browser, w, w.people.ana);
    const { page } = ana;
    const waId = newCustomer();
    await w.customerWrites(waId, evil, '<i>Hacker</i>');
    const id = await conversationOf(w, waId);
    await page.locator('[data-testid=queue-unassigned]').click();
    await item(page, id).click();
    const msg = messageWithText(page, 'window.__xss=2');
    await msg.waitFor();
    t.is(await msg.locator('.msg-text').textContent(), evil, 'the exact characters are shown');
    const thread = page.locator('[data-testid=thread]');
    t.is(await thread.locator('img, script, b').count(), 0, 'no element made from the message');
    const row = item(page, id);
    t.is(await row.locator('.conv-name').textContent().then((x) => x?.trim()), '<i>Hacker</i>', 'the name is shown as typed');
    t.is(await row.locator('.conv-name, .conv-preview').locator('img, script, b, i').count(), 0, 'nor in the list (name, preview)');
    await page.waitForTimeout(200); // an onerror would have fired by now
    t.is(await page.evaluate(() => (globalThis as any).__xss), undefined);
  } catch (err) {
    reportErrors(t, 'ana', ana);
    throw err;
  } finally {
    await ana?.context.close();
  }
});

test('after the link drops, a message that arrived meanwhile shows up on reconnect', async (t) => {
  let ana: Session | undefined;
  try {
    ana = await loggedIn(browser, w, w.people.ana);
    const { page, context } = ana;
    const waId = newCustomer();
    await w.customerWrites(waId, 'Olá, quero fazer um pedido.', 'Rafael Dias');
    const id = await conversationOf(w, waId);
    await page.locator('[data-testid=queue-unassigned]').click();
    await item(page, id).click();
    await messageWithText(page, 'quero fazer um pedido').waitFor();
    await markNoReload(page);

    // Offline: new connections fail; the server drops the open socket, as a network cut would end it.
    await context.setOffline(true);
    w.app.deps.sockets?.disconnectUser(w.people.ana.id);
    await page.locator('[data-testid=offline]').waitFor();
    await w.customerWrites(waId, 'Mandei enquanto você estava fora do ar.');
    await page.waitForTimeout(500);
    t.is(await messageWithText(page, 'enquanto você estava fora').count(), 0, 'not shown while offline (nothing could carry it)');

    await context.setOffline(false);
    await page.locator('[data-testid=offline]').waitFor({ state: 'hidden', timeout: 15_000 });
    await messageWithText(page, 'enquanto você estava fora').waitFor({ timeout: 10_000 });
    await waitForText(item(page, id).locator('.conv-preview'), 'enquanto você estava fora');
    t.true(await wasNotReloaded(page), 'caught up without a reload');
  } catch (err) {
    reportErrors(t, 'ana', ana);
    throw err;
  } finally {
    await ana?.context.close();
  }
});

test('screenshots: the inbox with an open conversation (desktop) and the conversation on a phone', async (t) => {
  let ana: Session | undefined;
  let phone: Session | undefined;
  try {
    ana = await loggedIn(browser, w, w.people.ana);
    const cookie = await cookieOf(ana.context);
    const people: Array<[string, string, string]> = [
      [newCustomer(), 'Beatriz Nogueira', 'Bom dia! Vocês abrem no feriado?'],
      [newCustomer(), 'Diego Ferreira', 'Meu pedido #4821 ainda não chegou, podem verificar?'],
      [newCustomer(), 'Juliana Castro', 'Aceitam Pix?'],
    ];
    for (const [waId, name, text] of people) await w.customerWrites(waId, text, name);
    const [main] = people[1]!;
    const id = await conversationOf(w, main);
    t.is((await w.api('POST', `/api/conversations/${id}/assign`, { cookie, body: { userId: w.people.ana.id } })).status, 200);
    const reply = await w.api('POST', `/api/conversations/${id}/messages`, {
      cookie, body: { type: 'text', text: 'Oi Diego! Vou verificar com a transportadora agora mesmo.', clientId: 'shot-1' },
    });
    t.is(reply.status, 202, reply.text);
    const note = await w.api('POST', `/api/conversations/${id}/notes`, { cookie, body: { text: 'Transportadora diz que sai amanhã cedo. Avisar o cliente.' } });
    t.true(note.status === 201 || note.status === 200, note.text);
    await sleep(1100); // Meta's timestamps are whole seconds: let the customer's answer come after the note
    await w.customerWrites(main, 'Obrigado! Fico no aguardo.');
    await waitFor('the last message to be stored', async () =>
      (await w.api('GET', `/api/conversations/${id}`, { cookie })).body.lastMessagePreview?.includes('aguardo'));

    await ana.page.goto(`${w.app.url}/inbox/${id}`);
    await ana.page.locator('[data-testid=thread] [data-testid=message][data-direction=note]').waitFor();
    await messageWithText(ana.page, 'Fico no aguardo').waitFor();
    await ana.page.waitForTimeout(300);
    t.log(await screenshot(ana.page, 'inbox-desktop'));

    phone = await loggedIn(browser, w, w.people.ana, { viewport: { width: 390, height: 844 }, isMobile: true });
    await phone.page.goto(`${w.app.url}/inbox/${id}`);
    await messageWithText(phone.page, 'Fico no aguardo').waitFor();
    await phone.page.locator('[data-testid=composer-input]').waitFor();
    t.true(await phone.page.locator('[data-testid=composer-input]').isVisible(), 'the composer is on screen on a phone');
    const overflow = await phone.page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth - (globalThis as any).innerWidth);
    t.true(overflow <= 0, `no sideways scrolling on a phone (overflow ${overflow}px)`);
    await phone.page.waitForTimeout(300);
    t.log(await screenshot(phone.page, 'conversation-phone'));
  } catch (err) {
    reportErrors(t, 'ana', ana);
    reportErrors(t, 'ana-phone', phone);
    if (ana) await screenshot(ana.page, 'failed-inbox-desktop').catch(() => {});
    if (phone) await screenshot(phone.page, 'failed-conversation-phone').catch(() => {});
    throw err;
  } finally {
    await ana?.context.close();
    await phone?.context.close();
  }
});
