import { z } from 'zod';
import { OPTIONAL_HOLIDAYS } from '../../calendar/brazilHolidays.js';
import { WEEKDAYS, type Interval } from '../../calendar/businessHours.js';

export const IdParam = z.uuid();

const DAY_NAMES: Record<string, string> = { 1: 'Monday', 2: 'Tuesday', 3: 'Wednesday', 4: 'Thursday', 5: 'Friday', 6: 'Saturday', 7: 'Sunday' };

const Time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "a time as 'HH:MM' from 00:00 to 23:59 (00:00 for midnight)");
const IntervalSchema = z.strictObject({ from: Time, to: Time });
const Intervals = z.array(IntervalSchema).max(12, 'at most 12 intervals a day');

const minutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3));
/** [start, end) in minutes from the day's midnight; an interval whose `to` is not after `from` ends the next day. */
const span = (iv: Interval): [number, number] => {
  const from = minutes(iv.from);
  const to = minutes(iv.to);
  return [from, to <= from ? to + 1440 : to];
};
const label = (iv: Interval) => `${iv.from}–${iv.to}`;

/** The first pair of intervals of one day that overlap, as a sentence, or null. */
function overlapIn(list: Interval[]): string | null {
  const sorted = [...list].sort((a, b) => span(a)[0] - span(b)[0]);
  for (let i = 1; i < sorted.length; i++) {
    if (span(sorted[i]!)[0] < span(sorted[i - 1]!)[1]) return `intervals ${label(sorted[i - 1]!)} and ${label(sorted[i]!)} overlap`;
  }
  return null;
}

const Week = z
  .strictObject(Object.fromEntries(WEEKDAYS.map((d) => [d, Intervals.optional()])) as Record<(typeof WEEKDAYS)[number], z.ZodOptional<typeof Intervals>>)
  .superRefine((week, ctx) => {
    for (const d of WEEKDAYS) {
      const problem = overlapIn(week[d] ?? []);
      if (problem) ctx.addIssue({ code: 'custom', path: [d], message: `${DAY_NAMES[d]}: ${problem}` });
    }
    // An overnight shift must end before the next day's first interval starts (Sunday runs into Monday).
    for (const [i, d] of WEEKDAYS.entries()) {
      const next = WEEKDAYS[(i + 1) % 7]!;
      for (const late of week[d] ?? []) {
        const spill = span(late)[1] - 1440;
        if (spill <= 0) continue;
        const early = (week[next] ?? []).find((iv) => span(iv)[0] < spill);
        if (early) ctx.addIssue({ code: 'custom', path: [d], message: `${DAY_NAMES[d]} ${label(late)} runs into ${DAY_NAMES[next]} ${label(early)}` });
      }
    }
  })
  .transform((week) => Object.fromEntries(WEEKDAYS.map((d) => [d, [...(week[d] ?? [])].sort((a, b) => span(a)[0] - span(b)[0])])) as Record<(typeof WEEKDAYS)[number], Interval[]>);

const DateString = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "a date as 'YYYY-MM-DD'")
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  }, 'not a calendar date');

const Name = z.string().trim().min(1, 'must not be blank').max(80);

const ExceptionSchema = z
  .strictObject({ date: DateString, name: Name, closed: z.boolean(), intervals: Intervals.default([]) })
  .superRefine((e, ctx) => {
    if (e.closed && e.intervals.length) ctx.addIssue({ code: 'custom', path: ['intervals'], message: 'a day closed all day has no intervals' });
    if (!e.closed && !e.intervals.length) ctx.addIssue({ code: 'custom', path: ['intervals'], message: 'give the hours of the day, or mark it closed' });
    const problem = overlapIn(e.intervals);
    if (problem) ctx.addIssue({ code: 'custom', path: ['intervals'], message: `${e.date}: ${problem}` });
  })
  .transform((e) => ({ ...e, intervals: [...e.intervals].sort((a, b) => span(a)[0] - span(b)[0]) }));

const Exceptions = z
  .array(ExceptionSchema)
  .max(500, 'at most 500 exception dates')
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    for (const [i, e] of list.entries()) {
      if (seen.has(e.date)) ctx.addIssue({ code: 'custom', path: [i, 'date'], message: `${e.date} is listed twice` });
      seen.add(e.date);
    }
  })
  .transform((list) => [...list].sort((a, b) => a.date.localeCompare(b.date)));

const OutOfOffice = z
  .strictObject({ enabled: z.boolean(), text: z.string().max(4096).default('') })
  .refine((o) => !o.enabled || o.text.trim().length > 0, { path: ['text'], message: 'write the reply before turning it on' });

/** Checked against Intl in the command (answers invalid_timezone): here only its shape. */
const TimeZone = z.string().trim().min(1).max(64);

const fields = {
  name: Name,
  timezone: TimeZone,
  week: Week,
  exceptions: Exceptions,
  nationalHolidays: z.boolean(),
  optionalHolidays: z.array(z.enum(OPTIONAL_HOLIDAYS as [string, ...string[]])).max(OPTIONAL_HOLIDAYS.length).transform((l) => [...new Set(l)]),
  outOfOffice: OutOfOffice,
  connectionId: z.uuid().nullable(),
  teamId: z.uuid().nullable(),
};

const oneSubject = (b: { connectionId?: string | null; teamId?: string | null }) => !(b.connectionId && b.teamId);
const oneSubjectIssue = { path: ['teamId'], message: 'a calendar applies to one connection or one team, not both' };

export const CreateBusinessCalendarBody = z
  .strictObject({
    name: fields.name,
    timezone: fields.timezone.default('America/Sao_Paulo'),
    week: fields.week,
    exceptions: fields.exceptions.default([]),
    nationalHolidays: fields.nationalHolidays.default(true),
    optionalHolidays: fields.optionalHolidays.default([]),
    outOfOffice: fields.outOfOffice.default({ enabled: false, text: '' }),
    connectionId: fields.connectionId.default(null),
    teamId: fields.teamId.default(null),
  })
  .refine(oneSubject, oneSubjectIssue);
export type CreateBusinessCalendarInput = z.infer<typeof CreateBusinessCalendarBody>;

export const UpdateBusinessCalendarBody = z
  .strictObject({
    name: fields.name.optional(),
    timezone: fields.timezone.optional(),
    week: fields.week.optional(),
    exceptions: fields.exceptions.optional(),
    nationalHolidays: fields.nationalHolidays.optional(),
    optionalHolidays: fields.optionalHolidays.optional(),
    outOfOffice: fields.outOfOffice.optional(),
    connectionId: fields.connectionId.optional(),
    teamId: fields.teamId.optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'nothing to change' })
  .refine(oneSubject, oneSubjectIssue);
export type UpdateBusinessCalendarInput = z.infer<typeof UpdateBusinessCalendarBody>;

export const HolidaysQuery = z.object({
  year: z.coerce.number().int().min(1900, 'a year from 1900 to 2200').max(2200, 'a year from 1900 to 2200'),
});
