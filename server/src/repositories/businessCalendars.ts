import type { Knex } from 'knex';
import type { OptionalHoliday } from '../calendar/brazilHolidays.js';
import { WEEKDAYS, type BusinessCalendar, type CalendarException, type Interval, type Weekday } from '../calendar/businessHours.js';

export interface BusinessCalendarRow {
  id: string;
  name: string;
  timezone: string;
  week: Partial<Record<Weekday, Interval[]>>;
  exceptions: CalendarException[];
  national_holidays: boolean;
  optional_holidays: OptionalHoliday[];
  out_of_office: { enabled: boolean; text: string };
  connection_id: string | null;
  team_id: string | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
  /** Joined in by find/list, for the dashboard (supervisors may not list connections). */
  connection_name?: string | null;
  team_name?: string | null;
}

/** The row as the evaluation reads it (every weekday present, exceptions in date order). */
export function parseCalendar(r: BusinessCalendarRow): BusinessCalendar {
  const week = Object.fromEntries(WEEKDAYS.map((d) => [d, r.week?.[d] ?? []])) as Record<Weekday, Interval[]>;
  return {
    id: r.id,
    name: r.name,
    timezone: r.timezone,
    week,
    exceptions: [...(r.exceptions ?? [])].sort((a, b) => a.date.localeCompare(b.date)),
    nationalHolidays: r.national_holidays,
    optionalHolidays: r.optional_holidays ?? [],
    outOfOffice: { enabled: !!r.out_of_office?.enabled, text: r.out_of_office?.text ?? '' },
    connectionId: r.connection_id,
    teamId: r.team_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/**
 * The calendar a conversation lives by: its team's when the team has one, else its connection's, else
 * null (no business hours: always open, no out-of-office). The bot runtime asks this.
 */
export async function calendarFor(db: Knex, o: CalendarKey): Promise<BusinessCalendar | null> {
  return (await calendarsFor(db, [o]))(o);
}

export interface CalendarKey { connectionId: string | null; teamId: string | null }

/** The same for several conversations at once: one read, then a lookup per conversation. */
export async function calendarsFor(db: Knex, keys: CalendarKey[]): Promise<(o: CalendarKey) => BusinessCalendar | null> {
  const teams = [...new Set(keys.map((k) => k.teamId).filter((t): t is string => !!t))];
  const connections = [...new Set(keys.map((k) => k.connectionId).filter((c): c is string => !!c))];
  const rows: BusinessCalendarRow[] = teams.length || connections.length
    ? await db('business_calendars').where((q) => {
      if (teams.length) q.orWhereIn('team_id', teams);
      if (connections.length) q.orWhereIn('connection_id', connections);
    })
    : [];
  const byTeam = new Map(rows.filter((r) => r.team_id).map((r) => [r.team_id!, parseCalendar(r)]));
  const byConnection = new Map(rows.filter((r) => r.connection_id).map((r) => [r.connection_id!, parseCalendar(r)]));
  return (o) => (o.teamId ? byTeam.get(o.teamId) : undefined) ?? (o.connectionId ? byConnection.get(o.connectionId) : undefined) ?? null;
}

const withNames = (db: Knex) =>
  db('business_calendars as b')
    .leftJoin('connections as c', 'c.id', 'b.connection_id')
    .leftJoin('teams as t', 't.id', 'b.team_id')
    .select('b.*', 'c.name as connection_name', 't.name as team_name');

export async function findBusinessCalendar(db: Knex, id: string): Promise<BusinessCalendarRow | undefined> {
  return withNames(db).where('b.id', id).first();
}

/** Calendars are a short hand-made list (one per connection or team at most): listed whole by name. */
export async function listBusinessCalendars(db: Knex): Promise<BusinessCalendarRow[]> {
  return withNames(db).orderByRaw('lower(b.name) asc, b.id asc').limit(1000);
}

/** Who holds a connection's or a team's calendar (for the calendar_taken message). */
export async function calendarHolding(db: Knex, by: { connectionId?: string | null; teamId?: string | null }): Promise<BusinessCalendarRow | undefined> {
  if (by.connectionId) return db('business_calendars').where({ connection_id: by.connectionId }).first();
  if (by.teamId) return db('business_calendars').where({ team_id: by.teamId }).first();
  return undefined;
}

export interface BusinessCalendarWrite {
  name?: string;
  timezone?: string;
  week?: Record<Weekday, Interval[]>;
  exceptions?: CalendarException[];
  nationalHolidays?: boolean;
  optionalHolidays?: OptionalHoliday[];
  outOfOffice?: { enabled: boolean; text: string };
  connectionId?: string | null;
  teamId?: string | null;
}

function columns(w: BusinessCalendarWrite): Record<string, unknown> {
  const c: Record<string, unknown> = {};
  if (w.name !== undefined) c.name = w.name;
  if (w.timezone !== undefined) c.timezone = w.timezone;
  if (w.week !== undefined) c.week = JSON.stringify(w.week);
  if (w.exceptions !== undefined) c.exceptions = JSON.stringify(w.exceptions);
  if (w.nationalHolidays !== undefined) c.national_holidays = w.nationalHolidays;
  if (w.optionalHolidays !== undefined) c.optional_holidays = w.optionalHolidays;
  if (w.outOfOffice !== undefined) c.out_of_office = JSON.stringify(w.outOfOffice);
  if (w.connectionId !== undefined) c.connection_id = w.connectionId;
  if (w.teamId !== undefined) c.team_id = w.teamId;
  return c;
}

export async function insertBusinessCalendar(db: Knex, w: BusinessCalendarWrite & { name: string; timezone: string; week: Record<Weekday, Interval[]> }, createdBy: string | null): Promise<BusinessCalendarRow> {
  const [row] = await db('business_calendars').insert({ ...columns(w), created_by: createdBy }).returning('*');
  return row;
}

export async function updateBusinessCalendar(db: Knex, id: string, w: BusinessCalendarWrite): Promise<BusinessCalendarRow | undefined> {
  const [row] = await db('business_calendars').where({ id }).update({ ...columns(w), updated_at: db.fn.now() }).returning('*');
  return row;
}

export async function deleteBusinessCalendar(db: Knex, id: string): Promise<BusinessCalendarRow | undefined> {
  const [row] = await db('business_calendars').where({ id }).delete().returning('*');
  return row;
}
