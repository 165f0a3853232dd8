import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import anyTest from 'ava';
import type { Browser } from 'playwright-core';
import { loggedIn, reportErrors, screenshot, useBrowserWorld, waitForText, type BrowserWorld, type Session } from './support.js';

/**
 * The contacts area: an admin imports a Windows-1252 CSV with semicolons (the preview names the encoding
 * and the separator, the phone and name columns are found, a column is renamed for campaigns, tags and a
 * legal basis are set), sees the counts and the refused lines by number; the opt-out list shows a
 * customer who wrote SAIR, an admin adds a number by hand and removes one after confirming; a supervisor
 * sees the list but not the imports; the English page reads in English.
 */
const test = anyTest.serial;
let w: BrowserWorld;
let browser: Browser;

useBrowserWorld(anyTest, (world, b) => { w = world; browser = b; });

const CSV = [
  'Nome;Celular;Cidade;Valor do boleto',
  'João da Silva;(11) 98765-4321;São Paulo;R$ 120,50',
  'Conceição Souza;21 8765-4321;Niterói;R$ 89,90',
  'Sem número;;Recife;R$ 10,00',
  'Número curto;12345;Recife;R$ 10,00',
  'João da Silva;+55 11 98765-4321;São Paulo;R$ 130,00',
  'Ana Paula;47 99911-2233;Joinville;R$ 45,00',
].join('\r\n');

test('an admin imports a Latin-1 CSV: preview, mapping, counts and refused lines', async (t) => {
  let admin: Session | undefined;
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'atendo-csv-')), 'clientes.csv');
  fs.writeFileSync(file, Buffer.from(CSV, 'latin1'));
  try {
    admin = await loggedIn(browser, w, w.people.admin);
    const { page } = admin;
    await page.locator('[data-testid=nav-contacts]').click();
    await page.locator('[data-testid=page-opt-outs]').waitFor();
    await page.locator('[data-testid=tab-imports]').click();
    const list = page.locator('[data-testid=page-imports]');
    await waitForText(list, 'Nenhuma importação ainda');

    await page.locator('[data-testid=import-open]').click();
    const dialog = page.locator('[data-testid=import-dialog]');
    await dialog.locator('[data-testid=import-file]').setInputFiles(file);
    await waitForText(dialog.locator('[data-testid=import-detected]'), 'Windows / Latin-1 · separador ponto e vírgula · 6 linhas');
    const preview = dialog.locator('[data-testid=import-preview]');
    await waitForText(preview, 'João da Silva');
    await waitForText(preview, 'Niterói');
    t.is(await dialog.locator('[data-testid=import-phone-column]').inputValue(), 'Celular', 'the phone column is found');
    t.is(await dialog.locator('[data-testid=import-name-column]').inputValue(), 'Nome');
    const valor = dialog.locator('[data-testid=import-column][data-header="Valor do boleto"] input[type=text]');
    t.is(await valor.inputValue(), 'valor_do_boleto');
    await valor.fill('valor');
    await dialog.locator('[data-testid=import-tags]').fill('boletos-março');
    await dialog.locator('[data-testid=import-consent]').selectOption('contract');
    await dialog.locator('[data-testid=import-evidence]').fill('Contrato de prestação de serviço');
    await screenshot(page, 'contacts-import-preview');
    await dialog.locator('[data-testid=import-submit]').scrollIntoViewIfNeeded();
    await screenshot(page, 'contacts-import-mapping');

    await dialog.locator('[data-testid=import-submit]').click();
    const result = dialog.locator('[data-testid=import-result]');
    await result.waitFor();
    t.is(await result.locator('[data-testid=count-total]').innerText(), '6');
    t.is(await result.locator('[data-testid=count-imported]').innerText(), '3');
    t.is(await result.locator('[data-testid=count-merged]').innerText(), '1');
    t.is(await result.locator('[data-testid=count-invalid]').innerText(), '2');
    const refused = result.locator('[data-testid=import-refused] tbody tr');
    t.deepEqual(await refused.allInnerTexts(), ['4\tSem telefone', '5\tTelefone inválido']);
    await screenshot(page, 'contacts-import-result');

    const joao = await w.app.deps.db('contacts').where({ connection_id: w.connectionId, match_key: '5511987654321' }).first();
    t.like(joao, { name: 'João da Silva', tags: ['boletos-março'] });
    t.is(joao.custom_fields.valor, 'R$ 130,00', 'the later row of a repeated number wins');
    t.truthy(await w.app.deps.db('contacts').where({ connection_id: w.connectionId, match_key: '5521987654321' }).first(), 'the ninth digit');
    t.is((await w.app.deps.db('consents').where({ contact_id: joao.id }).first()).legal_basis, 'contract');

    await result.locator('[data-testid=import-close]').click();
    await waitForText(list.locator('[data-testid=imports-table]'), 'clientes.csv');
    await waitForText(list.locator('[data-testid=imports-table]'), '3 novos · 1 mesclados · 2 recusados');
  } finally {
    reportErrors(t, 'admin', admin);
    await admin?.context.close();
  }
});

test('the opt-out list: a customer who wrote SAIR, one added by hand, one removed after confirming', async (t) => {
  let admin: Session | undefined;
  let sup: Session | undefined;
  try {
    const customer = '5511977001122';
    await w.customerWrites(customer, 'Sair', 'Marcos Lima');
    const db = w.app.deps.db;
    const deadline = Date.now() + 15_000;
    while (!(await db('opt_outs as o').join('contacts as c', 'c.id', 'o.contact_id').where('c.external_id', customer).first('o.id'))) {
      if (Date.now() > deadline) throw new Error('the keyword opt-out was not recorded');
      await new Promise((r) => setTimeout(r, 100));
    }

    admin = await loggedIn(browser, w, w.people.admin);
    const { page } = admin;
    await page.locator('[data-testid=nav-contacts]').click();
    const table = page.locator('[data-testid=opt-out-table]');
    await waitForText(table, 'Marcos Lima');
    await waitForText(table, 'Escreveu “Sair”');

    await page.locator('[data-testid=opt-out-add]').click();
    const dialog = page.locator('[data-testid=opt-out-dialog]');
    await dialog.locator('[data-testid=opt-out-phone]').fill('123');
    await dialog.locator('[data-testid=opt-out-save]').click();
    await waitForText(dialog.locator('[data-testid=form-error]'), 'não parece um telefone válido');
    await dialog.locator('[data-testid=opt-out-phone]').fill('(48) 99123-4567');
    await dialog.locator('[data-testid=opt-out-detail]').fill('Pediu por telefone');
    await dialog.locator('[data-testid=opt-out-save]').click();
    await dialog.waitFor({ state: 'detached' });
    const added = table.locator('[data-testid=opt-out-row][data-phone="5548991234567"]');
    await waitForText(added, 'Registrado por');
    await waitForText(added, 'Pediu por telefone');
    await screenshot(page, 'contacts-opt-outs');

    await added.locator('[data-testid=opt-out-remove]').click();
    const confirm = page.locator('[data-testid=opt-out-confirm]');
    await waitForText(confirm, 'Remover +55 48 99123-4567 dos descadastros?');
    await screenshot(page, 'contacts-opt-out-remove');
    await confirm.locator('[data-testid=confirm]').click();
    await added.waitFor({ state: 'detached' });
    t.falsy(await db('opt_outs as o').join('contacts as c', 'c.id', 'o.contact_id').where('c.external_id', '5548991234567').first('o.id'));
    t.is((await db('audit_log').where({ action: 'opt_out.delete' })).length, 1);

    // A supervisor sees the list (no imports tab); in English it reads in English.
    sup = await loggedIn(browser, w, w.people.supervisor);
    await sup.page.locator('[data-testid=nav-contacts]').click();
    await waitForText(sup.page.locator('[data-testid=opt-out-table]'), 'Marcos Lima');
    t.is(await sup.page.locator('[data-testid=tab-imports]').count(), 0);
    await sup.page.evaluate(() => (globalThis as any).localStorage.setItem('atendo.lang', 'en'));
    await sup.page.reload();
    await waitForText(sup.page.locator('[data-testid=page-opt-outs]'), 'Opt-outs');
    await waitForText(sup.page.locator('[data-testid=opt-out-table]'), 'Wrote “Sair”');
    await screenshot(sup.page, 'contacts-opt-outs-en');
  } finally {
    reportErrors(t, 'admin', admin);
    reportErrors(t, 'supervisor', sup);
    await admin?.context.close();
    await sup?.context.close();
  }
});
