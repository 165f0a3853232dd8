/**
 * The composer on Instagram past the 24 hours: within 7 days of the customer's last message an attendant
 * may still reply (the hint says it goes as a human agent reply) and it reaches Meta tagged HUMAN_AGENT;
 * after 7 days the composer says why nothing can be sent, before anyone types.
 */
import anyTest, { type ExecutionContext } from 'ava';
import type { Browser, Page } from 'playwright-core';
import { conversationWith, waitFor } from '../outboundSupport.js';
import { loggedIn, reportErrors, screenshot, useBrowserWorld, type BrowserWorld, type Session } from './support.js';

const test = anyTest.serial;
const DAY = 86_400_000;
let w: BrowserWorld;
let browser: Browser;
let igConnection: string;
const accountId = `1784${String(process.pid).padStart(11, '0')}`;

useBrowserWorld(anyTest, (world, b) => { w = world; browser = b; });

const prepare = async () => {
  if (igConnection) return;
  w.sim.addInstagramAccount({ accountId, accessToken: 'IGQ-browser-token' });
  w.sim.setClock(w.app.clock.now);
  const res = await w.api('POST', '/api/connections', {
    cookie: w.admin,
    body: { channel: 'instagram', name: 'Instagram Loja', accountId, accessToken: 'IGQ-browser-token', appSecret: 'app-secret-0123456789', verifyToken: 'verify-me-please', teamId: w.teams.vendas },
  });
  if (res.status !== 201) throw new Error(`connection: ${res.status} ${res.text}`);
  igConnection = res.body.id;
};

/** An Instagram customer who last wrote `agoMs` ago (the appliance and the simulator both know). */
const customer = async (userId: string, agoMs: number) => {
  w.sim.instagramUserWrote({ accountId, userId, at: new Date(w.app.clock.now().getTime() - agoMs) });
  return conversationWith(w, igConnection, userId, agoMs);
};

/** The conversation of a customer who wrote `agoMs` ago, opened in the admin's browser. */
async function openedAsAdmin(t: ExecutionContext, userId: string, agoMs: number, check: (page: Page) => Promise<void>): Promise<void> {
  await prepare();
  let admin: Session | undefined;
  try {
    admin = await loggedIn(browser, w, w.people.admin);
    await admin.page.goto(`${w.app.url}/inbox/${await customer(userId, agoMs)}`);
    await check(admin.page);
  } catch (err) {
    reportErrors(t, 'admin', admin);
    throw err;
  } finally {
    await admin?.context.close();
  }
}

test('3 days after the customer wrote, the Instagram composer still takes a reply, says it goes as a human agent reply, and Meta gets it tagged', (t) =>
  openedAsAdmin(t, '6900000000000301', 3 * DAY, async (page) => {
    const hint = page.locator('[data-testid=agent-window-hint]');
    await hint.waitFor();
    t.regex(await hint.innerText(), /atendimento humano/);
    t.is(await page.locator('[data-testid=composer-blocked]').count(), 0);
    await page.locator('[data-testid=composer-input]').fill('Desculpe a demora, ainda temos o modelo.');
    await page.locator('[data-testid=send]').click();
    const sent = await waitFor('the reply at Meta', async () => w.sim.sent.find((s) => s.to === '6900000000000301'), 10_000);
    t.like(sent.body, { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
    await screenshot(page, 'instagram-agent-window');
  }));

test('8 days after, the Instagram composer says the 7 days are over and offers no box', (t) =>
  openedAsAdmin(t, '6900000000000302', 8 * DAY, async (page) => {
    const blocked = page.locator('[data-testid=composer-blocked][data-reason=window]');
    await blocked.waitFor();
    t.regex(await blocked.innerText(), /7 dias/);
    t.is(await page.locator('[data-testid=composer-input]').count(), 0);
    t.is(await page.locator('[data-testid=template-compose]').count(), 0, 'Instagram has no templates to offer');
  }));
