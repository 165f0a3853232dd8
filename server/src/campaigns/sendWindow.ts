import { localTime, parseClock } from '../lib/localTime.js';

/** When a campaign may send: ISO weekdays (Monday = 1 … Sunday = 7), 'HH:MM' from/to, in an IANA time zone. */
export interface SendWindow {
  days: number[];
  from: string;
  to: string;
  timezone: string;
}

/** Open at `at`? A window whose `to` is not after `from` runs past midnight into the next day (22:00–06:00). */
export function windowOpen(w: SendWindow, at: Date): boolean {
  const from = parseClock(w.from) ?? 0;
  const to = parseClock(w.to) ?? 24 * 60;
  const t = localTime(at, w.timezone);
  if (from < to) return w.days.includes(t.weekday) && t.minutes >= from && t.minutes < to;
  const yesterday = t.weekday === 1 ? 7 : t.weekday - 1;
  return (w.days.includes(t.weekday) && t.minutes >= from) || (w.days.includes(yesterday) && t.minutes < to);
}

/** The next instant the window opens (to the minute), within 8 days; null when it never opens. */
export function nextOpening(w: SendWindow, after: Date): Date | null {
  if (!w.days.length) return null;
  let at = new Date(Math.floor(after.getTime() / 60_000) * 60_000 + 60_000);
  const end = after.getTime() + 8 * 86_400_000;
  // Coarse steps while closed far from any opening would skip a short window: minutes, bounded.
  while (at.getTime() < end) {
    if (windowOpen(w, at)) return at;
    at = new Date(at.getTime() + 60_000);
  }
  return null;
}

/** The start of the local day of `at` and the next local midnight (DST days approximated to 24 h). */
export function localDay(at: Date, timeZone: string): { start: Date; next: Date } {
  const t = localTime(at, timeZone);
  const start = new Date(Math.floor(at.getTime() / 60_000) * 60_000 - t.minutes * 60_000);
  return { start, next: new Date(start.getTime() + 86_400_000) };
}
