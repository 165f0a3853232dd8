/**
 * Scheduled messages in the real dashboard (issue #13 §4-5): Ana schedules a message from the
 * conversation's composer (Agendar) with a synced fallback template, sees it over the composer and on
 * the Agendadas page, edits its text and cancels it; she schedules a template and a file too. The API
 * agrees at each step.
 */
import anyTest from 'ava';
import type { Browser } from 'playwright-core';
import { loggedIn, reportErrors, screenshot, useBrowserWorld, waitForText, conversationOf, newCustomer, type BrowserWorld, type Session, withSyncedTemplates } from './support.js';

const test = anyTest.serial;
let w: BrowserWorld;
let browser: Browser;
useBrowserWorld(anyTest, (world, b) => { w = world; browser = b; });

const db = () => w.app.deps.db;

test('schedule from the conversation, see it listed over the composer and in Agendadas, edit it, cancel it', async (t) => {
  await withSyncedTemplates(w);
  let ana: Session | undefined;
  try {
    const waId = newCustomer();
    await w.customerWrites(waId, 'Oi, podem me lembrar amanhã do boleto?', 'Marina Costa');
    const id = await conversationOf(w, waId);
    ana = await loggedIn(browser, w, w.people.ana);
    const { page } = ana;
    await page.goto(`${w.app.url}/inbox/${id}?queue=all`);
    await page.locator('[data-testid=composer-input]').fill('Bom dia, Marina! Passando para lembrar do boleto que vence hoje.');

    await page.locator('[data-testid=schedule-open]').click();
    const dialog = page.locator('[data-testid=schedule-dialog]');
    await dialog.waitFor();
    t.is(await dialog.locator('[data-testid=schedule-text]').inputValue(), 'Bom dia, Marina! Passando para lembrar do boleto que vence hoje.', 'the typed text comes along');
    // Tomorrow in the browser's zone (São Paulo), written as the date field takes it.
    const date = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Sao_Paulo' }).format(new Date(Date.now() + 86_400_000));
    await dialog.locator('[data-testid=schedule-date]').fill(`${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`);
    await dialog.locator('[data-testid=schedule-time]').fill('09:30');
    // Tomorrow 09:30 is past the 24-hour window of a message written now only late in the day; the warning follows the window.
    // The fallback is one of the number's approved templates, its variables filled like any send's.
    const fallback = dialog.locator('[data-testid=schedule-fallback]');
    await fallback.locator('[data-testid=template-select]').selectOption({ label: 'pedido_pronto · pt_BR · Utilidade' });
    await fallback.locator('[data-slot="body.1"]').fill('Marina');
    t.true(await dialog.locator('[data-testid=schedule-save]').isDisabled(), 'a fallback with an empty variable is not saved');
    await fallback.locator('[data-slot="body.2"]').fill('#4521');
    t.regex(await fallback.locator('[data-testid=template-preview]').innerText(), /Olá Marina, seu pedido #4521 está pronto/);
    await screenshot(page, 'schedules-1-dialog');
    await dialog.locator('[data-testid=schedule-save]').click();
    await dialog.waitFor({ state: 'detached' });

    const strip = page.locator('[data-testid=conversation-schedule]');
    await strip.first().waitFor();
    await waitForText(strip.first(), 'Bom dia, Marina!');
    t.true((await strip.first().textContent())!.includes('09:30'));
    t.true((await strip.first().textContent())!.includes('pedido_pronto'), 'the fallback template named');
    await screenshot(page, 'schedules-2-conversation');
    const row = await db()('scheduled_messages').where({ conversation_id: id }).first();
    t.like(row, { status: 'pending', recurrence: 'none', created_by: w.people.ana.id });
    t.like(row.fallback_template, { name: 'pedido_pronto', language: 'pt_BR' });
    t.deepEqual(row.fallback_template.components, [{ type: 'body', parameters: [{ type: 'text', text: 'Marina' }, { type: 'text', text: '#4521' }] }]);
    const typed = new Intl.DateTimeFormat('pt-BR', { timeZone: 'America/Sao_Paulo', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' }).format(row.send_at);
    t.is(typed, `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}, 09:30`, 'the date and time as typed, in the person\'s clock (the browser is in São Paulo)');

    // Edit the text from the strip.
    await strip.first().locator('[data-testid=schedule-edit]').click();
    await dialog.waitFor();
    await waitForText(dialog.locator('[data-testid=schedule-current-fallback]'), 'pedido_pronto');
    await dialog.locator('[data-testid=schedule-text]').fill('Bom dia, Marina! O boleto vence hoje, qualquer dúvida estou aqui.');
    await dialog.locator('[data-testid=schedule-save]').click();
    await dialog.waitFor({ state: 'detached' });
    await waitForText(strip.first(), 'qualquer dúvida estou aqui');
    const edited = await db()('scheduled_messages').where({ id: row.id }).first();
    t.is(edited.content.text, 'Bom dia, Marina! O boleto vence hoje, qualquer dúvida estou aqui.');
    t.deepEqual(edited.fallback_template, row.fallback_template, 'the fallback kept as it was');

    // The page of their own.
    await page.locator('[data-testid=nav-schedules]').click();
    await page.waitForURL(/\/schedules/);
    const listed = page.locator(`[data-testid=schedule-row][data-id="${row.id}"]`);
    await listed.waitFor();
    await waitForText(listed, 'Marina Costa');
    t.is((await listed.locator('[data-testid=schedule-status]').textContent())?.trim(), 'Agendada');
    await screenshot(page, 'schedules-3-page');

    // Cancel from the page.
    await listed.locator('[data-testid=schedule-cancel]').click();
    const confirm = page.locator('[data-testid=schedule-cancel-dialog]');
    await confirm.waitFor();
    await screenshot(page, 'schedules-4-cancel');
    await confirm.locator('[data-testid=schedule-cancel-confirm]').click();
    await listed.waitFor({ state: 'detached' });
    t.like(await db()('scheduled_messages').where({ id: row.id }).first(), { status: 'cancelled', cancel_reason: 'cancelled_by_user', cancelled_by: w.people.ana.id });

    await page.locator('[data-testid=schedule-filter-cancelled]').click();
    const cancelled = page.locator(`[data-testid=schedule-row][data-id="${row.id}"]`);
    await cancelled.waitFor();
    t.is((await cancelled.locator('[data-testid=schedule-status]').textContent())?.trim(), 'Cancelada');
    await waitForText(cancelled.locator('[data-testid=schedule-reason]'), 'Cancelada por uma pessoa.');
    await screenshot(page, 'schedules-5-cancelled');

    // Back in the conversation, nothing is pending any more.
    await page.goto(`${w.app.url}/inbox/${id}?queue=all`);
    await page.locator('[data-testid=composer-input]').waitFor();
    await page.waitForTimeout(500);
    t.is(await page.locator('[data-testid=conversation-schedule]').count(), 0);
    t.deepEqual(ana.errors, []);
  } catch (err) {
    reportErrors(t, 'ana', ana);
    throw err;
  } finally {
    await ana?.context.close();
  }
});

const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex'), Buffer.alloc(32, 7)]);

test('schedule an approved template with its parameters, and a file with its caption; an edit of the caption keeps the file', async (t) => {
  await withSyncedTemplates(w);
  let ana: Session | undefined;
  try {
    const waId = newCustomer();
    await w.customerWrites(waId, 'Quando sai a promoção?', 'Joana Reis');
    const id = await conversationOf(w, waId);
    ana = await loggedIn(browser, w, w.people.ana, { viewport: { width: 1366, height: 900 } });
    const { page } = ana;
    await page.goto(`${w.app.url}/inbox/${id}?queue=all`);
    const dialog = page.locator('[data-testid=schedule-dialog]');

    // A template: no fallback to choose (a template goes out with the window closed too).
    await page.locator('[data-testid=schedule-open]').click();
    await dialog.locator('[data-testid=schedule-kind-template]').click();
    t.is(await dialog.locator('[data-testid=schedule-fallback]').count(), 0);
    await dialog.locator('[data-testid=template-select]').selectOption({ label: 'promocao_mes · pt_BR · Marketing' });
    await dialog.locator('[data-slot=header]').fill('https://cdn.loja.example.com/maio.jpg');
    await dialog.locator('[data-slot="body.1"]').fill('Joana');
    await dialog.locator('[data-slot="body.2"]').fill('20%');
    t.true(await dialog.locator('[data-testid=schedule-save]').isDisabled(), 'every variable first');
    await dialog.locator('[data-slot="button.0"]').fill('maio');
    await screenshot(page, 'schedules-template-dialog');
    await dialog.locator('[data-testid=schedule-save]').click();
    await dialog.waitFor({ state: 'detached' });
    const strip = page.locator('[data-testid=conversation-schedule]');
    await waitForText(strip.first(), 'promocao_mes');
    const tpl = await db()('scheduled_messages').where({ conversation_id: id }).first();
    t.like(tpl.content, { type: 'template', template: { name: 'promocao_mes', language: 'pt_BR' } });
    t.deepEqual(tpl.content.template.components, [
      { type: 'header', parameters: [{ type: 'image', image: { link: 'https://cdn.loja.example.com/maio.jpg' } }] },
      { type: 'body', parameters: [{ type: 'text', text: 'Joana' }, { type: 'text', text: '20%' }] },
      { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'maio' }] },
    ]);
    t.is(tpl.fallback_template, null);

    // A file with a caption.
    await page.locator('[data-testid=schedule-open]').click();
    await dialog.locator('[data-testid=schedule-kind-media]').click();
    t.true(await dialog.locator('[data-testid=schedule-save]').isDisabled(), 'no file yet');
    await dialog.locator('[data-testid=schedule-file-input]').setInputFiles({ name: 'cardapio.png', mimeType: 'image/png', buffer: PNG });
    await waitForText(dialog.locator('[data-testid=schedule-file]'), 'cardapio.png');
    await dialog.locator('[data-testid=schedule-caption]').fill('Segue o cardápio da semana');
    await screenshot(page, 'schedules-file-dialog');
    await dialog.locator('[data-testid=schedule-save]').click();
    await dialog.waitFor({ state: 'detached' });
    await page.locator('[data-testid=conversation-schedule]', { hasText: 'Segue o cardápio da semana' }).waitFor();
    const file = await db()('scheduled_messages').where({ conversation_id: id }).whereRaw(`content->>'type' = 'image'`).first();
    t.like(file.content, { type: 'image', caption: 'Segue o cardápio da semana' });
    t.regex(file.content.uploadId, /^[0-9a-f-]{36}$/);

    // Editing the caption keeps the file.
    await page.locator('[data-testid=conversation-schedule]', { hasText: 'Segue o cardápio da semana' }).locator('[data-testid=schedule-edit]').click();
    await dialog.waitFor();
    await waitForText(dialog.locator('[data-testid=schedule-file]'), 'Arquivo já anexado');
    await dialog.locator('[data-testid=schedule-caption]').fill('Cardápio novo da semana');
    await dialog.locator('[data-testid=schedule-save]').click();
    await dialog.waitFor({ state: 'detached' });
    await page.locator('[data-testid=conversation-schedule]', { hasText: 'Cardápio novo da semana' }).waitFor();
    t.like((await db()('scheduled_messages').where({ id: file.id }).first()).content, { type: 'image', uploadId: file.content.uploadId, caption: 'Cardápio novo da semana' });
    await screenshot(page, 'schedules-template-and-file');
    t.deepEqual(ana.errors, []);
  } catch (err) {
    reportErrors(t, 'ana', ana);
    if (ana) await screenshot(ana.page, 'failed-schedules-template-file').catch(() => {});
    throw err;
  } finally {
    await ana?.context.close();
  }
});
