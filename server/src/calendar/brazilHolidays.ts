/**
 * Brazil's national holidays, computed by rule for any year (never stored rows, so they never run out).
 *
 * Fixed dates come from Lei 662/1949, 6.802/1980 (Aparecida) and 14.759/2023 (Consciência Negra, national
 * from 2024); Sexta-feira Santa moves with Easter. Carnaval (Monday and Tuesday) and Corpus Christi are
 * "pontos facultativos", not holidays: offered as optional, off unless a calendar turns them on.
 */

export type OptionalHoliday = 'carnaval' | 'corpus_christi';
export const OPTIONAL_HOLIDAYS: readonly OptionalHoliday[] = ['carnaval', 'corpus_christi'];

export interface Holiday {
  /** 'YYYY-MM-DD' */
  date: string;
  name: string;
  /** national: always a holiday; optional: a ponto facultativo, only when the calendar opts in. */
  kind: 'national' | 'optional';
  /** For optional ones, the key a calendar opts in with. */
  key?: OptionalHoliday;
}

const pad = (n: number) => String(n).padStart(2, '0');
const ymd = (y: number, m: number, d: number) => `${y}-${pad(m)}-${pad(d)}`;

/** Easter Sunday of a Gregorian year (the anonymous Gregorian algorithm, Meeus/Jones/Butcher): [month, day]. */
export function easterSunday(year: number): [number, number] {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return [month, day];
}

/** A date `days` away from Easter Sunday, as 'YYYY-MM-DD' (calendar arithmetic in UTC, no time zone involved). */
function fromEaster(year: number, days: number): string {
  const [m, d] = easterSunday(year);
  const t = new Date(Date.UTC(year, m - 1, d + days));
  return ymd(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}

/** The year's national holidays and pontos facultativos, in date order. */
export function brazilHolidays(year: number): Holiday[] {
  const list: Holiday[] = [
    { date: ymd(year, 1, 1), name: 'Confraternização Universal', kind: 'national' },
    { date: fromEaster(year, -48), name: 'Carnaval (segunda-feira)', kind: 'optional', key: 'carnaval' },
    { date: fromEaster(year, -47), name: 'Carnaval (terça-feira)', kind: 'optional', key: 'carnaval' },
    { date: fromEaster(year, -2), name: 'Sexta-feira Santa', kind: 'national' },
    { date: ymd(year, 4, 21), name: 'Tiradentes', kind: 'national' },
    { date: ymd(year, 5, 1), name: 'Dia do Trabalho', kind: 'national' },
    { date: fromEaster(year, 60), name: 'Corpus Christi', kind: 'optional', key: 'corpus_christi' },
    { date: ymd(year, 9, 7), name: 'Independência do Brasil', kind: 'national' },
    { date: ymd(year, 10, 12), name: 'Nossa Senhora Aparecida', kind: 'national' },
    { date: ymd(year, 11, 2), name: 'Finados', kind: 'national' },
    { date: ymd(year, 11, 15), name: 'Proclamação da República', kind: 'national' },
    ...(year >= 2024 ? [{ date: ymd(year, 11, 20), name: 'Dia Nacional de Zumbi e da Consciência Negra', kind: 'national' as const }] : []),
    { date: ymd(year, 12, 25), name: 'Natal', kind: 'national' },
  ];
  return list.sort((a, b) => a.date.localeCompare(b.date));
}

const cache = new Map<number, Map<string, Holiday>>();

/** The holiday on a date ('YYYY-MM-DD'), national or optional, or undefined. */
export function holidayOn(date: string): Holiday | undefined {
  const year = Number(date.slice(0, 4));
  let byDate = cache.get(year);
  if (!byDate) {
    byDate = new Map(brazilHolidays(year).map((h) => [h.date, h]));
    if (cache.size > 64) cache.clear();
    cache.set(year, byDate);
  }
  return byDate.get(date);
}
