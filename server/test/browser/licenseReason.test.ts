import anyTest from 'ava';
import type { Browser } from 'playwright-core';
import { loggedIn, reportErrors, screenshot, useBrowserWorld, waitForText, markNoReload, wasNotReloaded, type BrowserWorld, type Session } from './support.js';

// One test that suspends the license of the whole appliance.
const test = anyTest.serial;
let w: BrowserWorld;
let browser: Browser;

useBrowserWorld(anyTest, (world, b) => { w = world; browser = b; });

/** What the scheduler does on its own: the appliance's clock moves on and its next tick runs. */
async function schedulerRunsAfter(ms: number): Promise<boolean> {
  w.app.clock.advance(ms);
  return w.app.web.scheduler.tick();
}

test('a suspension shows the vendor\'s reason on the banner and the License page, live; the resume lifts it by itself', async (t) => {
  let ana: Session | undefined;
  let admin: Session | undefined;
  try {
    ana = await loggedIn(browser, w, w.people.ana);
    admin = await loggedIn(browser, w, w.people.admin);
    await admin.page.goto(`${w.app.url}/admin/license`);
    await admin.page.locator('[data-testid=page-license][data-state=active]').waitFor();
    await markNoReload(ana.page);
    await markNoReload(admin.page);

    const reason = 'Fatura 2291 em aberto. Fale com o financeiro: (11) 4000-1234';
    t.is((await w.service.admin('POST', `/licenses/${w.licenseId}/suspend`, { reason })).status, 200);
    t.true(await schedulerRunsAfter(16 * 60_000), 'the regular heartbeat meets the suspension');

    // The attendant, who cannot open the License page, reads the vendor's words on the banner.
    const banner = ana.page.locator('[data-testid=license-banner][data-state=restricted]');
    await banner.waitFor();
    await waitForText(banner.locator('[data-testid=license-vendor-reason]'), reason);
    t.regex(await banner.innerText(), /a licença foi suspensa/);
    t.regex(await banner.innerText(), /Motivo informado pelo fornecedor: “Fatura 2291 em aberto\. Fale com o financeiro: \(11\) 4000-1234”\./);
    await ana.page.waitForTimeout(200);
    t.log(await screenshot(ana.page, 'license-reason-banner'));

    const page = admin.page.locator('[data-testid=page-license][data-state=restricted]');
    await page.waitFor();
    await waitForText(page.locator('[data-testid=license-page-vendor-reason]'), reason);
    await page.locator('[data-testid=license-lifts-by-itself]').waitFor();
    await waitForText(admin.page.locator('[data-testid=license-banner] [data-testid=license-vendor-reason]'), reason);
    await admin.page.waitForTimeout(200);
    t.log(await screenshot(admin.page, 'license-reason-page'));

    // The vendor resumes; within one short check (a minute) it is gone, nobody clicks anything.
    t.is((await w.service.admin('POST', `/licenses/${w.licenseId}/resume`)).status, 200);
    t.true(await schedulerRunsAfter(61_000), 'the one-minute check runs');
    await admin.page.locator('[data-testid=page-license][data-state=active]').waitFor();
    await ana.page.locator('[data-testid=license-banner]').waitFor({ state: 'detached' });
    t.is(await admin.page.locator('[data-testid=license-page-vendor-reason]').count(), 0);
    t.true(await wasNotReloaded(ana.page) && await wasNotReloaded(admin.page), 'all of it arrived live');
  } catch (err) {
    reportErrors(t, 'ana', ana);
    reportErrors(t, 'admin', admin);
    if (ana) await screenshot(ana.page, 'failed-license-reason').catch(() => {});
    if (admin) await screenshot(admin.page, 'failed-license-reason-admin').catch(() => {});
    throw err;
  } finally {
    await ana?.context.close();
    await admin?.context.close();
  }
});
