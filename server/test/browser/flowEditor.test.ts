import anyTest from 'ava';
import type { Browser, Locator, Page } from 'playwright-core';
import { postWebhook, waButtonReply, waEnvelope, waMessagesValue } from '../../../scripts/meta-simulator/webhooks.js';
import { loggedIn, reportErrors, screenshot, useBrowserWorld, waitForText, UI_TIMEOUT, type BrowserWorld, type Session } from './support.js';

/**
 * The visual flow editor (web-dist/app/pages/flows/): an admin builds start → question with three options
 * → a message per option → end, by adding blocks from the palette and dragging from ports to blocks; the
 * server's validation flags the option left unconnected on its port and blocks publishing; once connected,
 * the flow publishes and version 1 shows in the versions panel.
 */
const test = anyTest.serial;
let w: BrowserWorld;
let browser: Browser;

useBrowserWorld(anyTest, (world, b) => { w = world; browser = b; });

const node = (page: Page, id: string): Locator => page.locator(`[data-testid=flow-node][data-node-id="${id}"]`);
const handle = (page: Page, id: string, outcome: string): Locator =>
  node(page, id).locator(`[data-testid=port-handle][data-outcome="${outcome}"]`);

/** Adds a block from the palette; returns its id (the new block is selected, its settings open). */
async function addBlock(page: Page, type: string): Promise<string> {
  const before = await page.locator('[data-testid=flow-node]').count();
  await page.locator(`[data-testid=add-${type}]`).click();
  await page.waitForFunction((n) => (globalThis as any).document.querySelectorAll('[data-testid=flow-node]').length === n + 1, before);
  const settings = page.locator(`[data-testid=node-settings][data-type=${type}]`);
  await settings.waitFor();
  return (await settings.getAttribute('data-node-id'))!;
}

/** Drags from an outcome's port onto a block, and waits for the edge. */
async function connect(page: Page, from: string, outcome: string, to: string): Promise<void> {
  await handle(page, from, outcome).dragTo(node(page, to).locator('.fn-body'));
  await page.locator(`[data-testid=flow-edge][data-from="${from}"][data-outcome="${outcome}"][data-to="${to}"]`).waitFor({ state: 'attached' });
}

/** Waits until the autosave says the draft is saved. */
const saved = (page: Page) => page.locator('[data-testid=save-state][data-state=saved]').waitFor();

test('an admin builds a flow on the canvas, sees the unconnected outcome flagged, connects it and publishes version 1', async (t) => {
  let admin: Session | undefined;
  try {
    admin = await loggedIn(browser, w, w.people.admin, { viewport: { width: 1600, height: 940 } });
    const { page } = admin;

    // The list, then a new flow.
    await page.locator('[data-testid=nav-flows]').click();
    await page.locator('[data-testid=page-flows]').waitFor();
    await page.locator('[data-testid=flow-create]').click();
    await page.locator('[data-testid=flow-create-name]').fill('Atendimento inicial');
    await page.locator('[data-testid=flow-create-save]').click();
    const editor = page.locator('[data-testid=page-flow-editor]');
    await editor.waitFor();
    const flowId = (await editor.getAttribute('data-flow-id'))!;
    await node(page, 'start').waitFor();

    // A question with three options.
    const q = await addBlock(page, 'question');
    await page.locator('[data-testid=node-text]').fill('Olá, {{contato.nome}}! Sobre o que você quer falar?');
    await page.locator('[data-testid=answer-type]').selectOption('option');
    const titles = ['Segunda via de boleto', 'Meu pedido', 'Falar com alguém'];
    for (const [i, title] of titles.entries()) {
      await page.locator('[data-testid=option-add]').click();
      await page.locator('[data-testid=option-title]').nth(i).fill(title);
    }
    // 21 characters is over a reply button's 20: the counter says so live.
    const firstCount = page.locator('[data-testid=option-title-count]').first();
    t.is(await firstCount.getAttribute('data-over'), 'true', '"Segunda via de boleto" (21) is over the button limit (20)');
    await page.locator('[data-testid=option-title]').first().fill('Boleto');
    t.is(await firstCount.getAttribute('data-over'), 'false');
    titles[0] = 'Boleto';
    const optionIds = await node(page, q).locator('[data-testid=flow-port]').evaluateAll(
      (els) => els.map((e) => e.getAttribute('data-outcome')!).filter((o) => !['invalid', 'timeout', 'next'].includes(o)));
    t.is(optionIds.length, 3, 'one port per option');
    for (const [i, title] of titles.entries()) {
      await waitForText(node(page, q).locator(`[data-testid=flow-port][data-outcome="${optionIds[i]}"]`), title);
    }
    await waitForText(node(page, q).locator('[data-testid=flow-port][data-outcome=invalid]'), 'inválido');

    // A message per option, and an end after them.
    const messages: string[] = [];
    for (const text of ['Seu boleto está a caminho.', 'Vou ver seu pedido.', 'Já chamo alguém da equipe.']) {
      const m = await addBlock(page, 'message');
      await page.locator('[data-testid=node-text]').fill(text);
      messages.push(m);
    }
    const end = await addBlock(page, 'end');
    await page.locator('[data-testid=flow-layout]').click();
    await page.waitForTimeout(200);

    await connect(page, 'start', 'next', q);
    await connect(page, q, optionIds[0]!, messages[0]!);
    await connect(page, q, optionIds[1]!, messages[1]!);
    for (const m of messages) await connect(page, m, 'next', end);

    // The third option is left unconnected: the server's validation flags it on its port and on the node.
    await saved(page);
    const third = node(page, q).locator(`[data-testid=flow-port][data-outcome="${optionIds[2]}"]`);
    await page.waitForFunction((sel) => (globalThis as any).document.querySelector(sel)?.classList.contains('fn-port-error'),
      `[data-node-id="${q}"] [data-testid=flow-port][data-outcome="${optionIds[2]}"]`, { timeout: UI_TIMEOUT });
    t.truthy(await third.getAttribute('title'), 'the port carries the issue as its tooltip');
    await waitForText(node(page, q).locator('[data-testid=node-issue]'), 'Falar com alguém');
    t.is(await node(page, q).locator('.fn-mark-error').count(), 1, 'the node has a red mark');
    const publish = page.locator('[data-testid=flow-publish]');
    t.true(await publish.isDisabled(), 'publishing is blocked while there are errors');
    t.is(await publish.getAttribute('data-errors'), '1');
    await waitForText(publish, '1 erro');
    await page.locator('[data-testid=flow-layout]').click();
    await page.waitForTimeout(250);
    t.log(await screenshot(page, 'flow-editor-unconnected'));

    // Connect it: the mark goes and Publish opens.
    await connect(page, q, optionIds[2]!, messages[2]!);
    await saved(page);
    await page.waitForFunction(() => (globalThis as any).document.querySelector('[data-testid=flow-publish]')?.getAttribute('data-errors') === '0', undefined, { timeout: UI_TIMEOUT });
    t.is(await node(page, q).locator('.fn-mark-error').count(), 0, 'no error mark left (the unconnected "inválido" is a warning)');
    t.false(await publish.isDisabled());
    await page.locator('[data-testid=flow-layout]').click();
    await node(page, q).click();
    await page.waitForTimeout(250);
    t.log(await screenshot(page, 'flow-editor-connected'));

    // Publish: version 1, by the admin, in the versions panel.
    await publish.click();
    await waitForText(publish, 'v1');
    await page.locator('[data-testid=tab-versions]').click();
    const row = page.locator('[data-testid=version-row][data-version="1"]');
    await row.waitFor();
    await waitForText(row, w.people.admin.name);
    await page.waitForTimeout(200);
    t.log(await screenshot(page, 'flow-editor-versions'));

    // What was published is what was drawn.
    const versions = await w.api('GET', `/api/flows/${flowId}/versions`, { cookie: w.admin });
    t.is(versions.body.items.length, 1);
    t.is(versions.body.items[0].version, 1);
    const flow = await w.api('GET', `/api/flows/${flowId}`, { cookie: w.admin });
    const edges = flow.body.draft.edges as { from: string; outcome: string; to: string }[];
    for (const [i, o] of optionIds.entries()) t.true(edges.some((e) => e.from === q && e.outcome === o && e.to === messages[i]), `option ${i + 1} → message ${i + 1}`);
    t.true(edges.some((e) => e.from === 'start' && e.to === q));
    t.deepEqual(flow.body.draft.nodes.find((n: { id: string }) => n.id === q).data.options.map((o: { title: string }) => o.title), titles);
    t.false(flow.body.draftChanged);

    // The draft walks in the preview chat, buttons and all, without Meta.
    await page.locator('[data-testid=tab-preview]').click();
    await page.locator('[data-testid=preview-start]').click();
    const bot = page.locator('[data-testid=preview-message][data-from=bot]');
    await waitForText(bot.first(), 'Sobre o que você quer falar?');
    await page.locator('[data-testid=preview-option]', { hasText: 'Meu pedido' }).click();
    await waitForText(bot, 'Vou ver seu pedido.');
    await page.waitForTimeout(200);
    t.log(await screenshot(page, 'flow-editor-preview'));

    // The list shows it published.
    await page.locator('[data-testid=flow-back]').click();
    const listed = page.locator(`[data-testid=flow-row][data-id="${flowId}"]`);
    await waitForText(listed, 'v1');
    await page.waitForTimeout(200);
    t.log(await screenshot(page, 'flows-list'));
    t.deepEqual(admin.errors, [], 'no errors in the page');
  } catch (err) {
    reportErrors(t, 'admin', admin);
    if (admin) await screenshot(admin.page, 'failed-flow-editor').catch(() => {});
    throw err;
  } finally {
    await admin?.context.close();
  }
});

test('a supervisor opens the flow read-only: no palette, no publish, no restore; an admin builds', async (t) => {
  let sup: Session | undefined;
  try {
    const flows = await w.api('GET', '/api/flows', { cookie: w.admin });
    const flowId = flows.body.items[0].id as string;
    sup = await loggedIn(browser, w, w.people.supervisor, { viewport: { width: 1400, height: 900 } });
    const { page } = sup;
    await page.goto(`${w.app.url}/flows/${flowId}`);
    await page.locator('[data-testid=page-flow-editor]').waitFor();
    await node(page, 'start').waitFor();
    t.is(await page.locator('[data-testid=flow-palette]').count(), 0, 'no palette to add blocks');
    t.true(await page.locator('[data-testid=flow-name]').isDisabled(), 'the name cannot be changed');
    await page.locator('[data-testid=flow-back]').click();
    await page.locator('[data-testid=page-flows]').waitFor();
    t.true(await page.locator('[data-testid=flow-create]').isDisabled(), 'no new flow');
    t.deepEqual(sup.errors, [], 'no errors in the page');
  } catch (err) {
    reportErrors(t, 'supervisor', sup);
    throw err;
  } finally {
    await sup?.context.close();
  }
});

test('the flow drawn in the editor goes live from it, and a customer walks it in the inbox as the Robô', async (t) => {
  let admin: Session | undefined;
  try {
    const listed = await w.api('GET', '/api/flows', { cookie: w.admin });
    const flowId = listed.body.items[0].id as string;
    const draft = (await w.api('GET', `/api/flows/${flowId}`, { cookie: w.admin })).body.draft;
    const question = draft.nodes.find((n: { type: string }) => n.type === 'question');
    admin = await loggedIn(browser, w, w.people.admin, { viewport: { width: 1600, height: 940 } });
    const { page } = admin;
    await page.goto(`${w.app.url}/flows/${flowId}`);
    await node(page, 'start').waitFor();

    // With no block selected the trigger panel shows: any message while no person owns the conversation.
    const canvas = page.locator('[data-testid=flow-canvas]');
    const box = (await canvas.boundingBox())!;
    await page.mouse.click(box.x + box.width - 30, box.y + box.height - 30);
    await page.locator('[data-testid=trigger-panel]').waitFor();
    await page.locator('[data-testid=trigger-type]').selectOption('no_human');
    await saved(page);
    await page.locator('[data-testid=status-live]').click();
    await page.locator('[data-testid=flow-status][data-status=live]').waitFor({ timeout: UI_TIMEOUT });

    // A customer writes: the conversation comes into the Robô queue, with the question and its buttons.
    const waId = `5511977${String(Date.now()).slice(-6)}`;
    await w.customerWrites(waId, 'Oi, tudo bem?', 'Marina Costa');
    await page.goto(`${w.app.url}/inbox`);
    await page.locator('[data-testid=queue-bot]').click();
    const conversation = page.locator('[data-testid=conversation-item]', { hasText: 'Marina Costa' });
    await conversation.waitFor({ timeout: 15_000 });
    await conversation.click();
    const asked = page.locator('[data-testid=thread] [data-testid=message]', { hasText: question.data.text.replace('{{contato.nome}}', 'Marina Costa') });
    await asked.waitFor({ timeout: 15_000 });
    t.deepEqual(await asked.locator('[data-testid=message-options] .badge').allTextContents(), question.data.options.map((o: { title: string }) => o.title));

    // The customer taps "Meu pedido": the tap and the bot's answer arrive live in the thread.
    const choice = question.data.options.find((o: { title: string }) => o.title === 'Meu pedido');
    const value = waMessagesValue({ phoneNumberId: w.phoneNumberId, contacts: [{ waId, name: 'Marina Costa' }], messages: [waButtonReply(waId, { id: choice.id, title: choice.title })] });
    t.is((await postWebhook(w.webhookUrl, waEnvelope([{ changes: [{ value }] }]), w.appSecret)).status, 200);
    await page.locator('[data-testid=thread] [data-testid=message]', { hasText: 'Vou ver seu pedido.' }).waitFor({ timeout: 15_000 });
    await page.waitForTimeout(200);
    t.log(await screenshot(page, 'flow-editor-live-in-inbox'));
    t.deepEqual(admin.errors, [], 'no errors in the page');
  } catch (err) {
    reportErrors(t, 'admin', admin);
    if (admin) await screenshot(admin.page, 'failed-flow-live').catch(() => {});
    throw err;
  } finally {
    await admin?.context.close();
  }
});
