import anyTest from 'ava';
import type { Browser } from 'playwright-core';
import { upsertContact } from '../../src/repositories/contacts.js';
import { loggedIn, newCustomer, reportErrors, screenshot, useBrowserWorld, waitForText, UI_TIMEOUT, type BrowserWorld, type Session } from './support.js';

/**
 * The campaigns dashboard (web-dist/app/pages/campaigns/): an admin makes a campaign, walks the wizard —
 * audience by tag with the live count, an APPROVED template with its parameter and the live preview,
 * pacing and a send window, the review with the exclusion counts and why, a test send — starts it, and
 * the detail page follows the worker's sends (the simulator is the Graph API) to completion, with the
 * delivered and read receipts in the funnel and the per-recipient table.
 */
const test = anyTest.serial;
let w: BrowserWorld;
let browser: Browser;

useBrowserWorld(anyTest, (world, b) => { w = world; browser = b; });

const BODY = 'Olá {{1}}, a promoção {{2}} termina hoje!';

/** Contacts of the connection: five tagged vip (four with consent, one opted out), one vip without consent, one other. */
async function seed(): Promise<{ templateId: string; consented: string[] }> {
  const db = w.app.deps.db;
  const [tpl] = await db('message_templates').insert({
    connection_id: w.connectionId, provider_id: 'tpl-promo-1', name: 'promo_relampago', language: 'pt_BR', category: 'MARKETING', status: 'APPROVED', quality: 'GREEN',
    components: JSON.stringify([
      { type: 'HEADER', format: 'TEXT', text: 'Loja Atendo' },
      { type: 'BODY', text: BODY, example: { body_text: [['Maria', 'VERÃO']] } },
      { type: 'FOOTER', text: 'Responda SAIR para não receber mais' },
      { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Quero ver' }] },
    ]),
  }).returning('id');
  const contact = async (name: string, tags: string[]) => {
    const phone = newCustomer();
    const c = await upsertContact(db, { connectionId: w.connectionId, externalId: phone, matchKey: phone, profileName: name, fromCustomer: true, at: new Date() });
    await db('contacts').where({ id: c.id }).update({ tags });
    return { id: c.id as string, phone };
  };
  const consent = (id: string) => db('consents').insert({ connection_id: w.connectionId, contact_id: id, legal_basis: 'consent', granted_at: new Date(), source: 'manual' });
  const consented: string[] = [];
  for (const name of ['Maria Souza', 'João Lima', 'Ana Paula', 'Pedro Alves']) {
    const c = await contact(name, ['vip']);
    await consent(c.id);
    consented.push(c.phone);
  }
  const out = await contact('Rita Saiu', ['vip']);
  await consent(out.id);
  await db('opt_outs').insert({ connection_id: w.connectionId, contact_id: out.id, at: new Date(), source: 'keyword', detail: 'SAIR' });
  await contact('Sem Consentimento', ['vip']);
  const other = await contact('Carlos Frio', ['frio']);
  await consent(other.id);
  return { templateId: (tpl as { id: string }).id ?? (tpl as unknown as string), consented };
}

test('an admin walks the wizard, sees the exclusions, starts the campaign and follows it live to completion', async (t) => {
  let admin: Session | undefined;
  try {
    const { consented } = await seed();
    admin = await loggedIn(browser, w, w.people.admin, { viewport: { width: 1440, height: 960 } });
    const { page } = admin;

    // The list (empty), then a new campaign on the WhatsApp number.
    await page.locator('[data-testid=nav-campaigns]').click();
    await page.locator('[data-testid=page-campaigns]').waitFor();
    await page.locator('[data-testid=campaign-create]').click();
    await page.locator('[data-testid=campaign-create-name]').fill('Promoção relâmpago VIP');
    await page.locator('[data-testid=campaign-create-save]').click();
    const wizard = page.locator('[data-testid=campaign-wizard]');
    await wizard.waitFor();
    const campaignId = (await wizard.getAttribute('data-campaign-id'))!;

    // 1. Audience: tag vip; the live count comes from the saved draft's preflight (5 vip with the opted out one excluded, and one without consent).
    await page.locator('[data-testid=audience-step]').waitFor();
    await page.locator('[data-testid=tags-any-input]').fill('vip');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => (globalThis as any).document.querySelector('[data-testid=audience-count]')?.getAttribute('data-will-send') === '4', undefined, { timeout: UI_TIMEOUT });
    await waitForText(page.locator('[data-testid=audience-count]'), 'de 6 no público');
    await page.waitForTimeout(150);
    t.log(await screenshot(page, 'campaign-wizard-1-audience'));
    await page.locator('[data-testid=step-next]').click();

    // 2. Template: pick it, fill {{1}} from the contact's first name and {{2}} with a fixed text; the preview follows.
    await page.locator('[data-testid=template-step]').waitFor();
    await page.locator('[data-testid=template-option][data-name=promo_relampago]').click();
    const rows = page.locator('[data-testid=param-row]');
    await rows.first().waitFor();
    t.is(await rows.count(), 2, 'one row per body parameter');
    t.true(await page.locator('[data-testid=step-next]').isDisabled(), 'continue waits for the parameters');
    await page.locator('[data-testid=param-row][data-key="body.1"] [data-testid=param-kind]').selectOption('contact_field');
    await page.locator('[data-testid=param-row][data-key="body.1"] [data-testid=param-field]').selectOption('first_name');
    await page.locator('[data-testid=param-row][data-key="body.2"] [data-testid=param-value]').fill('VERÃO');
    const preview = page.locator('[data-testid=template-preview-body]');
    await waitForText(preview, 'a promoção VERÃO termina hoje!');
    t.notRegex((await preview.textContent())!, /\{\{1\}\}/, 'the first name fills {{1}} in the preview');
    await page.waitForTimeout(150);
    t.log(await screenshot(page, 'campaign-wizard-2-template'));
    await page.locator('[data-testid=step-next]').click();

    // 3. Pacing: the number's limit is shown; 5 per second, Monday to Sunday 00:00–23:59, São Paulo.
    await page.locator('[data-testid=pacing-step]').waitFor();
    await waitForText(page.locator('[data-testid=pace-limit]'), 'por segundo');
    await page.locator('[data-testid=pace-rate]').fill('5');
    await page.locator('[data-testid=pace-window-on]').check();
    for (const d of [6, 7]) await page.locator(`[data-testid=pace-day-${d}]`).check({ force: true });
    await page.locator('[data-testid=pace-from]').fill('00:00');
    await page.locator('[data-testid=pace-from]').press('Tab');
    await page.locator('[data-testid=pace-to]').fill('23:59');
    await page.locator('[data-testid=pace-to]').press('Tab');
    await page.waitForTimeout(150);
    t.log(await screenshot(page, 'campaign-wizard-3-pacing'));
    await page.locator('[data-testid=step-next]').click();

    // 4. Review: 4 will receive; 1 opted out and 1 without consent, each with why; samples rendered for real contacts; a test send.
    await page.locator('[data-testid=review-step]').waitFor();
    await waitForText(page.locator('[data-testid=review-will-send]'), '4');
    const excl = (reason: string) => page.locator(`[data-testid=exclusion][data-reason=${reason}]`).getAttribute('data-count');
    t.is(await excl('opted_out'), '1');
    t.is(await excl('no_consent'), '1');
    t.is(await excl('invalid_number'), '0');
    await page.locator('[data-testid=sample]').first().waitFor();
    await waitForText(page.locator('[data-testid=sample]'), 'termina hoje');
    const testPhone = newCustomer();
    await page.locator('[data-testid=test-phone]').fill(testPhone);
    await page.locator('[data-testid=test-send-button]').click();
    await page.locator('[data-testid=test-ok]').waitFor({ timeout: UI_TIMEOUT });
    await page.waitForTimeout(150);
    t.log(await screenshot(page, 'campaign-wizard-4-review'));
    await page.locator('[data-testid=step-next]').click();

    // 5. Start now, confirmed.
    await page.locator('[data-testid=start-step]').waitFor();
    await waitForText(page.locator('[data-testid=start-summary]'), '4');
    await page.waitForTimeout(150);
    t.log(await screenshot(page, 'campaign-wizard-5-start'));
    await page.locator('[data-testid=step-next]').click();
    await page.locator('[data-testid=start-confirm] [data-testid=confirm]').click();

    // The detail follows the worker: all 4 sent, then delivered (and 2 read) from Meta's status webhooks.
    const detail = page.locator(`[data-testid=page-campaign][data-campaign-id="${campaignId}"]`);
    await detail.waitFor();
    await page.evaluate(() => { (globalThis as any).__noReload = true; });
    const stage = (s: string) => page.locator(`[data-testid=funnel-stage][data-stage=${s}]`);
    await page.waitForFunction(() => (globalThis as any).document.querySelector('[data-testid=funnel-stage][data-stage=sent]')?.getAttribute('data-count') === '4', undefined, { timeout: 30_000 });
    const sent = await w.app.deps.db('campaign_recipients as r').join('messages as m', 'm.id', 'r.message_id')
      .where('r.campaign_id', campaignId).select('m.provider_message_id as wamid', 'm.id');
    const contacts = await w.app.deps.db('campaign_recipients as r').join('contacts as c', 'c.id', 'r.contact_id').where('r.campaign_id', campaignId).select('c.external_id', 'r.message_id');
    t.is(sent.length, 4, 'one message per recipient');
    const waIdOf = new Map(contacts.map((c: { message_id: string; external_id: string }) => [c.message_id, c.external_id]));
    for (const [i, m] of sent.entries()) {
      await w.statusWebhook(m.wamid, waIdOf.get(m.id)!, 'delivered');
      if (i < 2) await w.statusWebhook(m.wamid, waIdOf.get(m.id)!, 'read');
    }
    await page.waitForFunction(() => (globalThis as any).document.querySelector('[data-testid=funnel-stage][data-stage=delivered]')?.getAttribute('data-count') === '4', undefined, { timeout: 20_000 });
    await page.waitForFunction(() => (globalThis as any).document.querySelector('[data-testid=funnel-stage][data-stage=read]')?.getAttribute('data-count') === '2', undefined, { timeout: 20_000 });
    await page.waitForFunction(() => (globalThis as any).document.querySelector('[data-testid=page-campaign]')?.getAttribute('data-status') === 'completed', undefined, { timeout: 20_000 });
    await waitForText(page.locator('[data-testid=campaign-line-text]'), '4 de 4 mensagens entregues');
    t.true(await page.evaluate(() => (globalThis as any).__noReload === true), 'live updates, not a reload');
    t.is(await stage('audience').getAttribute('data-count'), '6', 'the audience frozen at start, the two left out included');
    t.is(await page.locator('[data-testid=count-skipped]').getAttribute('data-count'), '2');

    // The per-recipient table: all six (the two left out with their reason), filterable by status.
    await page.waitForFunction(() => (globalThis as any).document.querySelectorAll('[data-testid=recipient-row]').length === 6, undefined, { timeout: UI_TIMEOUT });
    for (const phone of consented) t.is(await page.locator(`[data-testid=recipient-row][data-phone="${phone}"]`).count(), 1, `${phone} listed`);
    await page.locator('[data-testid=rcpt-filter-read]').click();
    await page.waitForFunction(() => (globalThis as any).document.querySelectorAll('[data-testid=recipient-row][data-status=read]').length === 2
      && (globalThis as any).document.querySelectorAll('[data-testid=recipient-row]').length === 2, undefined, { timeout: UI_TIMEOUT });
    await page.locator('[data-testid=rcpt-filter-skipped]').click();
    await waitForText(page.locator('[data-testid=recipient-row][data-status=skipped] [data-testid=recipient-reason]'), 'Pediu para sair');
    await page.locator('[data-testid=rcpt-filter-all]').click();
    await page.waitForFunction(() => (globalThis as any).document.querySelectorAll('[data-testid=recipient-row]').length === 6, undefined, { timeout: UI_TIMEOUT });
    await page.waitForTimeout(300);
    t.log(await screenshot(page, 'campaign-detail-completed'));

    // The list says how far it got.
    await page.locator('[data-testid=nav-campaigns]').click();
    const row = page.locator(`[data-testid=campaign-row][data-id="${campaignId}"]`);
    await waitForText(row, '4 de 4 enviadas entregues');
    await page.waitForTimeout(200);
    t.log(await screenshot(page, 'campaigns-list'));
    t.deepEqual(admin.errors, [], 'no errors in the page');
  } catch (err) {
    reportErrors(t, 'admin', admin);
    if (admin) await screenshot(admin.page, 'failed-campaigns').catch(() => {});
    throw err;
  } finally {
    await admin?.context.close();
  }
});

test('a supervisor sees campaigns read-only: no new campaign, no actions on the detail', async (t) => {
  let sup: Session | undefined;
  try {
    sup = await loggedIn(browser, w, w.people.supervisor);
    const { page } = sup;
    await page.locator('[data-testid=nav-campaigns]').click();
    await page.locator('[data-testid=page-campaigns]').waitFor();
    t.is(await page.locator('[data-testid=campaign-create]').count(), 0, 'no create button');
    await page.locator('[data-testid=campaign-open]').first().click();
    await page.locator('[data-testid=page-campaign]').waitFor();
    await page.locator('[data-testid=campaign-funnel]').waitFor();
    t.is(await page.locator('[data-testid=campaign-retry-failed], [data-testid=campaign-cancel], [data-testid=campaign-pause], [data-testid=campaign-edit]').count(), 0);
    t.deepEqual(sup.errors, [], 'no errors in the page');
  } catch (err) {
    reportErrors(t, 'supervisor', sup);
    throw err;
  } finally {
    await sup?.context.close();
  }
});

test('opening the Audience step saves nothing: the count is a preview until the admin changes the audience or continues', async (t) => {
  let admin: Session | undefined;
  try {
    const created = await w.api('POST', '/api/campaigns', { cookie: w.admin, body: { name: 'Só olhando', connectionId: w.connectionId } });
    t.is(created.status, 201, created.text);
    const id = created.body.id as string;
    t.is(created.body.audience, null);
    admin = await loggedIn(browser, w, w.people.admin, { viewport: { width: 1440, height: 960 } });
    const { page } = admin;
    const count = page.locator('[data-testid=audience-count]');
    const stateIs = (state: string) => page.waitForFunction((s) => (globalThis as any).document.querySelector('[data-testid=audience-count]')?.getAttribute('data-state') === s, state, { timeout: UI_TIMEOUT });

    // Open the step: every contact is counted, with the exclusions, and nothing is written.
    await page.goto(`${w.app.url}/campaigns/${id}/edit?step=audience`);
    await stateIs('preview');
    t.regex((await count.getAttribute('data-will-send'))!, /^\d+$/);
    await waitForText(count, 'no público');
    await waitForText(count, 'Prévia: o público é salvo quando você muda algo ou continua');
    await page.waitForTimeout(150);
    t.log(await screenshot(page, 'campaign-audience-preview'));
    // Leave by the stepper, then by the list: the draft is as it was.
    await page.locator('[data-testid=step-template]').click();
    await page.locator('[data-testid=template-step]').waitFor();
    await page.locator('[data-testid=step-audience]').click();
    await stateIs('preview');
    await page.goto(`${w.app.url}/campaigns`);
    await page.locator('[data-testid=page-campaigns]').waitFor();
    const untouched = (await w.api('GET', `/api/campaigns/${id}`, { cookie: w.admin })).body;
    t.is(untouched.audience, null, 'no "all contacts" audience saved by opening the step');
    t.is(untouched.updatedAt, created.body.updatedAt, 'the draft was not written at all');

    // A change is saved (after its pause), and the count says so.
    await page.goto(`${w.app.url}/campaigns/${id}/edit?step=audience`);
    await stateIs('preview');
    await page.locator('[data-testid=tags-any-input]').fill('vip');
    await page.keyboard.press('Enter');
    await stateIs('ok');
    await waitForText(count, 'Rascunho salvo');
    t.like((await w.api('GET', `/api/campaigns/${id}`, { cookie: w.admin })).body.audience, { kind: 'filter', tags: { any: ['vip'] } });

    // Continuing without a change confirms the audience as shown (here: everyone), in English too.
    const other = (await w.api('POST', '/api/campaigns', { cookie: w.admin, body: { name: 'Todos', connectionId: w.connectionId } })).body;
    await page.evaluate(() => { (globalThis as any).localStorage.setItem('atendo.lang', 'en'); });
    await page.goto(`${w.app.url}/campaigns/${other.id}/edit?step=audience`);
    await stateIs('preview');
    await waitForText(count, 'Preview: the audience is saved when you change something or continue');
    t.is((await w.api('GET', `/api/campaigns/${other.id}`, { cookie: w.admin })).body.audience, null);
    await page.locator('[data-testid=step-next]').click();
    await page.locator('[data-testid=template-step]').waitFor();
    t.deepEqual((await w.api('GET', `/api/campaigns/${other.id}`, { cookie: w.admin })).body.audience, { kind: 'filter' });
    await page.evaluate(() => { (globalThis as any).localStorage.removeItem('atendo.lang'); });
    t.deepEqual(admin.errors, [], 'no errors in the page');
  } catch (err) {
    reportErrors(t, 'admin', admin);
    if (admin) await screenshot(admin.page, 'failed-campaign-audience-preview').catch(() => {});
    throw err;
  } finally {
    await admin?.context.close();
  }
});
