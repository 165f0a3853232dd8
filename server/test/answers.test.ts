import test from 'ava';
import { normalizeText, parseAnswer } from '../src/bots/answers.js';
import type { AnswerType, FlowOption } from '../src/bots/flowDefinition.js';

const typed = (type: AnswerType, text: string | null, options?: FlowOption[], now?: Date, timeZone?: string) =>
  parseAnswer(type, { text, replyId: null }, options, now, timeZone);
const value = (type: AnswerType, text: string, now?: Date, timeZone?: string) => {
  const a = typed(type, text, undefined, now, timeZone);
  return a.ok ? a.value : undefined;
};

test('normalizeText: lower case, no accents, one space, punctuation trimmed; punctuation-only text kept', (t) => {
  t.is(normalizeText('  Cartão   de  CRÉDITO!! '), 'cartao de credito');
  t.is(normalizeText('¿Ação?'), 'acao');
  t.is(normalizeText('...oi...'), 'oi');
  t.is(normalizeText('Olá\tmundo\n'), 'ola mundo');
  t.is(normalizeText('?'), '?', 'a text of punctuation only is not made empty');
  t.not(normalizeText('?'), normalizeText('!'));
  t.is(normalizeText('preço-final'), 'preco-final', 'inner punctuation stays');
});

test('text: any non-blank text, trimmed', (t) => {
  t.deepEqual(typed('text', '  Maria Souza '), { ok: true, value: 'Maria Souza' });
  t.false(typed('text', '   ').ok);
  t.false(typed('text', null).ok);
});

test('number: pt-BR and plain decimals, thousands, currency; anything else refused', (t) => {
  t.is(value('number', '1.234,56'), 1234.56);
  t.is(value('number', '1234,56'), 1234.56);
  t.is(value('number', '12.5'), 12.5);
  t.is(value('number', '12,5'), 12.5);
  t.is(value('number', 'R$ 10'), 10);
  t.is(value('number', 'r$10,90'), 10.9);
  t.is(value('number', '1.234'), 1234, 'a dot before three digits groups thousands, as written in Brazil');
  t.is(value('number', '1.234.567'), 1234567);
  t.is(value('number', '1,234.56'), 1234.56);
  t.is(value('number', '-3'), -3);
  t.is(value('number', '42'), 42);
  for (const bad of ['', 'abc', '12a', '1.2.3', '1.23.456', '1,2,3', '1.234,5,6', '--1', 'R$', '10 reais e 5', '.', ',']) {
    t.false(typed('number', bad).ok, bad);
  }
});

test('email: a usable address; the domain in lower case', (t) => {
  t.is(value('email', ' Maria.Souza@Exemplo.COM.br '), 'Maria.Souza@exemplo.com.br');
  t.is(value('email', 'ana+loja@gmail.com'), 'ana+loja@gmail.com');
  for (const bad of ['maria', 'maria@', '@exemplo.com', 'maria@exemplo', 'maria souza@exemplo.com', 'maria@@exemplo.com', 'maria@exemplo..com',
    '.maria@exemplo.com', 'ma..ria@exemplo.com', 'maria@-exemplo.com', 'maria@exemplo.c']) {
    t.false(typed('email', bad).ok, bad);
  }
});

test('cpf_cnpj: valid check digits, punctuation allowed, value in digits', (t) => {
  t.is(value('cpf_cnpj', '529.982.247-25'), '52998224725');
  t.is(value('cpf_cnpj', '52998224725'), '52998224725');
  t.is(value('cpf_cnpj', '11.222.333/0001-81'), '11222333000181');
  t.is(value('cpf_cnpj', '11222333000181'), '11222333000181');
  t.is(value('cpf_cnpj', '12.abc.345/01de-35'), '12ABC34501DE35', 'the alphanumeric CNPJ (from July 2026)');
  t.false(typed('cpf_cnpj', '12.ABC.345/01DE-36').ok, 'an alphanumeric CNPJ with a wrong check digit');
  t.false(typed('cpf_cnpj', '529.982.247-24').ok, 'CPF with a wrong second check digit');
  t.false(typed('cpf_cnpj', '529.982.247-15').ok, 'CPF with a wrong first check digit');
  t.false(typed('cpf_cnpj', '111.111.111-11').ok, 'repeated digits pass the sums but are no CPF');
  t.false(typed('cpf_cnpj', '11.222.333/0001-80').ok, 'CNPJ with a wrong check digit');
  t.false(typed('cpf_cnpj', '11.222.333/0001-71').ok, 'CNPJ with a wrong first check digit');
  t.false(typed('cpf_cnpj', '00.000.000/0000-00').ok);
  t.false(typed('cpf_cnpj', '5299822472').ok, '10 digits');
  t.false(typed('cpf_cnpj', '529982247251').ok, '12 digits');
  t.false(typed('cpf_cnpj', 'CPF 529.982.247-25').ok, 'letters are not punctuation');
});

test('phone: Brazilian, with or without +55, DDD required, ninth digit for mobiles; value E.164 digits', (t) => {
  t.is(value('phone', '(11) 98765-4321'), '5511987654321');
  t.is(value('phone', '+55 11 98765-4321'), '5511987654321');
  t.is(value('phone', '5511987654321'), '5511987654321');
  t.is(value('phone', '011 98765 4321'), '5511987654321', 'a trunk 0 before the DDD');
  t.is(value('phone', '11 8765-4321'), '5511987654321', 'an old 8-digit mobile gets its ninth digit');
  t.is(value('phone', '+55 11 8765-4321'), '5511987654321');
  t.is(value('phone', '(21) 3456-7890'), '552134567890', 'landlines have 8 digits');
  t.is(value('phone', '55 99123-4567'), '5555991234567', 'DDD 55 (RS) without the country code');
  t.false(typed('phone', '98765-4321').ok, 'no DDD');
  t.false(typed('phone', '(20) 98765-4321').ok, 'no such DDD');
  t.false(typed('phone', '(11) 88765-4321').ok, '9 digits must start with 9');
  t.false(typed('phone', '(11) 1765-4321').ok, '8 digits cannot start with 1');
  t.false(typed('phone', '+1 415 555 2671').ok, 'not Brazilian');
  t.false(typed('phone', '+54 11 98765-4321').ok);
  t.false(typed('phone', '11 98765-43210').ok, 'too long');
  t.false(typed('phone', 'meu número é 11 98765-4321').ok);
});

test('date: dd/mm/yyyy, dd/mm/yy, dd/mm, yyyy-mm-dd, hoje, amanhã; invalid calendar dates refused', (t) => {
  // 02:30 UTC on 2026-03-01 is still 28 February in São Paulo (UTC-3).
  const now = new Date(Date.UTC(2026, 2, 1, 2, 30));
  const sp = 'America/Sao_Paulo';
  t.is(value('date', '15/03/2026', now, sp), '2026-03-15');
  t.is(value('date', '5/3/2026', now, sp), '2026-03-05');
  t.is(value('date', '15-03-2026', now, sp), '2026-03-15');
  t.is(value('date', '15/03/26', now, sp), '2026-03-15');
  t.is(value('date', '15/03/85', now, sp), '1985-03-15', 'two digits far ahead are the last century');
  t.is(value('date', '15/03', now, sp), '2026-03-15', 'this year, where the business is');
  t.is(value('date', '2026-03-15', now, sp), '2026-03-15');
  t.is(value('date', 'hoje', now, sp), '2026-02-28', "today in the business's zone, not UTC");
  t.is(value('date', 'Hoje!', now, sp), '2026-02-28');
  t.is(value('date', 'amanhã', now, sp), '2026-03-01');
  t.is(value('date', 'AMANHA', now, sp), '2026-03-01');
  t.is(value('date', 'hoje', now, 'UTC'), '2026-03-01');
  t.is(value('date', '31/12', new Date(Date.UTC(2027, 0, 1, 1)), sp), '2026-12-31', 'the year of the local date');
  t.is(value('date', '29/02/2028', now, sp), '2028-02-29', 'a leap day');
  for (const bad of ['30/02/2026', '29/02/2026', '31/04/2026', '00/01/2026', '15/13/2026', '2026-02-30', '2026-13-01', '32/01', 'ontem?', 'semana que vem', '15/03/202', '']) {
    t.false(typed('date', bad, undefined, now, sp).ok, bad);
  }
});

const PAY: FlowOption[] = [
  { id: 'pix', title: 'Pix' },
  { id: 'card', title: 'Cartão de crédito' },
  { id: 'boleto', title: 'Boleto' },
];
const pick = (text: string | null, replyId: string | null = null, options = PAY) => {
  const a = parseAnswer('option', { text, replyId }, options);
  return a.ok ? a.optionId : undefined;
};

test('option: by the tapped reply id (button, list row, Instagram payload)', (t) => {
  t.deepEqual(parseAnswer('option', { text: 'Cartão de crédito', replyId: 'card' }, PAY), { ok: true, value: 'Cartão de crédito', optionId: 'card' });
  t.is(pick('whatever the title says', 'boleto'), 'boleto', 'the id decides, not the text');
  t.is(pick('Pix', 'gone'), 'pix', 'an unknown id (an older menu) is read by its title');
  t.is(pick(null, 'gone'), undefined);
});

test('option: by number, digits or words', (t) => {
  t.is(pick('2'), 'card');
  t.is(pick('2.'), 'card');
  t.is(pick('2)'), 'card');
  t.is(pick(' 3 '), 'boleto');
  t.is(pick('opção 2'), 'card');
  t.is(pick('Opcao 1'), 'pix');
  t.is(pick('nº 3'), 'boleto');
  t.is(pick('dois'), 'card');
  t.is(pick('Três'), 'boleto');
  t.is(pick('a segunda'), 'card');
  t.is(pick('segunda'), undefined, 'a bare ordinal is a weekday, not an option number');
  t.is(pick('4'), undefined, 'out of range');
  t.is(pick('0'), undefined);
  t.is(pick('quatro'), undefined);
});

test('option: by title, accents, case, spaces and punctuation aside', (t) => {
  t.is(pick('Cartao de credito'), 'card');
  t.is(pick('CARTÃO DE CRÉDITO'), 'card');
  t.is(pick('  cartão   de crédito!! '), 'card');
  t.is(pick('cartão-de-crédito'), 'card');
  t.is(pick('pix.'), 'pix');
  t.is(pick('2 - Cartão de crédito'), 'card', 'a line copied from the numbered list');
  t.is(pick('3 - Cartão de crédito'), undefined, 'number and title disagree');
  t.is(pick('Cartão de c…'), 'card', 'a title cut on the button');
  t.is(pick('cartão'), undefined, 'part of a title is not the title');
  t.is(pick('dinheiro'), undefined);
  t.is(pick(''), undefined);
  t.is(pick('2', null, []), undefined, 'no options, no choice');
  // A title that is a number is matched as a title before it is read as a position.
  const years: FlowOption[] = [{ id: 'y25', title: '2025' }, { id: 'y1', title: '1' }];
  t.is(pick('1', null, years), 'y1');
  t.is(pick('2025', null, years), 'y25');
  t.is(pick('2', null, years), 'y1', 'otherwise the number is the position');
});
