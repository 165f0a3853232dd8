import anyTest from 'ava';
import type { Browser } from 'playwright-core';
import { conversationWith, waitFor } from '../outboundSupport.js';
import { loggedIn, messageWithText, reportErrors, screenshot, useBrowserWorld, type BrowserWorld, type Session, waitForText, withSyncedTemplates } from './support.js';

const test = anyTest.serial;
let w: BrowserWorld;
let browser: Browser;

useBrowserWorld(anyTest, (world, b) => { w = world; browser = b; });

/** Meta's seeded templates and one still in review, synced once before the first test. */
const prepare = () => withSyncedTemplates(w, (waba) => {
  w.sim.addTemplate({ wabaId: waba, name: 'aguardando_analise', language: 'pt_BR', status: 'PENDING', components: [{ type: 'BODY', text: 'Ainda em análise' }] });
});

test('Nova conversa: Ana types a number that never wrote, picks an approved template, fills it with a live preview, and lands in the new conversation', async (t) => {
  await prepare();
  let ana: Session | undefined;
  try {
    ana = await loggedIn(browser, w, w.people.ana, { viewport: { width: 1366, height: 860 } });
    const { page } = ana;
    await page.locator('[data-testid=conversation-list]').waitFor();
    await page.locator('[data-testid=new-conversation]').click();
    const dialog = page.locator('[data-testid=new-conversation]').filter({ has: page.locator('form') });
    await dialog.waitFor();
    await dialog.locator('[data-testid=new-conversation-phone]').fill('(21) 8765-4310');
    const select = dialog.locator('[data-testid=template-select]');
    await select.waitFor();
    const options = await select.locator('option').allInnerTexts();
    t.false(options.some((o) => o.includes('aguardando_analise')), 'only approved templates are offered');
    t.true(options.some((o) => o.startsWith('pedido_pronto · pt_BR')));
    await select.selectOption({ label: 'pedido_pronto · pt_BR · Utilidade' });
    const preview = dialog.locator('[data-testid=template-preview]');
    t.regex(await preview.innerText(), /Olá \{\{1\}\}, seu pedido \{\{2\}\}/);
    t.true(await dialog.locator('[data-testid=new-conversation-start]').isDisabled(), 'not before every variable is filled');
    await dialog.locator('[data-testid=template-param][data-slot="body.1"]').fill('Maria');
    await dialog.locator('[data-testid=template-param][data-slot="body.2"]').fill('#4521');
    t.regex(await preview.innerText(), /Olá Maria, seu pedido #4521 está pronto para retirada\./);
    t.regex(await preview.innerText(), /Padaria Pão Quente/, 'the footer too');
    await screenshot(page, 'templates-new-conversation');

    await dialog.locator('[data-testid=new-conversation-start]').click();
    await page.waitForURL(/\/inbox\/[0-9a-f-]{36}/);
    const id = /\/inbox\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    await messageWithText(page, 'Olá Maria, seu pedido #4521').waitFor();
    const sent = await waitFor('the template at Meta', async () => w.sim.sent.find((s) => s.to === '5521987654310'), 10_000);
    t.like(sent.body, { type: 'template', template: { name: 'pedido_pronto', language: { code: 'pt_BR' } } });
    const conv = (await w.api('GET', `/api/conversations/${id}`, { cookie: w.admin })).body;
    t.like(conv, { assigneeId: w.people.ana.id, teamId: w.teams.vendas, contact: { externalId: '5521987654310' } });
    const blocked = page.locator('[data-testid=composer-blocked][data-reason=window]');
    await blocked.waitFor();
    t.regex(await blocked.innerText(), /ainda não escreveu/, 'a customer who never wrote is told apart from a closed window');
    await screenshot(page, 'templates-new-conversation-opened');

    // A number that is not one.
    await page.locator('[data-testid=new-conversation]').first().click();
    await dialog.waitFor();
    await dialog.locator('[data-testid=new-conversation-phone]').fill('12345');
    await dialog.locator('[data-testid=template-select]').selectOption({ label: 'hello_world · en_US · Utilidade' });
    await dialog.locator('[data-testid=new-conversation-start]').click();
    const error = dialog.locator('[data-testid=new-conversation-error]');
    await error.waitFor();
    t.regex(await error.innerText(), /12345/);
  } catch (err) {
    reportErrors(t, 'ana', ana);
    if (ana) await screenshot(ana.page, 'failed-templates-new-conversation').catch(() => {});
    throw err;
  } finally {
    await ana?.context.close();
  }
});

test('outside the 24-hour window the composer offers the number\'s approved templates with their parameters and a preview, in English too', async (t) => {
  await prepare();
  let admin: Session | undefined;
  try {
    admin = await loggedIn(browser, w, w.people.admin, { viewport: { width: 1366, height: 860 } });
    const { page } = admin;
    const id = await conversationWith(w, w.connectionId, '5511987650099', 25 * 3_600_000);
    await page.goto(`${w.app.url}/inbox/${id}`);
    await page.locator('[data-testid=composer-blocked][data-reason=window]').waitFor();
    const picker = page.locator('[data-testid=composer] [data-testid=template-picker]');
    await picker.waitFor();
    t.is(await page.locator('[data-testid=template-form]').count(), 0, 'the name form is only for a number without synced templates');
    await picker.locator('[data-testid=template-select]').selectOption({ label: 'promocao_mes · pt_BR · Marketing' });
    const slots = await picker.locator('[data-testid=template-param]').evaluateAll((els) => els.map((e) => e.getAttribute('data-slot')));
    t.deepEqual(slots, ['header', 'body.1', 'body.2', 'button.0']);
    await picker.locator('[data-slot=header]').fill('https://cdn.loja.example.com/maio.jpg');
    await picker.locator('[data-slot="body.1"]').fill('Joana');
    await picker.locator('[data-slot="body.2"]').fill('20%');
    t.true(await page.locator('[data-testid=template-send]').isDisabled());
    await picker.locator('[data-slot="button.0"]').fill('maio');
    const preview = picker.locator('[data-testid=template-preview]');
    t.regex(await preview.innerText(), /Oi Joana! Neste mês, 20% de desconto em toda a loja\./);
    t.regex(await preview.innerText(), /Ver ofertas/);
    await screenshot(page, 'templates-composer-picker');

    await page.locator('[data-testid=template-send]').click();
    const sent = await waitFor('the template at Meta', async () => w.sim.sent.find((s) => s.to === '5511987650099'), 10_000);
    t.deepEqual(sent.body.template.components, [
      { type: 'header', parameters: [{ type: 'image', image: { link: 'https://cdn.loja.example.com/maio.jpg' } }] },
      { type: 'body', parameters: [{ type: 'text', text: 'Joana' }, { type: 'text', text: '20%' }] },
      { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'maio' }] },
    ]);
    await messageWithText(page, 'Oi Joana!').waitFor();

    // The same in English.
    await page.evaluate(() => { (globalThis as any).localStorage.setItem('atendo.lang', 'en'); });
    await page.reload();
    const english = page.locator('[data-testid=composer] [data-testid=template-picker]');
    await english.waitFor();
    await english.locator('[data-testid=template-select]').selectOption({ label: 'pedido_pronto · pt_BR · Utility' });
    t.regex(await english.innerText(), /What the customer will see/i);
    t.regex(await english.innerText(), /Variable \{\{1\}\}/);
    await english.locator('[data-slot="body.1"]').fill('Joana');
    await screenshot(page, 'templates-composer-picker-en');
  } catch (err) {
    reportErrors(t, 'admin', admin);
    if (admin) await screenshot(admin.page, 'failed-templates-composer').catch(() => {});
    throw err;
  } finally {
    await admin?.context.close();
  }
});

test('the connection page lists its templates as Meta has them, and Sincronizar reads a new one now; a number without its WABA id says why it cannot', async (t) => {
  const waba = await prepare();
  let admin: Session | undefined;
  try {
    admin = await loggedIn(browser, w, w.people.admin, { viewport: { width: 1366, height: 900 } });
    const { page } = admin;
    await page.goto(`${w.app.url}/admin/connections?id=${w.connectionId}`);
    const card = page.locator('[data-testid=connection-templates]');
    await card.locator('[data-testid=templates-table]').waitFor();
    const status = (name: string) => card.locator(`[data-testid=template-row][data-name="${name}"]`).getAttribute('data-status');
    t.is(await status('pedido_pronto'), 'APPROVED');
    t.is(await status('aguardando_analise'), 'PENDING');
    await waitForText(card.locator('[data-testid=template-row][data-name=aguardando_analise]'), 'Em análise');
    t.regex(await card.locator('[data-testid=templates-synced-at]').innerText(), /Última leitura/);

    // Meta approves a new template; the admin does not wait for the periodic sync.
    w.sim.addTemplate({ wabaId: waba, name: 'retorno_visita', language: 'pt_BR', status: 'APPROVED', components: [{ type: 'BODY', text: 'Podemos confirmar sua visita, {{1}}?' }] });
    t.is(await card.locator('[data-testid=template-row][data-name=retorno_visita]').count(), 0);
    await card.locator('[data-testid=templates-sync]').click();
    await card.locator('[data-testid=template-row][data-name=retorno_visita]').waitFor();
    await waitForText(page.locator('.toast').last(), 'Modelos sincronizados');
    await screenshot(page, 'connection-templates');

    // Without the WABA id there is nothing to read templates through: the card and the refusal say so.
    await w.app.deps.db('connections').where({ id: w.connectionId }).update({ business_account_id: null });
    await page.reload();
    await card.locator('[data-testid=templates-table]').waitFor();
    await waitForText(card, 'Informe o ID da conta do WhatsApp Business');
    await card.locator('[data-testid=templates-sync]').click();
    await waitForText(card.locator('[data-testid=templates-sync-error]'), 'não tem o ID da conta do WhatsApp Business');
    t.truthy(await card.locator('[data-testid=template-row][data-name=retorno_visita]').count(), 'what was read stays listed');
    t.deepEqual(admin.errors.filter((e) => !e.includes('422')), [], 'no errors in the page but the refused sync');
  } catch (err) {
    reportErrors(t, 'admin', admin);
    if (admin) await screenshot(admin.page, 'failed-connection-templates').catch(() => {});
    throw err;
  } finally {
    await w.app.deps.db('connections').where({ id: w.connectionId }).update({ business_account_id: w.sim.wabaOf(w.phoneNumberId) });
    await admin?.context.close();
  }
});
