import anyTest from 'ava';
import type { Browser } from 'playwright-core';
import { postWebhook, waButtonReply, waEnvelope, waMessagesValue } from '../../../scripts/meta-simulator/webhooks.js';
import { promptContent } from '../../src/bots/prompt.js';
import { queueOutboundMessage } from '../../src/commands/sendMessage.js';
import { waitForStatus } from '../outboundSupport.js';
import {
  conversationOf, item, loggedIn, messageWithText, newCustomer, reportErrors, screenshot, useBrowserWorld, type BrowserWorld, type Session,
} from './support.js';

const test = anyTest.serial;
let w: BrowserWorld;
let browser: Browser;

useBrowserWorld(anyTest, (world, b) => { w = world; browser = b; });

test('a bot\'s menu shows its choices under the text, signed Robô, and the customer\'s tap shows the chosen title', async (t) => {
  let admin: Session | undefined;
  try {
    const waId = newCustomer();
    await w.customerWrites(waId, 'Quero fazer um pedido', 'Marta');
    const id = await conversationOf(w, waId);
    const options = [{ id: 'pix', title: 'Pix' }, { id: 'card', title: 'Cartão de crédito' }, { id: 'boleto', title: 'Boleto' }];
    const { message } = await queueOutboundMessage(w.app.deps, { ...promptContent('whatsapp', 'Como prefere pagar?', options), conversationId: id, origin: 'bot' });
    const sent = await waitForStatus(w, message.id, 'sent');

    admin = await loggedIn(browser, w, w.people.admin);
    const { page } = admin;
    await page.locator('[data-testid=queue-unassigned]').click();
    await item(page, id).click();
    const bubble = messageWithText(page, 'Como prefere pagar?');
    await bubble.waitFor();
    t.is(await bubble.locator('.msg-author').textContent(), 'Robô');
    const chips = bubble.locator('[data-testid=message-options] .badge');
    t.deepEqual(await chips.allTextContents(), ['Pix', 'Cartão de crédito', 'Boleto']);
    t.is(await bubble.locator('[data-testid=message-options]').getAttribute('data-kind'), 'button');

    const value = waMessagesValue({
      phoneNumberId: w.phoneNumberId, displayPhoneNumber: '5511930000000', contacts: [{ waId, name: 'Marta' }],
      messages: [waButtonReply(waId, { id: 'card', title: 'Cartão de crédito' }, { id: sent.provider_message_id!, from: '5511930000000' })],
    });
    t.is((await postWebhook(w.webhookUrl, waEnvelope([{ changes: [{ value }] }]), w.appSecret)).status, 200);
    const tap = page.locator('[data-testid=thread] [data-testid=message][data-direction=in]').filter({ has: page.locator('[data-testid=message-choice]') });
    await tap.waitFor();
    t.is(await tap.locator('.msg-text').textContent(), 'Cartão de crédito');
  } catch (err) {
    reportErrors(t, 'admin', admin);
    if (admin) await screenshot(admin.page, 'failed-interactive-bubble').catch(() => {});
    throw err;
  } finally {
    await admin?.context.close();
  }
});
