/**
 * When a repeating scheduled message comes back, in the appliance's time zone (APP_TIMEZONE): the same
 * wall-clock time every day, every week, or on the same day of every month — the anchor's day, clamped
 * to the month's length (31 Jan → 28/29 Feb → 31 Mar: counted from the anchor, never from the last
 * clamped date, so it does not drift). Pure: the instants come from the caller.
 */
export type Recurrence = 'none' | 'daily' | 'weekly' | 'monthly';

interface Wall { y: number; mo: number; d: number; h: number; mi: number; s: number; ms: number }

const formatters = new Map<string, Intl.DateTimeFormat>();
function wallOf(at: Date, timeZone: string): Wall {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(at).map((x) => [x.type, Number(x.value)]));
  return { y: p.year!, mo: p.month! - 1, d: p.day!, h: p.hour!, mi: p.minute!, s: p.second!, ms: at.getUTCMilliseconds() };
}

/** The instant a wall-clock time of the zone names (a time skipped by a DST change moves forward with it). */
export function instantOf(w: Wall, timeZone: string): Date {
  const asUtc = Date.UTC(w.y, w.mo, w.d, w.h, w.mi, w.s, w.ms);
  let guess = asUtc;
  for (let i = 0; i < 3; i++) {
    const seen = wallOf(new Date(guess), timeZone);
    const diff = asUtc - Date.UTC(seen.y, seen.mo, seen.d, seen.h, seen.mi, seen.s, w.ms);
    if (diff === 0) break;
    guess += diff;
  }
  return new Date(guess);
}

const daysInMonth = (y: number, mo: number) => new Date(Date.UTC(y, mo + 1, 0)).getUTCDate();

/** Occurrence `k` (0 = the anchor itself) of a series. */
export function occurrenceAt(anchor: Date, recurrence: Recurrence, k: number, timeZone: string): Date {
  if (recurrence === 'none' || k === 0) return anchor;
  const w = wallOf(anchor, timeZone);
  if (recurrence === 'monthly') {
    const months = w.mo + k;
    const y = w.y + Math.floor(months / 12);
    const mo = ((months % 12) + 12) % 12;
    return instantOf({ ...w, y, mo, d: Math.min(w.d, daysInMonth(y, mo)) }, timeZone);
  }
  const days = recurrence === 'daily' ? k : 7 * k;
  const date = new Date(Date.UTC(w.y, w.mo, w.d + days));
  return instantOf({ ...w, y: date.getUTCFullYear(), mo: date.getUTCMonth(), d: date.getUTCDate() }, timeZone);
}

/**
 * What is due now for a series whose occurrence `from` is due: the latest occurrence at or before `now`
 * (the one a catch-up sends, if not too late), how many earlier ones it passes over, and the next one
 * after it — null when the series ends (no recurrence, or past `repeatUntil`).
 */
export function dueOccurrence(
  o: { anchor: Date; recurrence: Recurrence; from: number; repeatUntil: Date | null; timeZone: string },
  now: Date,
): { index: number; at: Date; passedOver: number; next: { index: number; at: Date } | null } {
  let index = o.from;
  let at = occurrenceAt(o.anchor, o.recurrence, index, o.timeZone);
  const within = (d: Date) => !o.repeatUntil || d.getTime() <= o.repeatUntil.getTime();
  if (o.recurrence === 'none') return { index, at, passedOver: 0, next: null };
  // Bounded: a daily series left for years is caught up in one pass, not one occurrence a tick.
  for (let guard = 0; guard < 100_000; guard++) {
    const following = occurrenceAt(o.anchor, o.recurrence, index + 1, o.timeZone);
    if (following.getTime() > now.getTime() || !within(following)) break;
    index++;
    at = following;
  }
  const nextAt = occurrenceAt(o.anchor, o.recurrence, index + 1, o.timeZone);
  return { index, at, passedOver: index - o.from, next: within(nextAt) ? { index: index + 1, at: nextAt } : null };
}
