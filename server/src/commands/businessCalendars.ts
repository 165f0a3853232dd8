import { AppError } from '#kit/errors.js';
import { isValidTimeZone } from '../calendar/businessHours.js';
import type { Deps } from '../deps.js';
import { notFound, validationFailed } from '../errors.js';
import { assertWritable } from '../policies/license.js';
import { authorize, type Actor } from '../policies/roles.js';
import { insertAudit } from '../repositories/audit.js';
import {
  calendarHolding, deleteBusinessCalendar, findBusinessCalendar, insertBusinessCalendar, updateBusinessCalendar, type BusinessCalendarRow,
} from '../repositories/businessCalendars.js';
import { findConnection } from '../repositories/connections.js';
import { findTeam } from '../repositories/teams.js';
import type { CreateBusinessCalendarInput, UpdateBusinessCalendarInput } from '../routes/businessHours/schema.js';
import type { Knex } from 'knex';

export const invalidTimezone = (name: string) =>
  new AppError(400, 'invalid_timezone', `timezone: "${name}" is not an IANA time zone (for example America/Sao_Paulo)`, { timezone: name });
const calendarTaken = (what: 'connection' | 'team', holder: string) =>
  new AppError(409, 'calendar_taken', `this ${what} already has a calendar ("${holder}")`, { subject: what, holder });

function checkTimezone(tz: string | undefined): void {
  if (tz !== undefined && !isValidTimeZone(tz)) throw invalidTimezone(tz);
}

/** The connection and team a calendar is for must exist; each holds one calendar at most. */
async function checkSubject(db: Knex, id: string | null, s: { connectionId?: string | null; teamId?: string | null }): Promise<void> {
  if (s.connectionId) {
    if (!(await findConnection(db, s.connectionId))) throw validationFailed('connectionId: no such connection');
    const holder = await calendarHolding(db, { connectionId: s.connectionId });
    if (holder && holder.id !== id) throw calendarTaken('connection', holder.name);
  }
  if (s.teamId) {
    if (!(await findTeam(db, s.teamId))) throw validationFailed('teamId: no such team');
    const holder = await calendarHolding(db, { teamId: s.teamId });
    if (holder && holder.id !== id) throw calendarTaken('team', holder.name);
  }
}

/** The partial unique indexes decide when two writes race past checkSubject. */
async function unique<T>(db: Knex, s: { connectionId?: string | null; teamId?: string | null }, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const e = err as { code?: string; constraint?: string };
    if (e.code === '23505' && e.constraint === 'business_calendars_connection') {
      throw calendarTaken('connection', (await calendarHolding(db, { connectionId: s.connectionId }))?.name ?? '');
    }
    if (e.code === '23505' && e.constraint === 'business_calendars_team') {
      throw calendarTaken('team', (await calendarHolding(db, { teamId: s.teamId }))?.name ?? '');
    }
    throw err;
  }
}

/** What the audit keeps of a calendar: its shape, not the out-of-office text. */
const auditView = (r: BusinessCalendarRow) => ({
  name: r.name, timezone: r.timezone, connectionId: r.connection_id, teamId: r.team_id, nationalHolidays: r.national_holidays,
  exceptions: r.exceptions.length, outOfOffice: r.out_of_office.enabled,
});

export async function createBusinessCalendar(deps: Deps, actor: Actor, input: CreateBusinessCalendarInput, ip: string): Promise<BusinessCalendarRow> {
  authorize(actor, 'businessHours.manage');
  assertWritable(await deps.license.snapshot());
  checkTimezone(input.timezone);
  await checkSubject(deps.db, null, input);
  return unique(deps.db, input, () => deps.db.transaction(async (trx) => {
    const row = await insertBusinessCalendar(trx, { ...input, optionalHolidays: input.optionalHolidays as BusinessCalendarRow['optional_holidays'] }, actor.id);
    await insertAudit(trx, { actorUserId: actor.id, action: 'business_calendar.create', subjectType: 'business_calendar', subjectId: row.id, ip, detail: auditView(row) });
    return row;
  }));
}

export async function changeBusinessCalendar(deps: Deps, actor: Actor, id: string, input: UpdateBusinessCalendarInput, ip: string): Promise<BusinessCalendarRow> {
  authorize(actor, 'businessHours.manage');
  assertWritable(await deps.license.snapshot());
  checkTimezone(input.timezone);
  const before = await findBusinessCalendar(deps.db, id);
  if (!before) throw notFound('business calendar');
  // Moving a calendar to a team frees its connection and the other way round, unless both are given.
  const patch = { ...input };
  if (patch.teamId && patch.connectionId === undefined) patch.connectionId = null;
  if (patch.connectionId && patch.teamId === undefined) patch.teamId = null;
  await checkSubject(deps.db, id, patch);
  return unique(deps.db, patch, () => deps.db.transaction(async (trx) => {
    const row = await updateBusinessCalendar(trx, id, { ...patch, optionalHolidays: patch.optionalHolidays as BusinessCalendarRow['optional_holidays'] | undefined });
    if (!row) throw notFound('business calendar');
    await insertAudit(trx, {
      actorUserId: actor.id, action: 'business_calendar.update', subjectType: 'business_calendar', subjectId: id, ip,
      detail: { before: auditView(before), after: auditView(row), changed: Object.keys(input) },
    });
    return row;
  }));
}

export async function removeBusinessCalendar(deps: Deps, actor: Actor, id: string, ip: string): Promise<void> {
  authorize(actor, 'businessHours.manage');
  assertWritable(await deps.license.snapshot());
  await deps.db.transaction(async (trx) => {
    const row = await deleteBusinessCalendar(trx, id);
    if (!row) throw notFound('business calendar');
    await insertAudit(trx, { actorUserId: actor.id, action: 'business_calendar.delete', subjectType: 'business_calendar', subjectId: id, ip, detail: auditView(row) });
  });
}
