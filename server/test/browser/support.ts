/**
 * Browser tests' harness: Debian's Chromium driven by playwright-core against the real appliance (its own
 * PostgreSQL database and Redis, the license service as a process, the worker, and the Meta simulator as
 * Graph API). One browser per test file; one browser context per person, so each has its own cookies.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ExecutionContext, TestFn } from 'ava';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { postWebhook, waEnvelope, waMessagesValue, waStatus, waText } from '../../../scripts/meta-simulator/webhooks.js';
import { startOutboundWorld, type OutboundWorld } from '../outboundSupport.js';
import { PASSWORD } from '../support.js';

export { PASSWORD };

const SCREENSHOTS = path.resolve('test-artifacts/screenshots');
/** How long a UI expectation waits before failing (live updates arrive in well under a second). */
export const UI_TIMEOUT = 8_000;

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

export interface Person { id: string; email: string; name: string }

export interface BrowserWorld extends OutboundWorld {
  teams: { vendas: string; suporte: string };
  people: { admin: Person; ana: Person; bruno: Person; supervisor: Person };
  connectionId: string;
  phoneNumberId: string;
  appSecret: string;
  webhookUrl: string;
  /** A simulated customer writes (Meta's signed `messages` webhook to the appliance); returns the wamid. */
  customerWrites(waId: string, text: string, name?: string): Promise<string>;
  /** Meta's status webhook for a message the business sent. */
  statusWebhook(wamid: string, waId: string, status: 'sent' | 'delivered' | 'read' | 'failed'): Promise<void>;
  /** Calls the API as someone (cookie from their browser context, or the admin's). */
  api: OutboundWorld['app']['api'];
}

let phoneSeq = 0;

/**
 * The world of the browser tests: license service + simulator + appliance + worker + admin
 * (outboundSupport), teams Vendas and Suporte, attendant Ana (Vendas), attendant Bruno (Suporte), a
 * supervisor (Vendas), and a WhatsApp connection in team Vendas, all made through the API.
 */
/** A test file's world and browser: started before its tests, handed to `ready`, closed after them. */
export function useBrowserWorld(test: TestFn, ready: (w: BrowserWorld, browser: Browser) => void): void {
  let w: BrowserWorld | undefined;
  let browser: Browser | undefined;
  test.before(async () => {
    [w, browser] = await Promise.all([startBrowserWorld(), launchBrowser()]);
    ready(w, browser);
  });
  test.after.always(async () => {
    await browser?.close();
    await w?.close();
  });
}

export async function startBrowserWorld(): Promise<BrowserWorld> {
  const w = await startOutboundWorld({ users: 20 });
  try {
    const api = w.app.api;
    const team = async (name: string) => {
      const res = await api('POST', '/api/teams', { cookie: w.admin, body: { name } });
      if (res.status !== 201) throw new Error(`team ${name}: ${res.status} ${res.text}`);
      return res.body.id as string;
    };
    const vendas = await team('Vendas');
    const suporte = await team('Suporte');
    const user = async (email: string, name: string, role: 'attendant' | 'supervisor', teamIds: string[]): Promise<Person> => {
      const res = await api('POST', '/api/users', { cookie: w.admin, body: { email, name, role, password: PASSWORD, teamIds } });
      if (res.status !== 201) throw new Error(`user ${email}: ${res.status} ${res.text}`);
      return { id: res.body.id ?? res.body.user?.id, email, name };
    };
    const ana = await user('ana@loja.com.br', 'Ana', 'attendant', [vendas]);
    const bruno = await user('bruno@loja.com.br', 'Bruno', 'attendant', [suporte]);
    const supervisor = await user('carla@loja.com.br', 'Carla', 'supervisor', [vendas]);
    const me = await api('GET', '/api/auth/me', { cookie: w.admin });
    const admin: Person = { id: me.body.user.id, email: 'admin@loja.com.br', name: me.body.user.name };

    const phoneNumberId = `10${String(process.pid).padStart(7, '0')}${String(++phoneSeq).padStart(6, '0')}`;
    const accessToken = `EAAG-browser-${phoneNumberId}`;
    const appSecret = 'browser-app-secret-0123456789';
    w.sim.addWhatsAppNumber({ phoneNumberId, accessToken, displayPhoneNumber: '5511930000000', verifiedName: 'Loja Atendo' });
    const conn = await api('POST', '/api/connections', {
      cookie: w.admin,
      body: {
        channel: 'whatsapp', name: 'WhatsApp Loja', phoneNumberId, displayPhoneNumber: '5511930000000', accessToken, appSecret,
        verifyToken: 'verify-me-please', teamId: vendas,
      },
    });
    if (conn.status !== 201) throw new Error(`connection: ${conn.status} ${conn.text}`);
    const connectionId = conn.body.id as string;
    const webhookUrl = `${w.app.url}/webhooks/whatsapp/${connectionId}`;

    const names = new Map<string, string>();
    const deliver = async (value: object) => {
      const res = await postWebhook(webhookUrl, waEnvelope([{ changes: [{ value }] }]), appSecret);
      if (res.status !== 200) throw new Error(`webhook: ${res.status} ${res.text}`);
    };
    return {
      ...w,
      teams: { vendas, suporte },
      people: { admin, ana, bruno, supervisor },
      connectionId, phoneNumberId, appSecret, webhookUrl, api,
      customerWrites: async (waId, text, name) => {
        // Meta repeats the customer's profile name on every message: keep the one given first.
        if (name) names.set(waId, name);
        const message = waText(waId, text) as { id: string };
        const contacts = [{ waId, name: names.get(waId) ?? 'Cliente' }];
        await deliver(waMessagesValue({ phoneNumberId, displayPhoneNumber: '5511930000000', contacts, messages: [message] }));
        return message.id;
      },
      statusWebhook: async (wamid, waId, status) => {
        await deliver(waMessagesValue({
          phoneNumberId, displayPhoneNumber: '5511930000000', statuses: [waStatus({ id: wamid, recipientId: waId, status, timestamp: Date.now() / 1000 })],
        }));
      },
    };
  } catch (err) {
    await w.close();
    throw err;
  }
}

/** A fresh browser context (own cookies and storage) with one page, errors collected for the test log. */
export async function openContext(browser: Browser, o: { viewport?: { width: number; height: number }; isMobile?: boolean } = {}) {
  const context = await browser.newContext({
    viewport: o.viewport ?? { width: 1360, height: 860 },
    deviceScaleFactor: 1,
    isMobile: o.isMobile ?? false,
    hasTouch: o.isMobile ?? false,
    locale: 'pt-BR',
    timezoneId: 'America/Sao_Paulo',
  });
  context.setDefaultTimeout(UI_TIMEOUT);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    // The boot's GET /api/auth/me answers 401 before login: expected, not worth a line.
    if (msg.type() === 'error' && !/status of 401/.test(msg.text())) errors.push(`console: ${msg.text()}`);
  });
  return { context, page, errors };
}

export type Session = Awaited<ReturnType<typeof openContext>>;

/**
 * The first load of a context fetches every dashboard module unbundled: on a loaded CI machine (CI saw
 * two browser files miss the login form by 8 s while images were building) that alone can take longer
 * than a UI step, so it gets a wait of its own.
 */
const FIRST_LOAD_TIMEOUT = 30_000;

/** Logs in through the login form and waits for the shell. */
export async function loginThroughForm(page: Page, baseUrl: string, email: string, password = PASSWORD, o: { goto?: boolean } = {}): Promise<void> {
  if (o.goto !== false) await page.goto(`${baseUrl}/login`);
  const form = page.locator('[data-testid=login-form]');
  await form.waitFor({ timeout: FIRST_LOAD_TIMEOUT });
  await form.locator('input[name=email]').fill(email);
  await form.locator('input[name=password]').fill(password);
  await form.locator('button[type=submit]').click();
  await page.locator('[data-testid=nav-inbox]').waitFor({ timeout: FIRST_LOAD_TIMEOUT });
}

/** A person's own browser context, logged in through the form. */
export async function loggedIn(browser: Browser, w: BrowserWorld, who: Person, o: Parameters<typeof openContext>[1] = {}): Promise<Session> {
  const s = await openContext(browser, o);
  await loginThroughForm(s.page, w.app.url, who.email);
  return s;
}

/** The session cookie a browser context holds, as a Cookie header for API calls from the test. */
export async function cookieOf(context: BrowserContext): Promise<string> {
  const c = (await context.cookies()).find((x) => x.name === 'atendo_session');
  if (!c) throw new Error('no atendo_session cookie in this context');
  return `${c.name}=${c.value}`;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}

/** Marks the page so a later check can tell it was never reloaded (live updates, not a refresh). */
export const markNoReload = (page: Page) => page.evaluate(() => { (globalThis as any).__noReload = true; });
export const wasNotReloaded = (page: Page) => page.evaluate(() => (globalThis as any).__noReload === true);

/** The conversation list item for a conversation. */
export const item = (page: Page, conversationId: string): Locator =>
  page.locator(`[data-testid=conversation-list] [data-testid=conversation-item][data-id="${conversationId}"]`);

/** Waits until a locator's text contains `text`. */
export async function waitForText(locator: Locator, text: string, timeout = UI_TIMEOUT): Promise<void> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const now = await locator.allTextContents().catch(() => [] as string[]);
    if (now.some((s) => s.includes(text))) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for "${text}" in ${locator}; saw ${JSON.stringify(now).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A thread message by its text. */
export const messageWithText = (page: Page, text: string): Locator =>
  page.locator('[data-testid=thread] [data-testid=message]').filter({ has: page.locator('.msg-text', { hasText: text }) });

/** The id of the conversation a customer's phone number opened (asked as admin, newest first). */
export async function conversationOf(w: BrowserWorld, waId: string, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await w.api('GET', `/api/conversations?queue=all&status=all&q=${encodeURIComponent(waId)}`, { cookie: w.admin });
    const hit = (res.body?.items ?? [])[0];
    if (hit?.id) return hit.id as string;
    if (Date.now() > deadline) throw new Error(`no conversation for ${waId}: ${res.status} ${res.text?.slice(0, 300)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Logs what the page complained about when a test fails (UI bug or test bug: this tells which). */
export function reportErrors(t: ExecutionContext, who: string, s: Session | undefined): void {
  if (!s) return;
  for (const e of s.errors.slice(0, 20)) t.log(`[${who}] ${e}`);
}

let waSeq = 0;
/** A fresh Brazilian mobile number (13 digits) for a customer of one test. */
export const newCustomer = () => `55119${String(process.pid % 10_000).padStart(4, '0')}${String(++waSeq).padStart(4, '0')}`;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const synced = new WeakMap<BrowserWorld, Promise<string>>();
/**
 * The world's number gets its WABA and Meta's seeded templates (hello_world, pedido_pronto, promocao_mes,
 * boleto_disponivel), synced as an admin would, once per world; `before` adds templates of a test's own
 * before that sync. Resolves to the WABA id.
 */
export function withSyncedTemplates(w: BrowserWorld, before?: (waba: string) => void): Promise<string> {
  let done = synced.get(w);
  if (!done) {
    done = (async () => {
      const waba = w.sim.wabaOf(w.phoneNumberId);
      await w.app.deps.db('connections').where({ id: w.connectionId }).update({ business_account_id: waba });
      w.sim.seedTemplates(waba);
      before?.(waba);
      const res = await w.api('POST', '/api/templates/sync', { cookie: w.admin, body: { connectionId: w.connectionId } });
      if (res.status !== 200) throw new Error(`sync: ${res.status} ${res.text}`);
      return waba;
    })();
    synced.set(w, done);
  }
  return done;
}
