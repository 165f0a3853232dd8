import { isOpen, nextOpening } from '../calendar/businessHours.js';
import { parseCalendar, type BusinessCalendarRow } from '../repositories/businessCalendars.js';
import { iso } from './iso.js';

/** A calendar as the API shows it, with whether it is open at `now` (the appliance's clock). */
export function presentBusinessCalendar(r: BusinessCalendarRow, now: Date) {
  const cal = parseCalendar(r);
  const open = isOpen(cal, now);
  return {
    id: cal.id,
    name: cal.name,
    timezone: cal.timezone,
    week: cal.week,
    exceptions: cal.exceptions,
    nationalHolidays: cal.nationalHolidays,
    optionalHolidays: cal.optionalHolidays,
    outOfOffice: cal.outOfOffice,
    connectionId: cal.connectionId,
    connectionName: r.connection_name ?? null,
    teamId: cal.teamId,
    teamName: r.team_name ?? null,
    now: { open, nextOpening: open ? null : iso(nextOpening(cal, now)) },
    createdAt: iso(cal.createdAt),
    updatedAt: iso(cal.updatedAt),
  };
}
