/**
 * What a new user hit in their first hour (issue #11, section 3), in Chromium against the real stack:
 * notes shown once, the inbox landing on the queue with work, the connection saying who sees its
 * conversations, a person changing their own password with our own validation messages, and the
 * layout rough edges (list header, phone bar, toasts, plurals), with screenshots.
 */
import anyTest from 'ava';
import type { Browser, Page } from 'playwright-core';
import { waitFor } from '../outboundSupport.js';
import {
  conversationOf, cookieOf, item, loggedIn, loginThroughForm, messageWithText, newCustomer, openContext, PASSWORD, reportErrors,
  screenshot, useBrowserWorld, type BrowserWorld, type Session,
} from './support.js';

// One world for the file; the tests share people and queues, so they run in order.
const test = anyTest.serial;
let w: BrowserWorld;
let browser: Browser;

useBrowserWorld(anyTest, (world, b) => { w = world; browser = b; });

const notesWithText = (page: Page, text: string) =>
  page.locator('[data-testid=thread] [data-testid=message][data-direction=note]').filter({ has: page.locator('.msg-text', { hasText: text }) });

/** Collects, inside the page, the ids of the messages the socket pushes (the page's own socket). */
const recordPushes = (page: Page) => page.evaluate(async () => {
  const { debugSocket } = await import('/app/lib/realtime.js' as string);
  const g = globalThis as any;
  g.__pushed = [];
  debugSocket().on('message:new', (e: any) => g.__pushed.push(e.message.id));
});
const pushed = (page: Page) => page.evaluate(() => (globalThis as any).__pushed as string[]);

const selectedQueue = (page: Page) => page.locator('.queue-tabs [aria-selected=true]').getAttribute('data-testid');
const queueInAddress = (page: Page) => new URL(page.url()).searchParams.get('queue');

let anasConversation: string;
let anasCustomer: string;

test('an internal note appears once: when its socket push beats the answer, and after a reload', async (t) => {
  let ana: Session | undefined;
  try {
    ana = await loggedIn(browser, w, w.people.ana);
    const { page } = ana;
    const cookie = await cookieOf(ana.context);
    anasCustomer = newCustomer();
    await w.customerWrites(anasCustomer, 'Vocês fazem troca sem nota fiscal?', 'Helena Duarte');
    anasConversation = await conversationOf(w, anasCustomer);
    const id = anasConversation;
    t.is((await w.api('POST', `/api/conversations/${id}/assign`, { cookie, body: { userId: w.people.ana.id } })).status, 200);
    await page.goto(`${w.app.url}/inbox/${id}`);
    await messageWithText(page, 'troca sem nota').waitFor();
    await recordPushes(page);

    // The order that doubled notes: the socket's push reaches the page before the POST's answer.
    // The answer is held until the push has arrived, so the test does not depend on timing.
    let answered = 0;
    await page.route('**/api/conversations/*/notes', async (route) => {
      const res = await route.fetch();
      const note = await res.json();
      await waitFor('the note\'s socket push to reach the page', async () => (await pushed(page)).includes(note.id), 8_000);
      answered++;
      await route.fulfill({ response: res, json: note });
    });

    await page.locator('[data-testid=mode-note]').click();
    const text = 'Cliente pediu troca; conferir o estoque do tamanho M antes de responder.';
    const input = page.locator('[data-testid=composer-input]');
    await input.fill(text);
    await input.press('Enter');
    await waitFor('the note\'s answer', async () => answered === 1);
    await page.waitForTimeout(300); // anything doubled would be on screen by now
    t.is(await notesWithText(page, 'conferir o estoque').count(), 1, 'one note on screen after the push and the answer');
    t.is(await page.locator('[data-testid=thread] [data-testid=message][data-status=sending]').count(), 0, 'no pending copy left behind');

    // A second note, with the natural order (no held answer): still once each.
    await page.unroute('**/api/conversations/*/notes');
    await input.fill('Estoque conferido: tem M.');
    await input.press('Enter');
    await waitFor('the second note to be pushed', async () => (await pushed(page)).length >= 2);
    await page.waitForTimeout(300);
    t.is(await notesWithText(page, 'Estoque conferido').count(), 1);
    t.is(await notesWithText(page, 'conferir o estoque').count(), 1);

    const stored = (await w.api('GET', `/api/conversations/${id}/messages?limit=50`, { cookie })).body.items
      .filter((m: { direction: string }) => m.direction === 'note');
    t.is(stored.length, 2, 'the API holds the two notes');
    await page.reload();
    await notesWithText(page, 'Estoque conferido').waitFor();
    t.is(await page.locator('[data-testid=thread] [data-testid=message][data-direction=note]').count(), 2, 'two notes after a reload too');
  } catch (err) {
    reportErrors(t, 'ana', ana);
    if (ana) await screenshot(ana.page, 'failed-notes-once').catch(() => {});
    throw err;
  } finally {
    await ana?.context.close();
  }
});

test('the inbox lands on the queue with work, and the address says which queue is on screen', async (t) => {
  let admin: Session | undefined;
  let ana: Session | undefined;
  try {
    // A customer waits in Vendas' queue, unassigned and unread. Nothing is assigned to the admin.
    const waiting = newCustomer();
    await w.customerWrites(waiting, 'Olá, alguém pode me atender? Quero um orçamento.', 'Otávio Lima');
    const waitingId = await conversationOf(w, waiting);
    const adminCounts = (await w.api('GET', '/api/conversations/counts?status=open', { cookie: w.admin })).body;
    t.is(adminCounts.mine.total, 0);
    t.true(adminCounts.unassigned.unread > 0);

    admin = await loggedIn(browser, w, w.people.admin);
    await waitFor('a queue to be chosen', async () => await selectedQueue(admin!.page));
    t.is(await selectedQueue(admin.page), 'queue-unassigned', 'the admin lands where the customer waits (not on the team tab)');
    t.is(queueInAddress(admin.page), 'unassigned', 'the address names the queue on screen');
    await item(admin.page, waitingId).waitFor();

    // A choice is kept in the address: a reload shows the same queue.
    await admin.page.locator('[data-testid=queue-team]').click();
    await waitFor('the address to follow the tab', async () => queueInAddress(admin!.page) === 'team');
    await admin.page.reload();
    await admin.page.locator('[data-testid=queue-team][aria-selected=true]').waitFor();
    await item(admin.page, waitingId).waitFor();
    // Opening a conversation keeps the queue in the address.
    await item(admin.page, waitingId).click();
    await admin.page.locator(`[data-testid=conversation][data-id="${waitingId}"]`).waitFor();
    t.is(queueInAddress(admin.page), 'team');
    t.is(await selectedQueue(admin.page), 'queue-team');

    // Ana's own conversation has a new message: her own queue comes first in the order.
    await w.customerWrites(anasCustomer, 'Consegui a nota, ainda dá para trocar?');
    const anaCookie = (await w.app.login(w.people.ana.email, PASSWORD)).cookie;
    await waitFor('Ana\'s conversation to be unread', async () =>
      (await w.api('GET', '/api/conversations/counts?status=open', { cookie: anaCookie })).body.mine.unread > 0);
    ana = await loggedIn(browser, w, w.people.ana);
    await waitFor('a queue to be chosen', async () => await selectedQueue(ana!.page));
    t.is(await selectedQueue(ana.page), 'queue-mine', 'unread in her own conversations beats the waiting queue');
    t.is(queueInAddress(ana.page), 'mine');
    await item(ana.page, anasConversation).waitFor();

    // Once read, her own queue has nothing unread: the customer waiting in the queue wins.
    t.is((await w.api('POST', `/api/conversations/${anasConversation}/read`, { cookie: anaCookie })).status < 300, true);
    await ana.context.close();
    ana = await loggedIn(browser, w, w.people.ana);
    await waitFor('a queue to be chosen', async () => await selectedQueue(ana!.page));
    t.is(await selectedQueue(ana.page), 'queue-unassigned', 'with nothing unread of her own, she lands where the customer waits');
    await item(ana.page, waitingId).waitFor();
  } catch (err) {
    reportErrors(t, 'admin', admin);
    reportErrors(t, 'ana', ana);
    if (admin) await screenshot(admin.page, 'failed-landing-admin').catch(() => {});
    if (ana) await screenshot(ana.page, 'failed-landing-ana').catch(() => {});
    throw err;
  } finally {
    await admin?.context.close();
    await ana?.context.close();
  }
});

test('an attendant changes their own password: our own messages, other devices logged out, this one kept', async (t) => {
  const bruno = w.people.bruno;
  const newPassword = 'nova senha do Bruno 2';
  let laptop: Session | undefined;
  let phone: Session | undefined;
  let later: Session | undefined;
  try {
    [laptop, phone] = await Promise.all([loggedIn(browser, w, bruno), loggedIn(browser, w, bruno)]);
    const { page } = laptop;
    let sent = 0;
    await page.route('**/api/auth/password', async (route) => { sent++; await route.continue(); });

    await page.locator('[data-testid=account-menu]').click();
    await page.locator('[data-testid=change-password]').click();
    const dialog = page.locator('[data-testid=change-password-dialog]');
    await dialog.waitFor();
    t.true(await dialog.locator('form').evaluate((f) => f.hasAttribute('novalidate')), 'the browser\'s own bubbles are off');
    await page.waitForTimeout(200);
    t.log(await screenshot(page, 'password-dialog'));

    // Too short: said in pt-BR by us, nothing sent.
    await dialog.locator('input[name=currentPassword]').fill(PASSWORD);
    await dialog.locator('input[name=newPassword]').fill('curta');
    await dialog.locator('input[name=confirmPassword]').fill('curta');
    await dialog.locator('[data-testid=change-password-save]').click();
    const error = dialog.locator('[data-testid=form-error]');
    await error.waitFor();
    t.is((await error.innerText()).trim(), 'Nova senha: use pelo menos 10 caracteres (agora são 5).');
    t.is(await dialog.locator('input[name=newPassword]').getAttribute('aria-invalid'), 'true');
    t.true(await dialog.locator('input[name=newPassword]').evaluate((el) => el === (globalThis as any).document.activeElement), 'focus goes to the field to fix');
    t.is(sent, 0, 'nothing was sent');
    await page.waitForTimeout(100);
    t.log(await screenshot(page, 'password-dialog-too-short'));

    // The two new ones differ.
    await dialog.locator('input[name=newPassword]').fill(newPassword);
    await dialog.locator('input[name=confirmPassword]').fill(`${newPassword}!`);
    await dialog.locator('[data-testid=change-password-save]').click();
    await waitFor('the mismatch message', async () => (await error.innerText()).includes('não são iguais'));
    t.is(sent, 0);

    // The current one is wrong: the server says so, in our words, on the right field.
    await dialog.locator('input[name=currentPassword]').fill('não é a senha');
    await dialog.locator('input[name=confirmPassword]').fill(newPassword);
    await dialog.locator('[data-testid=change-password-save]').click();
    await waitFor('the wrong-password message', async () => (await error.innerText()).trim() === 'A senha atual está incorreta.');
    t.is(sent, 1);
    t.is(await dialog.locator('input[name=currentPassword]').getAttribute('aria-invalid'), 'true');

    // Right: saved, the dialog closes, this browser stays logged in.
    await dialog.locator('input[name=currentPassword]').fill(PASSWORD);
    await dialog.locator('[data-testid=change-password-save]').click();
    await dialog.waitFor({ state: 'hidden' });
    await page.locator('.toast-success').filter({ hasText: 'Senha alterada' }).waitFor();
    t.is(sent, 2);
    await page.reload();
    await page.locator('[data-testid=nav-inbox]').waitFor();
    t.is(await page.locator('[data-testid=login-form]').count(), 0, 'still logged in here after a reload');

    // The other device is out; the old password no longer opens a session, the new one does.
    await phone.page.reload();
    await phone.page.locator('[data-testid=login-form]').waitFor();
    later = await openContext(browser);
    await later.page.goto(`${w.app.url}/login`);
    const form = later.page.locator('[data-testid=login-form]');
    await form.locator('input[name=email]').fill(bruno.email);
    await form.locator('input[name=password]').fill(PASSWORD);
    await form.locator('button[type=submit]').click();
    await form.locator('[data-testid=form-error]').waitFor();
    await loginThroughForm(later.page, w.app.url, bruno.email, newPassword, { goto: false });
  } catch (err) {
    reportErrors(t, 'bruno-laptop', laptop);
    reportErrors(t, 'bruno-phone', phone);
    if (laptop) await screenshot(laptop.page, 'failed-password-change').catch(() => {});
    throw err;
  } finally {
    await laptop?.context.close();
    await phone?.context.close();
    await later?.context.close();
  }
});

test('forms speak our language: empty login and a short initial password on the users page', async (t) => {
  let s: Session | undefined;
  let admin: Session | undefined;
  try {
    s = await openContext(browser);
    await s.page.goto(`${w.app.url}/login`);
    const form = s.page.locator('[data-testid=login-form]');
    await form.locator('button[type=submit]').click();
    t.is((await form.locator('[data-testid=form-error]').innerText()).trim(), 'E-mail: preencha este campo.');
    await form.locator('input[name=email]').fill('ana@');
    await form.locator('input[name=password]').fill('x');
    await form.locator('button[type=submit]').click();
    await waitFor('the email message', async () => (await form.locator('[data-testid=form-error]').innerText()).includes('e-mail válido'));

    admin = await loggedIn(browser, w, w.people.admin);
    await admin.page.goto(`${w.app.url}/admin/users`);
    await admin.page.locator('[data-testid=page-users]').waitFor();
    await admin.page.getByRole('button', { name: 'Novo usuário' }).click();
    const dialog = admin.page.locator('[data-testid=user-dialog]');
    await dialog.locator('input[name=name]').fill('Eva');
    await dialog.locator('input[name=email]').fill('eva@loja.com.br');
    await dialog.locator('input[name=password]').fill('abc1234');
    await dialog.locator('[data-testid=user-save]').click();
    t.is((await dialog.locator('[data-testid=form-error]').innerText()).trim(), 'Senha inicial: use pelo menos 10 caracteres (agora são 7).');
    const users = (await w.api('GET', '/api/users', { cookie: w.admin })).body.items as { email: string }[];
    t.false(users.some((u) => u.email === 'eva@loja.com.br'), 'nothing was created');
  } catch (err) {
    reportErrors(t, 'anon', s);
    reportErrors(t, 'admin', admin);
    if (admin) await screenshot(admin.page, 'failed-forms').catch(() => {});
    throw err;
  } finally {
    await s?.context.close();
    await admin?.context.close();
  }
});

test('the connection page says who sees its conversations, and sets its team', async (t) => {
  let admin: Session | undefined;
  try {
    admin = await loggedIn(browser, w, w.people.admin);
    const { page } = admin;
    await page.goto(`${w.app.url}/admin/connections?id=${w.connectionId}`);
    const audience = page.locator('[data-testid=connection-audience]');
    await audience.waitFor();
    // Vendas: Ana (attendant) and Carla (supervisor).
    await waitFor('the team to be named', async () => (await audience.innerText()).includes('equipe Vendas (2 membros)'));
    const said = await audience.innerText();
    t.regex(said, /Atendentes de Vendas: as que esperam na fila e as atribuídas a eles/);
    t.regex(said, /Supervisores de Vendas: todas as conversas da equipe/);
    t.log(await screenshot(page, 'connection-audience'));

    await audience.locator('[data-testid=connection-team-select]').selectOption('');
    await audience.locator('[data-testid=connection-team-save]').click();
    await audience.locator('[data-testid=connection-audience-none]').waitFor();
    t.regex(await audience.innerText(), /só administradores veem as conversas desta conexão/);
    t.is((await w.api('GET', `/api/connections/${w.connectionId}`, { cookie: w.admin })).body.teamId, null);
    await page.waitForTimeout(200);
    t.log(await screenshot(page, 'connection-audience-none'));
    await page.goto(`${w.app.url}/admin/connections`);
    await page.locator(`[data-testid=connection-row][data-id="${w.connectionId}"] [data-testid=connection-team]`).filter({ hasText: 'só administradores' }).waitFor();

    await page.goto(`${w.app.url}/admin/connections?id=${w.connectionId}`);
    await audience.locator('[data-testid=connection-team-select]').selectOption(w.teams.vendas);
    await audience.locator('[data-testid=connection-team-save]').click();
    await waitFor('the team to be back', async () => (await audience.innerText()).includes('equipe Vendas'));
    t.is((await w.api('GET', `/api/connections/${w.connectionId}`, { cookie: w.admin })).body.teamId, w.teams.vendas);
  } catch (err) {
    reportErrors(t, 'admin', admin);
    if (admin) await screenshot(admin.page, 'failed-connection-audience').catch(() => {});
    throw err;
  } finally {
    await admin?.context.close();
  }
});

test('layout: list header whole, phone bar shows every entry, toasts clear of the contact, plurals (screenshots)', async (t) => {
  let admin: Session | undefined;
  let phone: Session | undefined;
  try {
    admin = await loggedIn(browser, w, w.people.admin);
    const { page } = admin;
    await page.locator('.inbox-list-head').waitFor();
    await waitFor('a queue to be chosen', async () => await selectedQueue(page));
    await page.waitForTimeout(200);
    t.log(await screenshot(page, 'inbox-list-header'));
    // Nothing in the header is cut: every part lies inside it and inside the list column.
    const cut = await page.evaluate(() => {
      const g = globalThis as any;
      const head = g.document.querySelector('.inbox-list-head');
      const box = head.getBoundingClientRect();
      const out: string[] = [];
      for (const el of Array.from(head.querySelectorAll('button, input')) as any[]) {
        const r = el.getBoundingClientRect();
        if (r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5 || r.left < box.left - 0.5 || r.right > box.right + 0.5) out.push(`${el.outerHTML.slice(0, 60)} ${JSON.stringify(r)}`);
        const style = g.getComputedStyle(el);
        if (el.scrollHeight > el.clientHeight + 1 && style.overflow !== 'visible') out.push(`scrolls: ${el.outerHTML.slice(0, 60)}`);
      }
      // A label is cut (ellipsis) when its text is wider than its box, by any fraction of a pixel.
      // (No named functions in here: tsx would wrap them in a helper the page does not have.)
      for (const el of Array.from(head.querySelectorAll('.queue-label')) as any[]) {
        const range = g.document.createRange();
        range.selectNodeContents(el);
        if (range.getBoundingClientRect().width > el.getBoundingClientRect().width + 0.1) out.push(`label cut: ${el.textContent}`);
      }
      for (const el of Array.from(head.children) as any[]) if (el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1) out.push(`overflows: ${el.className}`);
      return out;
    });
    t.deepEqual(cut, [], 'no part of the list header is clipped');

    // A toast must not cover the contact's name in the conversation header.
    const waId = newCustomer();
    await w.customerWrites(waId, 'Oi, queria saber o horário de vocês.', 'Patrícia Gomes');
    const id = await conversationOf(w, waId);
    await page.goto(`${w.app.url}/inbox/${id}`);
    await page.locator('[data-testid=assign-me]').click();
    const toast = page.locator('.toast').first();
    await toast.waitFor();
    const [a, b] = [await toast.boundingBox(), await page.locator('[data-testid=conversation-name]').boundingBox()];
    t.truthy(a && b);
    const overlaps = !!a && !!b && a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
    t.false(overlaps, `the toast ${JSON.stringify(a)} does not cover the contact name ${JSON.stringify(b)}`);
    t.log(await screenshot(page, 'toast-desktop'));

    // Team member counts: plural for 0 and 2, singular for 1.
    t.is((await w.api('POST', '/api/teams', { cookie: w.admin, body: { name: 'Financeiro' } })).status, 201);
    await page.goto(`${w.app.url}/admin/teams`);
    const row = (name: string) => page.locator('tr').filter({ hasText: name });
    await row('Financeiro').waitFor();
    t.regex(await row('Financeiro').innerText(), /\b0 membros\b/);
    t.regex(await row('Vendas').innerText(), /\b2 membros\b/);
    t.regex(await row('Suporte').innerText(), /\b1 membro\b/);
    await page.waitForTimeout(200);
    t.log(await screenshot(page, 'teams-member-count'));

    // On a phone every entry of the bottom bar can be seen and tapped with its whole label; the entries
    // that do not fit are under "Mais", Licença among them.
    phone = await loggedIn(browser, w, w.people.admin, { viewport: { width: 390, height: 844 }, isMobile: true });
    await phone.page.goto(`${w.app.url}/admin/license`);
    await phone.page.locator('[data-testid=page-license]').waitFor();
    const hidden = await phone.page.evaluate(() => {
      const g = globalThis as any;
      const out: string[] = [];
      const entries = [...Array.from(g.document.querySelectorAll('.rail-items > li > a')), g.document.querySelector('[data-testid=nav-more]')]
        .filter((a: any) => a && a.getClientRects().length > 0);
      for (const a of entries as any[]) {
        const r = a.getBoundingClientRect();
        const hit = g.document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        if (r.left < 0 || r.right > g.innerWidth || !hit || !a.contains(hit)) out.push(`${a.getAttribute('data-testid')}: covered or off screen`);
        const shown = Array.from(a.querySelectorAll('span')).find((x: any) => g.getComputedStyle(x).display !== 'none') as any;
        const range = g.document.createRange();
        if (shown) range.selectNodeContents(shown);
        if (!shown || range.getBoundingClientRect().width > shown.getBoundingClientRect().width + 0.1) out.push(`${a.getAttribute('data-testid')}: label cut`);
      }
      return out;
    });
    t.deepEqual(hidden, [], 'every bottom-bar entry is on screen, uncovered, with its whole label');
    await phone.page.locator('[data-testid=nav-more]').click();
    const moreMenu = phone.page.locator('[data-testid=nav-more-menu]');
    await moreMenu.waitFor();
    t.true(await moreMenu.locator('[data-testid=more-nav-license]').isVisible(), 'Licença is under "Mais"');
    await phone.page.waitForTimeout(150);
    t.log(await screenshot(phone.page, 'phone-more-menu'));
    await moreMenu.locator('[data-testid=more-nav-license]').click();
    await moreMenu.waitFor({ state: 'detached' });
    await phone.page.waitForTimeout(200);
    t.log(await screenshot(phone.page, 'phone-bottom-bar'));

    await phone.page.goto(`${w.app.url}/inbox/${id}`);
    await phone.page.locator('[data-testid=resolve]').click();
    const phoneToast = phone.page.locator('.toast').first();
    await phoneToast.waitFor();
    const [pa, pb] = [await phoneToast.boundingBox(), await phone.page.locator('[data-testid=conversation-name]').boundingBox()];
    const phoneOverlaps = !!pa && !!pb && pa.x < pb.x + pb.width && pb.x < pa.x + pa.width && pa.y < pb.y + pb.height && pb.y < pa.y + pa.height;
    t.false(phoneOverlaps, 'on a phone too, the toast leaves the contact name visible');
    t.log(await screenshot(phone.page, 'toast-phone'));
  } catch (err) {
    reportErrors(t, 'admin', admin);
    reportErrors(t, 'phone', phone);
    if (admin) await screenshot(admin.page, 'failed-layout').catch(() => {});
    if (phone) await screenshot(phone.page, 'failed-layout-phone').catch(() => {});
    throw err;
  } finally {
    await admin?.context.close();
    await phone?.context.close();
  }
});
