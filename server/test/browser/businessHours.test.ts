import anyTest from 'ava';
import type { Browser, Locator } from 'playwright-core';
import { loggedIn, reportErrors, screenshot, useBrowserWorld, waitForText, type BrowserWorld, type Session } from './support.js';

/**
 * The business hours page: an admin builds a calendar for the WhatsApp connection with a lunch break,
 * a Saturday night shift and a special date, the page refuses an overlap in our words, and what was
 * saved comes back after a reload; a supervisor sees it read-only, an attendant not at all.
 */
const test = anyTest.serial;
let w: BrowserWorld;
let browser: Browser;

useBrowserWorld(anyTest, (world, b) => { w = world; browser = b; });

/** Types a time as a person does and leaves the field (times commit on change). */
const time = async (field: Locator, text: string) => {
  await field.fill(text);
  await field.blur();
};

test('an admin creates a calendar with a lunch break, a night shift and a special date, and sees it saved', async (t) => {
  let admin: Session | undefined;
  try {
    admin = await loggedIn(browser, w, w.people.admin);
    const { page } = admin;
    await page.locator('[data-testid=nav-business-hours]').click();
    const list = page.locator('[data-testid=page-business-hours]');
    await list.waitFor();
    await waitForText(list, 'Nenhum calendário ainda');

    await page.locator('[data-testid=bh-create]').click();
    const form = page.locator('[data-testid=bh-form]');
    await form.waitFor();
    await form.locator('[data-testid=bh-name]').fill('Loja Centro');
    await form.locator('[data-testid=bh-subject]').selectOption(`c:${w.connectionId}`);
    await form.locator('[data-testid=bh-timezone]').selectOption('America/Sao_Paulo');

    // Monday starts as 08:00–12:00 and 13:00–18:00; lunch ends at 13:30.
    const day = (d: number) => form.locator(`[data-testid=bh-day][data-day="${d}"]`);
    const monday = day(1).locator('[data-testid=bh-interval]');
    t.is(await monday.count(), 2, 'a lunch break is two intervals');
    await time(monday.nth(1).locator('[data-testid=bh-from]'), '1330');
    t.is(await monday.nth(1).locator('[data-testid=bh-from]').inputValue(), '13:30', 'typed digits read as a time');
    await form.locator('[data-testid=bh-copy-weekdays]').click();
    t.is(await day(5).locator('[data-testid=bh-from]').nth(1).inputValue(), '13:30', 'copied to Friday');

    // Saturday: a night shift into Sunday.
    t.is(await day(6).locator('[data-testid=bh-closed-day]').count(), 1, 'Saturday starts closed');
    await day(6).locator('[data-testid=bh-add-interval]').click();
    await time(day(6).locator('[data-testid=bh-from]'), '22:00');
    await time(day(6).locator('[data-testid=bh-to]'), '2');
    await waitForText(day(6), '+1');

    // An overlap on Tuesday is refused before it is sent, in Portuguese.
    await day(2).locator('[data-testid=bh-add-interval]').click();
    await time(day(2).locator('[data-testid=bh-from]').nth(2), '11:00');
    await time(day(2).locator('[data-testid=bh-to]').nth(2), '12:30');
    await page.locator('[data-testid=bh-save]').click();
    await waitForText(page.locator('[data-testid=form-error]'), 'Terça: os intervalos');
    await day(2).locator('[data-testid=bh-remove-interval]').nth(2).click();

    // A special date with its own hours.
    await form.locator('[data-testid=bh-add-exception]').click();
    const ex = form.locator('[data-testid=bh-exception]').first();
    await ex.locator('[data-testid=bh-ex-date]').fill('2026-12-24');
    await ex.locator('[data-testid=bh-ex-name]').fill('Véspera de Natal');
    await ex.locator('[data-testid=bh-ex-kind]').selectOption('hours');
    await time(ex.locator('[data-testid=bh-from]'), '08:00');
    await time(ex.locator('[data-testid=bh-to]'), '12:00');

    // Holidays: the year's national list is shown; Carnaval stays open unless chosen.
    const holidays = form.locator('[data-testid=bh-holiday-list]');
    await waitForText(holidays, 'Tiradentes');
    await waitForText(holidays, 'Consciência Negra');
    t.false(await form.locator('[data-testid=bh-optional-carnaval]').isChecked());

    await form.locator('[data-testid=bh-ooo-enabled]').check();
    await form.locator('[data-testid=bh-ooo-text]').fill('Olá! Atendemos de segunda a sexta, das 8h às 18h. Respondemos assim que voltarmos.');
    await page.waitForTimeout(200);
    await form.locator('[data-testid=bh-name]').scrollIntoViewIfNeeded();
    await page.locator('[data-testid=page-business-hours-editor] .back-link').scrollIntoViewIfNeeded();
    t.log(await screenshot(page, 'business-hours-editor'));
    await ex.scrollIntoViewIfNeeded();
    t.log(await screenshot(page, 'business-hours-editor-dates'));

    await page.locator('[data-testid=bh-save]').click();
    await list.waitFor();
    const row = list.locator('[data-testid=bh-row]');
    await waitForText(row, 'Loja Centro');
    await waitForText(row, 'WhatsApp Loja');
    await waitForText(row.locator('[data-testid=bh-summary]'), 'Seg–Sex 08:00–12:00, 13:30–18:00 · Sáb 22:00–02:00');

    // Saved for real: the API has it, and the editor shows it again after a reload.
    const [saved] = (await w.api('GET', '/api/business-hours', { cookie: w.admin })).body.items;
    t.deepEqual(saved.week['2'], [{ from: '08:00', to: '12:00' }, { from: '13:30', to: '18:00' }]);
    t.deepEqual(saved.week['6'], [{ from: '22:00', to: '02:00' }]);
    t.deepEqual(saved.week['7'], []);
    t.deepEqual(saved.exceptions, [{ date: '2026-12-24', name: 'Véspera de Natal', closed: false, intervals: [{ from: '08:00', to: '12:00' }] }]);
    t.is(saved.connectionId, w.connectionId);
    t.true(saved.outOfOffice.enabled);
    t.true(saved.nationalHolidays);

    await page.setViewportSize({ width: 1360, height: 520 });
    await page.waitForTimeout(200);
    t.log(await screenshot(page, 'business-hours-list'));
    await page.setViewportSize({ width: 1360, height: 860 });

    await page.goto(`${w.app.url}/admin/business-hours?calendar=${saved.id}`);
    await form.waitFor();
    t.is(await form.locator('[data-testid=bh-name]').inputValue(), 'Loja Centro');
    t.is(await day(1).locator('[data-testid=bh-to]').first().inputValue(), '12:00');
    t.is(await day(1).locator('[data-testid=bh-from]').nth(1).inputValue(), '13:30');
    t.is(await day(6).locator('[data-testid=bh-to]').inputValue(), '02:00');
    t.is(await form.locator('[data-testid=bh-ex-name]').inputValue(), 'Véspera de Natal');
    t.is(await form.locator('[data-testid=bh-ex-date]').inputValue(), '2026-12-24');
    t.true(await form.locator('[data-testid=bh-ooo-enabled]').isChecked());
    t.is(await form.locator('[data-testid=bh-subject]').inputValue(), `c:${w.connectionId}`);
  } catch (err) {
    reportErrors(t, 'admin', admin);
    if (admin) await screenshot(admin.page, 'failed-business-hours').catch(() => {});
    throw err;
  } finally {
    await admin?.context.close();
  }
});

test('a supervisor sees calendars read-only; an attendant gets no entry and a forbidden page', async (t) => {
  let carla: Session | undefined;
  let ana: Session | undefined;
  try {
    carla = await loggedIn(browser, w, w.people.supervisor);
    await carla.page.locator('[data-testid=nav-business-hours]').click();
    const row = carla.page.locator('[data-testid=bh-row]');
    await waitForText(row, 'Loja Centro');
    t.is(await carla.page.locator('[data-testid=bh-create]').count(), 0, 'no create button');
    t.is(await carla.page.locator('[data-testid=bh-delete]').count(), 0, 'no delete button');
    await row.locator('[data-testid=bh-edit]').click();
    const form = carla.page.locator('[data-testid=bh-form]');
    await form.waitFor();
    t.true(await form.locator('[data-testid=bh-name]').isDisabled(), 'fields are read-only');
    t.is(await carla.page.locator('[data-testid=bh-save]').count(), 0, 'nothing to save');

    ana = await loggedIn(browser, w, w.people.ana);
    t.is(await ana.page.locator('[data-testid=nav-business-hours]').count(), 0);
    await ana.page.goto(`${w.app.url}/admin/business-hours`);
    await ana.page.locator('[data-testid=forbidden]').waitFor();
  } catch (err) {
    reportErrors(t, 'carla', carla);
    reportErrors(t, 'ana', ana);
    throw err;
  } finally {
    await carla?.context.close();
    await ana?.context.close();
  }
});
