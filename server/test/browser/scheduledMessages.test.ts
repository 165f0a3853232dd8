/**
 * Scheduled messages in the real dashboard (issue #13 §4-5): Ana schedules a message from the
 * conversation's composer (Agendar), sees it over the composer and on the Agendadas page, edits its
 * text and cancels it; the API agrees at each step.
 */
import anyTest from 'ava';
import type { Browser } from 'playwright-core';
import { loggedIn, reportErrors, screenshot, useBrowserWorld, waitForText, conversationOf, newCustomer, type BrowserWorld, type Session } from './support.js';

const test = anyTest.serial;
let w: BrowserWorld;
let browser: Browser;
useBrowserWorld(anyTest, (world, b) => { w = world; browser = b; });

const db = () => w.app.deps.db;

test('schedule from the conversation, see it listed over the composer and in Agendadas, edit it, cancel it', async (t) => {
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
    await dialog.locator('[data-testid=schedule-fallback-name]').fill('lembrete_boleto');
    await screenshot(page, 'schedules-1-dialog');
    await dialog.locator('[data-testid=schedule-save]').click();
    await dialog.waitFor({ state: 'detached' });

    const strip = page.locator('[data-testid=conversation-schedule]');
    await strip.first().waitFor();
    await waitForText(strip.first(), 'Bom dia, Marina!');
    t.true((await strip.first().textContent())!.includes('09:30'));
    t.true((await strip.first().textContent())!.includes('lembrete_boleto'), 'the fallback template named');
    await screenshot(page, 'schedules-2-conversation');
    const row = await db()('scheduled_messages').where({ conversation_id: id }).first();
    t.like(row, { status: 'pending', recurrence: 'none', created_by: w.people.ana.id });
    t.is(row.fallback_template.name, 'lembrete_boleto');
    const typed = new Intl.DateTimeFormat('pt-BR', { timeZone: 'America/Sao_Paulo', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' }).format(row.send_at);
    t.is(typed, `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}, 09:30`, 'the date and time as typed, in the person\'s clock (the browser is in São Paulo)');

    // Edit the text from the strip.
    await strip.first().locator('[data-testid=schedule-edit]').click();
    await dialog.waitFor();
    await dialog.locator('[data-testid=schedule-text]').fill('Bom dia, Marina! O boleto vence hoje, qualquer dúvida estou aqui.');
    await dialog.locator('[data-testid=schedule-save]').click();
    await dialog.waitFor({ state: 'detached' });
    await waitForText(strip.first(), 'qualquer dúvida estou aqui');
    t.is((await db()('scheduled_messages').where({ id: row.id }).first()).content.text, 'Bom dia, Marina! O boleto vence hoje, qualquer dúvida estou aqui.');

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
