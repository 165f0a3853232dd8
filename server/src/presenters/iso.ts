/**
 * A stored time as ISO text, never throwing: PostgreSQL keeps years JavaScript's Date cannot (past
 * 275760), and a presenter that throws takes down every list the row appears in.
 */
export function iso(d: Date | null | undefined): string | null {
  if (!d) return null;
  const t = d.getTime();
  return Number.isNaN(t) ? null : d.toISOString();
}

/** The same, plus an offset (a window's end), still null rather than an invalid time. */
export function isoPlus(d: Date | null | undefined, ms: number): string | null {
  return d ? iso(new Date(d.getTime() + ms)) : null;
}
