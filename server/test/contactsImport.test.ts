import anyTest from 'ava';
import { PASSWORD, call } from './support.js';
import { startInboundWorld, type InboundWorld, type TestConnection } from './inbound.js';

/**
 * CSV contact imports through the real HTTP surface: encodings (UTF-8 with a BOM, Windows-1252 "João"),
 * separators (; , tab), quoted fields across lines, the Brazilian ninth digit, duplicates merged within
 * the file and with existing contacts, refused rows named by the line a person sees, consent per import,
 * and the refusals (csv_invalid with its line, phone_column_missing, import_too_large).
 */
const test = anyTest.serial;
let w: InboundWorld;
let wa: TestConnection;

anyTest.before(async () => {
  w = await startInboundWorld();
  wa = await w.addWhatsApp();
});
anyTest.after.always(async () => { await w?.close(); });

const importCsv = (body: string | Buffer, query: Record<string, string> = {}, o: { cookie?: string; type?: string } = {}) =>
  call('POST', `${w.app.url}/api/contacts/import?${new URLSearchParams({ connectionId: wa.id, ...query })}`, {
    raw: body, headers: { 'content-type': o.type ?? 'text/csv', cookie: o.cookie ?? w.adminCookie },
  });
const db = () => w.app.deps.db;
const contact = (matchKey: string) => db()('contacts').where({ connection_id: wa.id, match_key: matchKey }).first();

test('UTF-8 with a BOM and semicolons: contacts, columns per row, the ninth digit, +55 added', async (t) => {
  const csv = '\uFEFFNome;Telefone;Cidade;Valor do boleto\r\n'
    + 'Maria Souza;(11) 98765-4321;São Paulo;R$ 120,50\r\n'
    + 'Pedro;+55 21 8765-4321;Rio de Janeiro;R$ 99,00\r\n'
    + 'Ana;5531987650000;Belo Horizonte;\r\n';
  const res = await importCsv(csv, { filename: 'clientes.csv', tags: 'Black Friday,vip' });
  t.is(res.status, 201, res.text);
  t.like(res.body, { filename: 'clientes.csv', counts: { totalRows: 3, imported: 3, merged: 0, invalid: 0, contacts: 3 }, errors: [] });
  t.like(res.body.mapping, { encoding: 'utf-8-bom', separator: ';', phone: 'Telefone', name: 'Nome', columns: { cidade: 'Cidade', valor_do_boleto: 'Valor do boleto' } });

  const maria = await contact('5511987654321');
  t.like(maria, { external_id: '5511987654321', name: 'Maria Souza', tags: ['black friday', 'vip'], custom_fields: { cidade: 'São Paulo', valor_do_boleto: 'R$ 120,50' } });
  const pedro = await contact('5521987654321');
  t.truthy(pedro, 'an old 8-digit mobile gets its ninth digit');
  t.is(pedro.external_id, '5521987654321');
  const rows = await db()('contact_import_rows').where({ import_id: res.body.id }).orderBy('line');
  t.deepEqual(rows.map((r) => r.line), [2, 3, 4], 'the header is line 1');
  t.deepEqual(rows[0].columns, { cidade: 'São Paulo', valor_do_boleto: 'R$ 120,50' });
  t.deepEqual(rows[2].columns, { cidade: 'Belo Horizonte' }, 'empty cells are left out');

  const got = await w.app.api('GET', `/api/contacts/imports/${res.body.id}`, { cookie: w.adminCookie });
  t.is(got.status, 200);
  t.like(got.body, { id: res.body.id, counts: { totalRows: 3, imported: 3 } });
  const list = await w.app.api('GET', `/api/contacts/imports?connectionId=${wa.id}`, { cookie: w.adminCookie });
  t.is(list.body.items[0].id, res.body.id);
  t.is(list.body.items[0].errors, undefined, 'the list leaves the errors out');
  t.is((await db()('audit_log').where({ action: 'contacts.import', subject_id: res.body.id })).length, 1);
});

test('Windows-1252 (Latin-1) "João", commas, quoted fields with separators, quotes and line breaks', async (t) => {
  const text = 'nome,celular,obs\n"João, o filho",11 91234-5678,"disse ""oi""\nem duas linhas"\nConceição,(48) 99999-0000,ok\n';
  const res = await importCsv(Buffer.from(text, 'latin1'), { columns: JSON.stringify({ observacao: 'obs' }) });
  t.is(res.status, 201, res.text);
  t.like(res.body.mapping, { encoding: 'windows-1252', separator: ',' });
  const joao = await contact('5511912345678');
  t.is(joao.name, 'João, o filho');
  t.deepEqual(joao.custom_fields, { observacao: 'disse "oi"\nem duas linhas' });
  const lines = (await db()('contact_import_rows').where({ import_id: res.body.id }).orderBy('line')).map((r) => r.line);
  t.deepEqual(lines, [2, 4], 'a record after a two-line field starts on line 4');
  t.is((await contact('5548999990000')).name, 'Conceição');
});

test('tabs; duplicates merged within the file and with existing contacts; bad rows named by line', async (t) => {
  const before = await importCsv('telefone;nome\n11 97777-0001;Existente\n');
  t.is(before.status, 201);
  const csv = [
    'WhatsApp\tNome\tPlano',
    '11977770001\tCliente Antigo\tOuro', // line 2: an existing contact (merged)
    '1197777-0002\tNova\tPrata', // line 3
    '55 11 97777-0002\t\tBronze', // line 4: the same as line 3 (merged; name kept, plano updated)
    'abc\tSem número\tOuro', // line 5: invalid
    '\tVazio\tOuro', // line 6: missing
    '123\tCurto\tOuro', // line 7: invalid
    '',
    '00 1 415 555 0100\tEUA\tOuro', // line 9: an international number
    '5511977770003\tExtra\tOuro\tsobra', // line 10: too many columns
  ].join('\n');
  const res = await importCsv(csv);
  t.is(res.status, 201, res.text);
  t.like(res.body.mapping, { separator: '\t', phone: 'WhatsApp' });
  t.like(res.body.counts, { totalRows: 8, imported: 2, merged: 2, invalid: 4, contacts: 3 });
  t.deepEqual(res.body.errors, [
    { line: 5, reason: 'phone_invalid' }, { line: 6, reason: 'phone_missing' }, { line: 7, reason: 'phone_invalid' }, { line: 10, reason: 'too_many_columns' },
  ]);
  t.like(await contact('5511977770001'), { name: 'Cliente Antigo', custom_fields: { plano: 'Ouro' } });
  t.like(await contact('5511977770002'), { name: 'Nova', custom_fields: { plano: 'Bronze' } });
  t.truthy(await contact('14155550100'));
  t.is(Number((await db()('contacts').where({ connection_id: wa.id }).whereIn('match_key', ['5511977770001', '5511977770002']).count('* as n'))[0]!.n), 2);
  const rows = await db()('contact_import_rows').where({ import_id: res.body.id }).orderBy('line');
  t.deepEqual(rows.map((r) => [r.line, r.columns.plano]), [[2, 'Ouro'], [3, 'Bronze'], [9, 'Ouro']]);
});

test('saveFields=false keeps the columns on the import rows only, not on the contact', async (t) => {
  const res = await importCsv('telefone;nome;cupom\n11 95555-0001;Rita;ABC10\n', { saveFields: 'false', tags: 'cupom' });
  t.is(res.status, 201, res.text);
  const rita = await contact('5511955550001');
  t.like(rita, { name: 'Rita', tags: ['cupom'] });
  t.deepEqual(rita.custom_fields, {});
  const rows = await db()('contact_import_rows').where({ import_id: res.body.id });
  t.deepEqual(rows.map((r) => r.columns), [{ cupom: 'ABC10' }]);
});

test('consent for the whole import is recorded per contact, with its legal basis; opt-outs stay', async (t) => {
  const res = await importCsv('telefone\n11 96666-0001\n11 96666-0002\n', { consentBasis: 'legitimate_interest', consentEvidence: 'clientes da loja desde 2024' });
  t.is(res.status, 201, res.text);
  const ids = (await db()('contact_import_rows').where({ import_id: res.body.id })).map((r) => r.contact_id);
  const consents = await db()('consents').whereIn('contact_id', ids);
  t.is(consents.length, 2);
  t.like(consents[0], { legal_basis: 'legitimate_interest', source: 'import', evidence: 'clientes da loja desde 2024' });
  t.is(String(consents[0].import_id), res.body.id);

  // A contact who opted out stays opted out when a later import names them.
  const out = await w.app.api('POST', '/api/opt-outs', { cookie: w.adminCookie, body: { connectionId: wa.id, phone: '11 96666-0001' } });
  t.is(out.status, 201, out.text);
  t.is((await importCsv('telefone\n11966660001\n', { consentBasis: 'consent' })).status, 201);
  t.truthy(await db()('opt_outs').where({ id: out.body.id }).first());
  t.is((await importCsv('telefone\n1\n', { consentBasis: 'porque sim' })).body.error.code, 'validation_failed');
});

test('refusals: csv_invalid with its line, phone_column_missing, import_too_large, roles, media type', async (t) => {
  const unclosed = await importCsv('nome;telefone\nAna;11988887777\n"Bia;11988887778\nCaio;11988887779\n');
  t.is(unclosed.status, 400);
  t.is(unclosed.body.error.code, 'csv_invalid');
  t.is(unclosed.body.error.line, 3, 'the line where the quote opened');
  const stray = await importCsv('nome,telefone\nAna,11988887777\n"Bia"x,11988887778\n');
  t.like(stray.body.error, { code: 'csv_invalid', line: 3 });
  t.like((await importCsv('')).body.error, { code: 'csv_invalid', line: 1 }, 'an empty body');
  t.is((await importCsv('\n\n')).body.error.code, 'csv_invalid');

  const noPhone = await importCsv('nome;email\nAna;ana@x.com\n');
  t.is(noPhone.status, 400);
  t.is(noPhone.body.error.code, 'phone_column_missing');
  t.deepEqual(noPhone.body.error.columns, ['nome', 'email']);
  t.is((await importCsv('nome;tel\nAna;11988887777\n', { phoneColumn: 'celular' })).body.error.code, 'phone_column_missing');
  t.is((await importCsv('nome;x\nAna;11988887777\n', { phoneColumn: 'X' })).status, 201, 'headers match without case');

  const rows = `telefone\n${'11988887777\n'.repeat(100_001)}`;
  const tooMany = await importCsv(rows);
  t.is(tooMany.status, 413);
  t.like(tooMany.body.error, { code: 'import_too_large', what: 'rows', limit: 100_000 });
  const tooBig = await importCsv(Buffer.alloc(32 * 1024 * 1024 + 1, 'a'));
  t.is(tooBig.status, 413);
  t.is(tooBig.body.error.code, 'import_too_large');

  t.is((await importCsv('telefone\n11988887777\n', {}, { type: 'application/json' })).status, 415);
  t.is((await importCsv('telefone\n11988887777\n', { columns: '{nope' })).body.error.code, 'validation_failed');
  await w.app.addUser({ email: 'sup@loja.com.br', role: 'supervisor' });
  const sup = (await w.app.login('sup@loja.com.br', PASSWORD)).cookie;
  const denied = await importCsv('telefone\n11988887777\n', {}, { cookie: sup });
  t.is(denied.status, 403);
  t.is(denied.body.error.code, 'forbidden');
  const ig = await w.addInstagram();
  const onIg = await call('POST', `${w.app.url}/api/contacts/import?connectionId=${ig.id}`, { raw: 'telefone\n11988887777\n', headers: { 'content-type': 'text/csv', cookie: w.adminCookie } });
  t.is(onIg.body.error.code, 'import_wrong_channel');
});

test('preview: detected encoding and separator, header, first rows, suggested mapping', async (t) => {
  const res = await call('POST', `${w.app.url}/api/contacts/import/preview`, {
    raw: Buffer.from('Nome;Celular;Cidade\nJoão;11 98888-7777;Florianópolis\nZé;21 97777-6666;Niterói\n', 'latin1'),
    headers: { 'content-type': 'text/csv', cookie: w.adminCookie },
  });
  t.is(res.status, 200, res.text);
  t.like(res.body, { encoding: 'windows-1252', separator: ';', header: ['Nome', 'Celular', 'Cidade'], totalRows: 2 });
  t.deepEqual(res.body.rows[0], { line: 2, fields: ['João', '11 98888-7777', 'Florianópolis'] });
  t.deepEqual(res.body.suggested, { phoneColumn: 'Celular', nameColumn: 'Nome', columns: { cidade: 'Cidade' } });
});
