import { holidayOn, type OptionalHoliday } from './brazilHolidays.js';

/**
 * Business hours, evaluated in the calendar's own IANA time zone (never the server's), from a clock the
 * caller passes in. Pure: no database, no `new Date()`.
 *
 * The model (ANCHORS-wave2 §3.3 item 4):
 * - per weekday (1 = Monday … 7 = Sunday) any number of intervals: a lunch break is two intervals;
 * - an interval whose `to` is not after its `from` ends the next day (22:00–02:00); 00:00–00:00 is the
 *   whole day. An interval belongs to the day it starts on: a holiday on Friday closes Friday's own
 *   intervals, while Thursday's 22:00–02:00 shift still runs into Friday;
 * - which intervals a date has: its exception if it has one (closed all day, or its own intervals — which
 *   is also how a holiday is "un-holidayed"), else nothing on a national holiday (when the calendar keeps
 *   them, and on the pontos facultativos it opted into), else its weekday's intervals.
 *
 * Wall times become instants through Intl, so DST changes are handled: a time that does not exist (the
 * hour skipped when clocks go forward) is read as the same distance past the change; a time that exists
 * twice (clocks going back) is read as its first occurrence.
 */

export type Weekday = '1' | '2' | '3' | '4' | '5' | '6' | '7';
export const WEEKDAYS: readonly Weekday[] = ['1', '2', '3', '4', '5', '6', '7'];

/** 'HH:MM' to 'HH:MM'; `to` <= `from` ends the next day. */
export interface Interval { from: string; to: string }

export interface CalendarException {
  /** 'YYYY-MM-DD' in the calendar's time zone. */
  date: string;
  name: string;
  /** true: closed all day (intervals empty); false: open only in `intervals`. */
  closed: boolean;
  intervals: Interval[];
}

/** What the evaluation needs of a calendar. */
export interface CalendarRules {
  timezone: string;
  week: Record<Weekday, Interval[]>;
  exceptions: CalendarException[];
  nationalHolidays: boolean;
  /** Pontos facultativos treated as holidays too (only when nationalHolidays is on). */
  optionalHolidays: OptionalHoliday[];
}

/** A business_calendars row, parsed. */
export interface BusinessCalendar extends CalendarRules {
  id: string;
  name: string;
  outOfOffice: { enabled: boolean; text: string };
  connectionId: string | null;
  teamId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const DAY_MS = 86_400_000;
/** How far closedPeriodStart looks back for the last open interval. */
export const LOOKBACK_DAYS = 31;
/** How far nextOpening looks ahead. */
export const LOOKAHEAD_DAYS = 366;

// ---- time zone arithmetic -------------------------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when Intl knows the IANA name (what the API accepts as `timezone`). */
export function isValidTimeZone(name: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(name)) return false;
  try {
    formatter(name);
    return true;
  } catch {
    return false;
  }
}

interface Wall { y: number; m: number; d: number; h: number; mi: number; s: number }

function wallAt(timeZone: string, t: number): Wall {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(t))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { y: parts.year!, m: parts.month!, d: parts.day!, h: parts.hour!, mi: parts.minute!, s: parts.second! };
}

/** The zone's offset from UTC at instant t, in ms (local = utc + offset). */
function offsetAt(timeZone: string, t: number): number {
  const whole = Math.floor(t / 1000) * 1000;
  const w = wallAt(timeZone, whole);
  return Date.UTC(w.y, w.m - 1, w.d, w.h, w.mi, w.s) - whole;
}

/** The instant of a local wall time (minutes since that day's midnight, may exceed 1440) in the zone. */
function instantOf(timeZone: string, y: number, m: number, d: number, minutes: number): number {
  const guess = Date.UTC(y, m - 1, d, 0, minutes);
  const before = offsetAt(timeZone, guess - DAY_MS);
  const after = offsetAt(timeZone, guess + DAY_MS);
  const fits = (t: number) => t + offsetAt(timeZone, t) === guess;
  const a = guess - before;
  const b = guess - after;
  const okA = fits(a);
  const okB = fits(b);
  if (okA && okB) return Math.min(a, b); // exists twice: the first one
  if (okA) return a;
  if (okB) return b;
  return a; // skipped by a forward change: read with the offset before it, which lands after the gap
}

// ---- the calendar's intervals as instants --------------------------------------------------------

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const pad = (n: number) => String(n).padStart(2, '0');

/** A local date as 'YYYY-MM-DD' plus its ISO weekday, `k` days after (y, m, d). */
function dayAfter(y: number, m: number, d: number, k: number): { y: number; m: number; d: number; date: string; weekday: Weekday } {
  const t = new Date(Date.UTC(y, m - 1, d + k));
  const ny = t.getUTCFullYear();
  const nm = t.getUTCMonth() + 1;
  const nd = t.getUTCDate();
  return { y: ny, m: nm, d: nd, date: `${ny}-${pad(nm)}-${pad(nd)}`, weekday: String(((t.getUTCDay() + 6) % 7) + 1) as Weekday };
}

/** The intervals a local date has, after exceptions and holidays. */
export function intervalsOn(cal: CalendarRules, date: string, weekday: Weekday): Interval[] {
  const exception = cal.exceptions.find((e) => e.date === date);
  if (exception) return exception.closed ? [] : exception.intervals;
  if (cal.nationalHolidays) {
    const h = holidayOn(date);
    if (h && (h.kind === 'national' || (h.key && cal.optionalHolidays.includes(h.key)))) return [];
  }
  return cal.week[weekday] ?? [];
}

type Span = [start: number, end: number];

/** Open spans (ms instants) of the intervals that start on local days from..to (offsets from `at`'s local date), merged. */
function spans(cal: CalendarRules, at: number, fromDay: number, toDay: number): Span[] {
  const w = wallAt(cal.timezone, at);
  const out: Span[] = [];
  for (let k = fromDay; k <= toDay; k++) {
    const day = dayAfter(w.y, w.m, w.d, k);
    for (const iv of intervalsOn(cal, day.date, day.weekday)) {
      const from = minutesOf(iv.from);
      let to = minutesOf(iv.to);
      if (to <= from) to += 1440;
      out.push([instantOf(cal.timezone, day.y, day.m, day.d, from), instantOf(cal.timezone, day.y, day.m, day.d, to)]);
    }
  }
  out.sort((a, b) => a[0] - b[0]);
  const merged: Span[] = [];
  for (const s of out) {
    const last = merged[merged.length - 1];
    if (last && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]);
    else merged.push([s[0], s[1]]);
  }
  return merged;
}

// ---- the questions the runtime asks ---------------------------------------------------------------

/** Whether the calendar is open at `at`. */
export function isOpen(cal: CalendarRules, at: Date): boolean {
  const t = at.getTime();
  // Yesterday's intervals may run past midnight into today.
  return spans(cal, t, -1, 0).some(([s, e]) => s <= t && t < e);
}

/**
 * Null when open; otherwise when the current closed period began: the end of the last open interval
 * before `at`. The same value for every instant of one closed period, so "one out-of-office reply per
 * closed period per conversation" can key on it. Looks back LOOKBACK_DAYS; a calendar closed for longer
 * than that answers the epoch (one period, as far as we can tell).
 */
export function closedPeriodStart(cal: CalendarRules, at: Date): Date | null {
  const t = at.getTime();
  if (isOpen(cal, at)) return null;
  // Going back a day at a time, the first day with an interval ended by now holds the answer (with the
  // day before it, whose overnight interval may end later than that day's own).
  for (let k = 0; k >= -LOOKBACK_DAYS; k--) {
    let start: number | null = null;
    for (const [, e] of spans(cal, t, k - 1, k)) if (e <= t && (start === null || e > start)) start = e;
    if (start !== null) return new Date(start);
  }
  return new Date(0);
}

/**
 * When the calendar next opens: `at` itself when it is open now; null when nothing opens within
 * LOOKAHEAD_DAYS (a calendar with no hours at all).
 */
export function nextOpening(cal: CalendarRules, at: Date): Date | null {
  const t = at.getTime();
  for (let k = -1; k <= LOOKAHEAD_DAYS; k += 7) {
    const list = spans(cal, t, k, Math.min(k + 7, LOOKAHEAD_DAYS));
    const open = list.find(([s, e]) => s <= t && t < e);
    if (open) return new Date(t);
    const next = list.find(([s]) => s > t);
    if (next) return new Date(next[0]);
  }
  return null;
}
