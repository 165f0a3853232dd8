import test from 'ava';
import type { FlowOption } from '../src/bots/flowDefinition.js';
import { promptContent } from '../src/bots/prompt.js';
import * as L from '../src/messaging/interactiveLimits.js';
import { renderInteractive } from '../src/messaging/interactiveMessage.js';

const opts = (n: number, title = (i: number) => `Opção ${i}`): FlowOption[] => Array.from({ length: n }, (_, i) => ({ id: `o${i + 1}`, title: title(i + 1) }));
const chars = (s: string) => [...s].length;

test('the limits are Meta\'s', (t) => {
  t.deepEqual(
    [L.BUTTON_TITLE_MAX, L.LIST_ROW_TITLE_MAX, L.LIST_ROW_DESCRIPTION_MAX, L.LIST_BUTTON_MAX, L.INTERACTIVE_BODY_MAX, L.MAX_BUTTONS, L.MAX_LIST_ROWS, L.IG_QUICK_REPLIES_MAX, L.IG_QUICK_REPLY_TITLE_MAX],
    [20, 24, 72, 20, 1024, 3, 10, 13, 20],
  );
});

test('no options: a text', (t) => {
  t.deepEqual(promptContent('whatsapp', 'Olá!', undefined), { type: 'text', text: 'Olá!' });
  t.deepEqual(promptContent('instagram', 'Olá!', []), { type: 'text', text: 'Olá!' });
});

test('WhatsApp: 1-3 reply buttons, 4-10 a list with its button label, more a numbered text', (t) => {
  const three = promptContent('whatsapp', 'Como prefere pagar?', [{ id: 'pix', title: 'Pix' }, { id: 'card', title: 'Cartão' }, { id: 'boleto', title: 'Boleto' }]);
  t.deepEqual(three, { type: 'interactive', text: 'Como prefere pagar?', options: [{ id: 'pix', title: 'Pix' }, { id: 'card', title: 'Cartão' }, { id: 'boleto', title: 'Boleto' }] });
  t.is(renderInteractive('whatsapp', three as any).kind, 'button');

  const seven = promptContent('whatsapp', 'Assunto?', [...opts(6), { id: 'o7', title: 'Outro', description: 'Fale com a gente' }]);
  t.like(seven, { type: 'interactive', text: 'Assunto?', buttonLabel: 'Ver opções' });
  t.deepEqual((seven as any).options[6], { id: 'o7', title: 'Outro', description: 'Fale com a gente' });
  t.is(renderInteractive('whatsapp', seven as any).kind, 'list');
  t.is((promptContent('whatsapp', 'x', opts(4), 'Escolher') as any).buttonLabel, 'Escolher');
  t.is((promptContent('whatsapp', 'x', opts(10)) as any).options.length, 10);

  const twelve = promptContent('whatsapp', 'Qual loja?', opts(12, (i) => `Loja ${i}`));
  t.is(twelve.type, 'text');
  t.is((twelve as any).text, `Qual loja?\n\n${Array.from({ length: 12 }, (_, i) => `${i + 1}. Loja ${i + 1}`).join('\n')}`);
});

test('Instagram: up to 13 quick replies, more a numbered text', (t) => {
  const five = promptContent('instagram', 'Como prefere pagar?', opts(5));
  t.like(five, { type: 'interactive', text: 'Como prefere pagar?' });
  t.is((five as any).options.length, 5);
  t.false('buttonLabel' in five);
  t.is(renderInteractive('instagram', five as any).kind, 'quick_replies');
  t.is((promptContent('instagram', 'x', opts(13)) as any).options.length, 13);
  const fourteen = promptContent('instagram', 'x', opts(14));
  t.is(fourteen.type, 'text');
  t.regex((fourteen as any).text, /\n14\. Opção 14$/);
});

test('titles beyond Meta\'s limits are cut with … and kept unique; the body is cut to 1024', (t) => {
  const long = 'Cartão de crédito parcelado em 12x sem juros';
  const buttons = promptContent('whatsapp', 'b'.repeat(1500), [{ id: 'a', title: long }, { id: 'b', title: `${long}!` }]) as any;
  t.is(chars(buttons.text), 1024);
  t.true(buttons.text.endsWith('…'));
  t.is(buttons.options[0].title, 'Cartão de crédito p…');
  t.is(chars(buttons.options[0].title), 20);
  t.not(buttons.options[1].title, buttons.options[0].title, 'two titles the cut made equal are told apart');
  t.true(chars(buttons.options[1].title) <= 20);
  t.notThrows(() => renderInteractive('whatsapp', buttons));

  const list = promptContent('whatsapp', 'x', opts(5, (i) => `${long} ${i}`).map((o) => ({ ...o, description: 'd'.repeat(100) })), 'Escolha uma das opções abaixo') as any;
  for (const o of list.options) {
    t.true(chars(o.title) <= 24);
    t.is(chars(o.description), 72);
  }
  t.is(chars(list.buttonLabel), 20);
  t.notThrows(() => renderInteractive('whatsapp', list));

  const ig = promptContent('instagram', 'é'.repeat(900), opts(3, () => long)) as any;
  t.true(Buffer.byteLength(ig.text) <= 1000, 'Instagram counts bytes');
  t.true(ig.options.every((o: any) => chars(o.title) <= 20));
  t.is(new Set(ig.options.map((o: any) => o.title)).size, 3);
  t.notThrows(() => renderInteractive('instagram', ig));
});

test('a numbered text keeps every option within the channel\'s text limit (the intro is cut first)', (t) => {
  const many = opts(40, (i) => `Produto com nome comprido número ${i}`);
  const wa = promptContent('whatsapp', 'i'.repeat(5000), many) as any;
  t.true(chars(wa.text) <= 4096);
  t.true(wa.text.endsWith('40. Produto com nome comprido número 40'));
  const ig = promptContent('instagram', 'intro '.repeat(100), opts(20, (i) => `Item ${i}`)) as any;
  t.true(Buffer.byteLength(ig.text) <= 1000);
  t.true(ig.text.endsWith('20. Item 20'));
});

test('an empty text still gets the body Meta requires', (t) => {
  const c = promptContent('whatsapp', '', opts(2)) as any;
  t.is(c.type, 'interactive');
  t.truthy(c.text.trim());
});
