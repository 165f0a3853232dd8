import test from 'ava';
import { checkTaxId, taxIdKey } from './taxId.js';

test('valid CPF and CNPJ are accepted and normalised to their characters', (t) => {
  t.deepEqual(checkTaxId('529.982.247-25'), { ok: true, normalized: '52998224725' });
  t.deepEqual(checkTaxId('11.222.333/0001-81'), { ok: true, normalized: '11222333000181' });
});

test('the alphanumeric CNPJ (from July 2026) is checked by its digits too', (t) => {
  t.deepEqual(checkTaxId('12.ABC.345/01DE-35'), { ok: true, normalized: '12ABC34501DE35' });
  t.false(checkTaxId('12.ABC.345/01DE-36').ok);
});

test('wrong check digits and repeated digits are refused', (t) => {
  t.false(checkTaxId('529.982.247-26').ok);
  t.false(checkTaxId('111.111.111-11').ok);
  t.false(checkTaxId('11.222.333/0001-80').ok);
  t.false(checkTaxId('00.000.000/0000-00').ok);
});

test('other countries\' ids pass as given; junk does not', (t) => {
  t.deepEqual(checkTaxId('PT 123456789'), { ok: true, normalized: 'PT 123456789' });
  t.false(checkTaxId('<script>').ok);
  t.false(checkTaxId('ab').ok);
});

test('tax ids compare by letters and digits, whatever the punctuation or case', (t) => {
  t.is(taxIdKey('11.222.333/0001-81'), '11222333000181');
  t.is(taxIdKey('11 222 333 0001 81'), '11222333000181');
  t.is(taxIdKey('PT 123456789'), taxIdKey('pt-123.456.789'));
  t.not(taxIdKey('PT 123456789'), taxIdKey('ES 123456789'));
});
