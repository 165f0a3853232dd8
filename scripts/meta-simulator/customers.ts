/**
 * Simulated Brazilian customers for the local demo: every `everyMs` one of them writes a short Portuguese
 * message to one of the business numbers, delivered as Meta would (signed `messages` webhook).
 */
import crypto from 'node:crypto';
import type { SimSent } from './simulator.js';
import { postWebhook, waButtonReply, waEnvelope, waListReply, waMessagesValue, waText } from './webhooks.js';

interface Customer { name: string; waId: string }

// wa_ids as Meta sends them: most with the mobile 9th digit (13 digits); accounts registered before the
// 9th digit existed keep the 12-digit form, which the appliance must match against 13-digit input numbers.
const CUSTOMERS: Customer[] = [
  { name: 'Ana Souza', waId: '5511987654321' },
  { name: 'Bruno Oliveira', waId: '5521998765432' },
  { name: 'Carla Mendes', waId: '5531991234567' },
  { name: 'Diego Ferreira', waId: '554188776655' },
  { name: 'Eduarda Lima', waId: '5551996543210' },
  { name: 'Felipe Costa', waId: '5561981112233' },
  { name: 'Gabriela Rocha', waId: '558193334455' },
  { name: 'Henrique Alves', waId: '5571992223344' },
];

const MESSAGES = [
  'Oi, tudo bem? Vocês estão abertos hoje?',
  'Bom dia! Qual o horário de funcionamento?',
  'Quero saber o preço do produto que vi no Instagram.',
  'Meu pedido ainda não chegou, podem verificar?',
  'Vocês entregam no meu bairro?',
  'Aceitam Pix?',
  'Boa tarde, gostaria de falar com um atendente.',
  'Obrigada pelo atendimento!',
  'Consigo trocar um produto com defeito?',
  'Tem disponível no tamanho M?',
];

const pick = <T>(items: readonly T[]): T => items[crypto.randomInt(0, items.length)]!;

/** Returns stop(); a message in flight when stop() is called still completes, no new one starts. */
export function startSimulatedCustomers(o: {
  numbers: Array<{ phoneNumberId: string; displayPhoneNumber: string; webhookUrl: string; appSecret: string }>;
  everyMs?: number;
  log?: (line: string) => void;
  /** What the business sent (the simulator's record): a customer with an unanswered menu taps one of its choices. */
  menus?: () => SimSent[];
}): () => void {
  if (o.numbers.length === 0) throw new Error('startSimulatedCustomers needs at least one number');
  const everyMs = o.everyMs ?? 5_000;
  const log = o.log ?? (() => {});
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const answered = new Set<string>();
  /** The newest menu sent to someone who has not answered it yet, with its customer. */
  const openMenu = (): { customer: Customer; menu: SimSent } | null => {
    const sent = o.menus?.() ?? [];
    for (let i = sent.length - 1; i >= 0; i--) {
      const menu = sent[i]!;
      if (menu.shown?.options?.length && !answered.has(menu.id)) {
        const customer = CUSTOMERS.find((c) => c.waId.slice(-8) === menu.to.slice(-8));
        if (customer) return { customer, menu };
      }
    }
    return null;
  };

  const tick = async (): Promise<void> => {
    const number = pick(o.numbers);
    const open = crypto.randomInt(0, 3) > 0 ? openMenu() : null;
    const customer = open?.customer ?? pick(CUSTOMERS);
    let message: object;
    let text: string;
    if (open) {
      answered.add(open.menu.id);
      const choice = pick(open.menu.shown!.options!);
      text = `[${choice.title}]`;
      message = open.menu.shown!.kind === 'list'
        ? waListReply(customer.waId, { id: choice.id, title: choice.title }, { id: open.menu.id })
        : waButtonReply(customer.waId, { id: choice.id, title: choice.title }, { id: open.menu.id });
    } else {
      text = pick(MESSAGES);
      message = waText(customer.waId, text);
    }
    const body = waEnvelope([{
      changes: [{
        value: waMessagesValue({
          phoneNumberId: number.phoneNumberId,
          displayPhoneNumber: number.displayPhoneNumber,
          contacts: [{ waId: customer.waId, name: customer.name }],
          messages: [message],
        }),
      }],
    }]);
    try {
      const { status, ms } = await postWebhook(number.webhookUrl, body, number.appSecret);
      log(`${customer.name} (+${customer.waId}) → ${number.displayPhoneNumber}: "${text}" [${status}, ${ms.toFixed(0)} ms]`);
    } catch (err) {
      log(`${customer.name} → ${number.displayPhoneNumber}: webhook failed: ${(err as Error).message}`);
    }
  };

  // Chained timeouts rather than setInterval, so a slow appliance never gets overlapping deliveries.
  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => { void tick().finally(schedule); }, everyMs);
  };
  schedule();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
