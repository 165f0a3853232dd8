import anyTest from 'ava';
import type { Browser } from 'playwright-core';
import {
  conversationOf, cookieOf, loggedIn, markNoReload, messageWithText, newCustomer, reportErrors, screenshot,
  useBrowserWorld, waitForText, wasNotReloaded, type BrowserWorld, type Session,
} from './support.js';

// The last test restricts the license for the whole appliance: these run in order.
const test = anyTest.serial;
let w: BrowserWorld;
let browser: Browser;

useBrowserWorld(anyTest, (world, b) => { w = world; browser = b; });

test('an admin sees the admin pages: License (usage) and Connections (screenshots)', async (t) => {
  let admin: Session | undefined;
  try {
    admin = await loggedIn(browser, w, w.people.admin);
    const { page } = admin;
    for (const nav of ['nav-users', 'nav-teams', 'nav-connections', 'nav-quick-replies', 'nav-license']) {
      t.true(await page.locator(`[data-testid=${nav}]`).isVisible(), `${nav} is offered to an admin`);
    }

    await page.locator('[data-testid=nav-license]').click();
    const lic = page.locator('[data-testid=page-license]');
    await lic.waitFor();
    await waitForText(lic.locator('[data-testid=usage-users]'), '4'); // admin, Ana, Bruno, Carla
    await waitForText(lic.locator('[data-testid=usage-connections]'), '1');
    await lic.locator('[data-testid=usage-messagesThisMonth]').waitFor();
    await lic.locator('[data-testid=usage-campaignsThisMonth]').waitFor();
    await page.waitForTimeout(300);
    t.log(await screenshot(page, 'admin-license'));

    await page.locator('[data-testid=nav-connections]').click();
    const conns = page.locator('[data-testid=page-connections]');
    await conns.waitFor();
    await waitForText(conns, 'WhatsApp Loja');
    t.is(await conns.getByText('browser-app-secret').count(), 0, 'secrets are never shown');
    await page.waitForTimeout(300);
    t.log(await screenshot(page, 'admin-connections'));
  } catch (err) {
    reportErrors(t, 'admin', admin);
    if (admin) await screenshot(admin.page, 'failed-admin-pages').catch(() => {});
    throw err;
  } finally {
    await admin?.context.close();
  }
});

test('an attendant gets no admin pages: no links, a forbidden page by URL, 403 from the API', async (t) => {
  let ana: Session | undefined;
  try {
    ana = await loggedIn(browser, w, w.people.ana);
    const { page } = ana;
    t.true(await page.locator('[data-testid=nav-inbox]').isVisible());
    for (const nav of ['nav-users', 'nav-teams', 'nav-connections', 'nav-license']) {
      t.is(await page.locator(`[data-testid=${nav}]`).count(), 0, `no ${nav} for an attendant`);
    }
    for (const [url, root] of [['/admin/users', 'page-users'], ['/admin/license', 'page-license'], ['/admin/connections', 'page-connections']] as const) {
      await page.goto(`${w.app.url}${url}`);
      await page.locator('[data-testid=forbidden]').waitFor();
      t.is(await page.locator(`[data-testid=${root}]`).count(), 0, `${url} does not render its page`);
    }
    // The server decides for real: the same session, from the page, is refused.
    const answers = await page.evaluate(async () => [
      (await fetch('/api/users', { credentials: 'same-origin' })).status,
      (await fetch('/api/license/refresh', { method: 'POST', credentials: 'same-origin' })).status,
    ]);
    t.deepEqual(answers, [403, 403], 'GET /api/users and POST /api/license/refresh answer 403');
  } catch (err) {
    reportErrors(t, 'ana', ana);
    if (ana) await screenshot(ana.page, 'failed-attendant-forbidden').catch(() => {});
    throw err;
  } finally {
    await ana?.context.close();
  }
});

test('a restricted license shows the banner and blocks the composer with the reason, live', async (t) => {
  let ana: Session | undefined;
  let admin: Session | undefined;
  try {
    ana = await loggedIn(browser, w, w.people.ana);
    const { page } = ana;
    const cookie = await cookieOf(ana.context);
    const waId = newCustomer();
    await w.customerWrites(waId, 'Boa tarde, o pedido 9912 já foi enviado?', 'Lucas Prado');
    const id = await conversationOf(w, waId);
    t.is((await w.api('POST', `/api/conversations/${id}/assign`, { cookie, body: { userId: w.people.ana.id } })).status, 200);
    await page.goto(`${w.app.url}/inbox/${id}`);
    await messageWithText(page, 'pedido 9912').waitFor();
    const input = page.locator('[data-testid=composer-input]');
    await input.waitFor();
    t.true(await input.isEnabled(), 'the composer works while the license is active');
    t.is(await page.locator('[data-testid=composer-blocked]').count(), 0);
    t.is(await page.locator('[data-testid=license-banner][data-state=restricted]').count(), 0);
    await markNoReload(page);

    // The vendor suspends the license; the admin checks now instead of waiting for the next heartbeat.
    t.is((await w.service.admin('POST', `/licenses/${w.licenseId}/suspend`)).status, 200);
    const refreshed = await w.api('POST', '/api/license/refresh', { cookie: w.admin });
    t.is(refreshed.body.state, 'restricted', refreshed.text);

    await page.locator('[data-testid=license-banner][data-state=restricted]').waitFor();
    const blocked = page.locator('[data-testid=composer-blocked][data-reason=restricted]');
    await blocked.waitFor();
    t.true((await blocked.innerText()).trim().length > 10, 'the composer says why');
    t.true(await input.isDisabled(), 'the composer input is disabled');
    t.true(await wasNotReloaded(page), 'the change arrived live');
    await page.waitForTimeout(200);
    t.log(await screenshot(page, 'inbox-restricted'));

    admin = await loggedIn(browser, w, w.people.admin);
    await admin.page.goto(`${w.app.url}/admin/license`);
    await admin.page.locator('[data-testid=page-license]').waitFor();
    await admin.page.locator('[data-testid=license-banner][data-state=restricted]').waitFor();
    await admin.page.waitForTimeout(300);
    t.log(await screenshot(admin.page, 'admin-license-restricted'));
  } catch (err) {
    reportErrors(t, 'ana', ana);
    reportErrors(t, 'admin', admin);
    if (ana) await screenshot(ana.page, 'failed-restricted').catch(() => {});
    throw err;
  } finally {
    await ana?.context.close();
    await admin?.context.close();
  }
});
