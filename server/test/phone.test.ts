import test from 'ava';
import { whatsAppMatchKey } from '../src/lib/phone.js';

test('Brazilian mobiles without the ninth digit get it; both forms give one key', (t) => {
  t.is(whatsAppMatchKey('551187654321'), '5511987654321');
  t.is(whatsAppMatchKey('5511987654321'), '5511987654321');
  t.is(whatsAppMatchKey('+55 (21) 6543-2109'), '5521965432109', 'formatting is ignored; 6 starts a mobile range');
  t.is(whatsAppMatchKey('559999999999'), '5599999999999');
});

test('landlines, other countries and odd lengths are left as they are', (t) => {
  t.is(whatsAppMatchKey('551133334444'), '551133334444', 'first digit 2-5: a landline, no ninth digit');
  t.is(whatsAppMatchKey('551153334444'), '551153334444');
  t.is(whatsAppMatchKey('15551234567'), '15551234567');
  t.is(whatsAppMatchKey('351912345678'), '351912345678', 'Portugal is not Brazil');
  t.is(whatsAppMatchKey('550187654321'), '550187654321', 'no DDD starts with 0');
  t.is(whatsAppMatchKey('55118765432'), '55118765432');
});
