import anyTest from 'ava';
import type { Browser } from 'playwright-core';
import { conversationWith, waitFor } from '../outboundSupport.js';
import {
  conversationOf, cookieOf, item, loggedIn, loginThroughForm, markNoReload, messageWithText, newCustomer, reportErrors,
  screenshot, useBrowserWorld, wasNotReloaded, type BrowserWorld, type Session,
} from './support.js';

const test = anyTest.serial;
let w: BrowserWorld;
let browser: Browser;

useBrowserWorld(anyTest, (world, b) => { w = world; browser = b; });

test('a transfer to Suporte leaves Ana\'s queue live and shows up for Bruno', async (t) => {
  let ana: Session | undefined;
  let bruno: Session | undefined;
  try {
    [ana, bruno] = await Promise.all([loggedIn(browser, w, w.people.ana), loggedIn(browser, w, w.people.bruno)]);
    await bruno.page.locator('[data-testid=queue-unassigned]').click();
    await bruno.page.locator('[data-testid=conversation-list]').waitFor();
    await markNoReload(bruno.page);

    const waId = newCustomer();
    await w.customerWrites(waId, 'Minha impressora parou de funcionar depois da atualização.', 'Paulo Teixeira');
    const id = await conversationOf(w, waId);
    const { page } = ana;
    await page.locator('[data-testid=queue-unassigned]').click();
    await item(page, id).click();
    await messageWithText(page, 'impressora parou').waitFor();
    t.is(await item(bruno.page, id).count(), 0, 'Bruno (Suporte) does not see a Vendas conversation');
    await page.locator('[data-testid=assign-me]').click();
    await waitFor('Ana to hold it', async () => (await w.api('GET', `/api/conversations/${id}`, { cookie: w.admin })).body.assigneeId === w.people.ana.id);
    await page.locator('[data-testid=queue-mine]').click();
    await item(page, id).waitFor();
    await markNoReload(page);

    await page.locator('[data-testid=conversation] [data-testid=transfer]').click();
    const dialog = page.locator('[data-testid=transfer-dialog]');
    await dialog.waitFor();
    await dialog.locator('select[data-testid=transfer-team]').selectOption(w.teams.suporte);
    await dialog.locator('[data-testid=transfer-confirm]').click();
    await dialog.waitFor({ state: 'hidden' });

    await item(page, id).waitFor({ state: 'detached' });
    t.true(await wasNotReloaded(page), 'it left Ana\'s queue live');
    const after = (await w.api('GET', `/api/conversations/${id}`, { cookie: w.admin })).body;
    t.is(after.teamId, w.teams.suporte);
    t.is(after.assigneeId, null, 'a transfer to a team lands in its unassigned queue');

    await item(bruno.page, id).waitFor();
    t.true(await wasNotReloaded(bruno.page), 'it reached Bruno\'s queue live');
    await item(bruno.page, id).click();
    await messageWithText(bruno.page, 'impressora parou').waitFor();
    t.is(await bruno.page.locator('[data-testid=composer-input]').isVisible(), true);
  } catch (err) {
    reportErrors(t, 'ana', ana);
    reportErrors(t, 'bruno', bruno);
    if (ana) await screenshot(ana.page, 'failed-transfer-ana').catch(() => {});
    if (bruno) await screenshot(bruno.page, 'failed-transfer-bruno').catch(() => {});
    throw err;
  } finally {
    await ana?.context.close();
    await bruno?.context.close();
  }
});

test('the session ends server-side: back to the login form with a notice, and the draft survives logging in again', async (t) => {
  let ana: Session | undefined;
  try {
    ana = await loggedIn(browser, w, w.people.ana);
    const { page, context } = ana;
    const cookie = await cookieOf(context);
    const waId = newCustomer();
    await w.customerWrites(waId, 'Vocês têm a camiseta azul no tamanho G?', 'Fernanda Rocha');
    const id = await conversationOf(w, waId);
    t.is((await w.api('POST', `/api/conversations/${id}/assign`, { cookie, body: { userId: w.people.ana.id } })).status, 200);
    await page.goto(`${w.app.url}/inbox/${id}`);
    await messageWithText(page, 'camiseta azul').waitFor();
    const draft = 'Temos sim! Posso reservar uma para você até';
    const input = page.locator('[data-testid=composer-input]');
    await input.fill(draft);
    await page.waitForTimeout(300); // drafts are saved as one types (possibly debounced)

    // The session is deleted on the server (a logout from elsewhere with the same cookie).
    const out = await w.api('POST', '/api/auth/logout', { cookie });
    t.true(out.status === 204 || out.status === 200, out.text);
    t.is((await w.api('GET', '/api/auth/me', { cookie })).status, 401);

    // The next action (if the dropped socket did not already bring the login form).
    const form = page.locator('[data-testid=login-form]');
    await page.waitForTimeout(500);
    if (!(await form.isVisible())) await page.locator('[data-testid=queue-mine]').click({ timeout: 3000 }).catch(() => {});
    await form.waitFor();
    await page.locator('[data-testid=session-expired]').waitFor();
    t.is(await w.api('GET', `/api/conversations/${id}/messages`, { cookie }).then((r) => r.status), 401, 'the old cookie is dead');

    await loginThroughForm(page, w.app.url, w.people.ana.email, undefined, { goto: false });
    const back = await page.locator(`[data-testid=conversation][data-id="${id}"]`).waitFor({ timeout: 3000 }).then(() => true, () => false);
    if (!back) {
      t.log('after logging in again the app did not go back to the conversation; opening it by hand');
      await page.locator('[data-testid=queue-mine]').click();
      await item(page, id).click();
    }
    await page.locator(`[data-testid=conversation][data-id="${id}"]`).waitFor();
    await page.waitForFunction((d) => (globalThis as any).document.querySelector('[data-testid=composer-input]')?.value === d, draft);
    t.is(await input.inputValue(), draft, 'the draft is still in the composer');
    t.is(await page.locator('[data-testid=session-expired]').count(), 0);
  } catch (err) {
    reportErrors(t, 'ana', ana);
    if (ana) await screenshot(ana.page, 'failed-session-expiry').catch(() => {});
    throw err;
  } finally {
    await ana?.context.close();
  }
});

test('past the 24-hour window the composer says so before anyone types, and only a template goes out', async (t) => {
  let admin: Session | undefined;
  try {
    admin = await loggedIn(browser, w, w.people.admin);
    const { page } = admin;
    const waId = newCustomer();
    // The customer last wrote 25 hours ago.
    const id = await conversationWith(w, w.connectionId, waId, 25 * 3_600_000);
    await page.goto(`${w.app.url}/inbox/${id}`);
    const blocked = page.locator('[data-testid=composer-blocked][data-reason=window]');
    await blocked.waitFor();
    t.regex(await blocked.innerText(), /24 horas/);
    t.is(await page.locator('[data-testid=composer-input]').count(), 0, 'no free-text box outside the window');

    const form = page.locator('[data-testid=template-form]');
    await form.locator('input').first().fill('pedido_atualizado');
    await form.locator('button[type=submit]').click();
    const sent = await waitFor('the simulator to receive the template', async () => w.sim.sent.find((s) => s.to === waId), 10_000);
    t.is(sent.body.type, 'template');
    t.is(sent.body.template?.name, 'pedido_atualizado');
    t.is(sent.body.template?.language?.code, 'pt_BR');

    // A note is internal: it is still allowed.
    await page.locator('[data-testid=mode-note]').click();
    await page.locator('[data-testid=composer-input]').waitFor();
    t.false(await page.locator('[data-testid=composer-input]').isDisabled());
  } catch (err) {
    reportErrors(t, 'admin', admin);
    throw err;
  } finally {
    await admin?.context.close();
  }
});
