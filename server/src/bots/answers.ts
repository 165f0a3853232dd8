import { validCnpj, validCpf } from '#kit/taxId.js';
import { digitsOnly, whatsAppMatchKey } from '../lib/phone.js';
import type { AnswerType, FlowOption } from './flowDefinition.js';

/**
 * Reading a customer's answer to a bot's question, Brazilian-style: what counts as a number, a CPF, a
 * phone, a date, or a choice among the options. Pure; the clock and the time zone come from the caller.
 */

export type Answer = { ok: true; value: string | number; optionId?: string } | { ok: false };

const NO: Answer = { ok: false };

/**
 * The form text is compared in (keyword triggers, option titles): lower case, accents removed, runs of
 * spaces made one, punctuation trimmed from both ends ("  Cartão!! " → "cartao"). A text that is only
 * punctuation keeps it, so "?" never equals "!" or "".
 */
export function normalizeText(s: string): string {
  const plain = s.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase().replace(/\s+/gu, ' ').trim();
  const trimmed = plain.replace(/^[\p{P}\s]+|[\p{P}\s]+$/gu, '');
  return trimmed === '' ? plain : trimmed;
}

/** Letters and digits only: "Cartão - crédito" and "cartao credito" compare equal. */
const compact = (s: string) => normalizeText(s).replace(/[^\p{L}\p{N}]+/gu, '');

export function parseAnswer(
  type: AnswerType,
  input: { text: string | null; replyId: string | null },
  options?: FlowOption[],
  now: Date = new Date(),
  timeZone = 'America/Sao_Paulo',
): Answer {
  const text = (input.text ?? '').trim();
  switch (type) {
    case 'option': return parseOption(text, input.replyId, options ?? []);
    case 'text': return text ? { ok: true, value: text } : NO;
    case 'number': return parseNumber(text);
    case 'email': return parseEmail(text);
    case 'cpf_cnpj': return parseCpfCnpj(text);
    case 'phone': return parsePhone(text);
    case 'date': return parseDate(text, now, timeZone);
  }
}

// ─────────── number ───────────

/** "1.234,56", "1234,56", "12.5", "R$ 10", "-3": pt-BR first (comma decimal, dot thousands). */
function parseNumber(text: string): Answer {
  let s = text.replace(/^r\$\s*/iu, '').replace(/[\s\u00a0]+/gu, '');
  if (!/^[+-]?[\d.,]+$/.test(s) || !/\d/.test(s)) return NO;
  const sign = s.startsWith('-') ? -1 : 1;
  s = s.replace(/^[+-]/, '');
  const lastDot = s.lastIndexOf('.');
  const lastComma = s.lastIndexOf(',');
  let intPart: string;
  let frac = '';
  if (lastDot >= 0 && lastComma >= 0) {
    // Both: the last one is the decimal separator, the other groups thousands.
    const dec = lastDot > lastComma ? '.' : ',';
    const group = dec === '.' ? ',' : '.';
    [intPart, frac] = [s.slice(0, s.lastIndexOf(dec)), s.slice(s.lastIndexOf(dec) + 1)];
    if (intPart.includes(dec) || !groupedOk(intPart, group)) return NO;
    intPart = intPart.split(group).join('');
  } else if (lastComma >= 0 || lastDot >= 0) {
    const sep = lastComma >= 0 ? ',' : '.';
    const parts = s.split(sep);
    if (parts.length > 2) {
      if (!groupedOk(s, sep)) return NO;
      intPart = parts.join('');
    } else if (sep === '.' && /^\d{1,3}\.\d{3}$/.test(s)) {
      intPart = parts.join(''); // "1.234": thousands, as Brazilians write it
    } else {
      [intPart, frac] = [parts[0]!, parts[1]!];
    }
  } else intPart = s;
  if (!/^\d*$/.test(intPart) || !/^\d*$/.test(frac) || (intPart === '' && frac === '')) return NO;
  const value = sign * Number(`${intPart || '0'}.${frac || '0'}`);
  return Number.isFinite(value) ? { ok: true, value } : NO;
}

/** "1.234.567" with `.`: groups of three after the first group of one to three digits. */
function groupedOk(s: string, sep: string): boolean {
  if (!s.includes(sep)) return /^\d+$/.test(s);
  const [head, ...rest] = s.split(sep);
  return /^\d{1,3}$/.test(head!) && rest.every((g) => /^\d{3}$/.test(g));
}

// ─────────── email ───────────

function parseEmail(text: string): Answer {
  const s = text.replace(/^mailto:/i, '');
  if (s.length > 254 || !/^[^\s@<>(),;:"]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.[a-z]{2,}$/i.test(s)) return NO;
  const [local, domain] = [s.slice(0, s.lastIndexOf('@')), s.slice(s.lastIndexOf('@') + 1)];
  if (local.length > 64 || local.startsWith('.') || local.endsWith('.') || local.includes('..')) return NO;
  return { ok: true, value: `${local}@${domain.toLowerCase()}` };
}

// ─────────── CPF / CNPJ ───────────

/** CPF or CNPJ by their check digits; the CNPJ may be alphanumeric (since July 2026). Value: compact, upper case. */
function parseCpfCnpj(text: string): Answer {
  if (!/^[\dA-Za-z.\-/\s]+$/.test(text)) return NO;
  const c = text.toUpperCase().replace(/[.\-/\s]/g, '');
  if (/^\d{11}$/.test(c) ? validCpf(c) : /^[0-9A-Z]{12}\d{2}$/.test(c) ? validCnpj(c) : false) return { ok: true, value: c };
  return NO;
}

// ─────────── phone ───────────

/** Brazil's area codes (DDD) in use (Anatel). */
const DDDS = new Set([
  11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 22, 24, 27, 28, 31, 32, 33, 34, 35, 37, 38, 41, 42, 43, 44, 45, 46, 47, 48, 49,
  51, 53, 54, 55, 61, 62, 63, 64, 65, 66, 67, 68, 69, 71, 73, 74, 75, 77, 79, 81, 82, 83, 84, 85, 86, 87, 88, 89,
  91, 92, 93, 94, 95, 96, 97, 98, 99,
]);

/**
 * A Brazilian number with its DDD, with or without +55 (and a trunk 0: "011 …"): mobiles of 9 digits
 * starting with 9, landlines of 8 starting 2-5, and old 8-digit mobiles (6-9), given their ninth digit as
 * WhatsApp ids are matched (lib/phone.ts). The value is E.164 digits: 55 + DDD + number.
 */
function parsePhone(text: string): Answer {
  if (!/^\+?[\d\s().\-]+$/.test(text)) return NO;
  let d = digitsOnly(text);
  if (text.startsWith('+') || (d.length >= 12 && !d.startsWith('0'))) {
    if (!d.startsWith('55')) return NO;
    d = d.slice(2);
  } else if (d.startsWith('0')) d = d.slice(1); // the trunk prefix: "011 98765-4321"
  if (d.length !== 10 && d.length !== 11) return NO;
  if (!DDDS.has(Number(d.slice(0, 2)))) return NO;
  const subscriber = d.slice(2);
  if (subscriber.length === 9 ? !subscriber.startsWith('9') : !/^[2-9]/.test(subscriber)) return NO;
  return { ok: true, value: whatsAppMatchKey(`55${d}`) };
}

// ─────────── date ───────────

/** Today's calendar date where the business is. */
function localDate(now: Date, timeZone: string): { y: number; m: number; d: number } {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  return { y: get('year'), m: get('month'), d: get('day') };
}

const iso = (y: number, m: number, d: number) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

function calendarDate(y: number, m: number, d: number): Answer {
  const t = new Date(Date.UTC(y, m - 1, d));
  if (y < 1 || t.getUTCFullYear() !== y || t.getUTCMonth() !== m - 1 || t.getUTCDate() !== d) return NO;
  return { ok: true, value: iso(y, m, d) };
}

function addDays(base: { y: number; m: number; d: number }, days: number): Answer {
  const t = new Date(Date.UTC(base.y, base.m - 1, base.d + days));
  return { ok: true, value: iso(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate()) };
}

/** dd/mm/yyyy, dd/mm/yy, dd/mm (this year), yyyy-mm-dd, "hoje", "amanhã". Value: 'YYYY-MM-DD'. */
function parseDate(text: string, now: Date, timeZone: string): Answer {
  const today = localDate(now, timeZone);
  const word = normalizeText(text);
  if (word === 'hoje') return addDays(today, 0);
  if (word === 'amanha') return addDays(today, 1);
  if (word === 'depois de amanha') return addDays(today, 2);
  const isoMatch = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
  if (isoMatch) return calendarDate(Number(isoMatch[1]), Number(isoMatch[2]), Number(isoMatch[3]));
  const br = /^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2}|\d{4}))?$/.exec(text);
  if (!br) return NO;
  const [d, m] = [Number(br[1]), Number(br[2])];
  let y = today.y;
  if (br[3]?.length === 4) y = Number(br[3]);
  else if (br[3]) {
    // Two digits: the year within 80 years back and 20 ahead of now ("85" is 1985, "30" is 2030).
    const yy = Number(br[3]);
    y = Math.floor(today.y / 100) * 100 + yy;
    if (y > today.y + 20) y -= 100;
    else if (y < today.y - 80) y += 100;
  }
  return calendarDate(y, m, d);
}

// ─────────── option ───────────

const CARDINALS: Record<string, number> = {
  um: 1, uma: 1, dois: 2, duas: 2, tres: 3, quatro: 4, cinco: 5, seis: 6, sete: 7, oito: 8, nove: 9, dez: 10,
  onze: 11, doze: 12, treze: 13, catorze: 14, quatorze: 14, quinze: 15, dezesseis: 16, dezessete: 17, dezoito: 18, dezenove: 19, vinte: 20,
};
/** Only with an article or "opção" ("a segunda", "terceira opção"): bare, "segunda" and "quarta" are weekdays. */
const ORDINALS: Record<string, number> = {
  primeira: 1, primeiro: 1, segunda: 2, segundo: 2, terceira: 3, terceiro: 3, quarta: 4, quarto: 4, quinta: 5, quinto: 5,
  sexta: 6, sexto: 6, setima: 7, setimo: 7, oitava: 8, oitavo: 8, nona: 9, nono: 9, decima: 10, decimo: 10,
};

/** "2", "2.", "2)", "2ª", "opção 2", "nº 2", "dois", "a segunda": the option's position, or null. */
function optionNumber(norm: string): number | null {
  const s = norm.replace(/[º°ª]/gu, '');
  const cardinal = /^(?:(?:opcao|opc|op|numero|num|no|n)\s*)?(?:(\d{1,3})[ao]?|([a-z]+))$/u.exec(s);
  if (cardinal) return cardinal[1] ? Number(cardinal[1]) : CARDINALS[cardinal[2]!] ?? null;
  const ordinal = /^(?:(?:a|o)\s+([a-z]+)(?:\s+opcao)?|([a-z]+)\s+opcao)$/u.exec(s);
  if (ordinal) return ORDINALS[ordinal[1] ?? ordinal[2]!] ?? null;
  return null;
}

/**
 * The option chosen: by the tapped reply's id (button, list row, Instagram quick-reply payload), then by
 * title (accents, case, spaces and punctuation aside), then by its number in the list (digits or words),
 * then "2 - Cartão" copied from a numbered list when number and title agree.
 */
function parseOption(text: string, replyId: string | null, options: FlowOption[]): Answer {
  const chosen = (o: FlowOption | undefined): Answer => (o ? { ok: true, value: o.title, optionId: o.id } : NO);
  if (options.length === 0) return NO;
  if (replyId) {
    const byId = options.find((o) => o.id === replyId);
    if (byId) return chosen(byId);
    // A reply id we do not know (a menu sent before the flow changed): read its title like typed text.
  }
  if (!text) return NO;
  const norm = normalizeText(text);
  const exact = options.filter((o) => normalizeText(o.title) === norm);
  if (exact.length === 1) return chosen(exact[0]);
  const key = compact(text);
  const loose = key ? options.filter((o) => compact(o.title) === key) : [];
  if (loose.length === 1) return chosen(loose[0]);
  // A title cut with '…' on the button (bots/prompt.ts) comes back cut: match it by its start.
  if (/…$/.test(text)) {
    const head = compact(text.replace(/…$/, ''));
    const cut = head ? options.filter((o) => compact(o.title).startsWith(head)) : [];
    if (cut.length === 1) return chosen(cut[0]);
  }
  const n = optionNumber(norm);
  if (n !== null) return chosen(options[n - 1]);
  const numbered = /^(\d{1,3})\s*[-.):]?\s*(.+)$/u.exec(norm);
  if (numbered) {
    const o = options[Number(numbered[1]) - 1];
    if (o && compact(o.title) === compact(numbered[2]!)) return chosen(o);
  }
  return NO;
}
