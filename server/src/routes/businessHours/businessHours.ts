import type Router from '@koa/router';
import { parse } from '#kit/http/validate.js';
import { brazilHolidays } from '../../calendar/brazilHolidays.js';
import { changeBusinessCalendar, createBusinessCalendar, removeBusinessCalendar } from '../../commands/businessCalendars.js';
import type { Deps } from '../../deps.js';
import { notFound } from '../../errors.js';
import { authorize } from '../../policies/roles.js';
import { presentBusinessCalendar } from '../../presenters/businessCalendar.js';
import { findBusinessCalendar, listBusinessCalendars } from '../../repositories/businessCalendars.js';
import { CreateBusinessCalendarBody, HolidaysQuery, IdParam, UpdateBusinessCalendarBody } from './schema.js';

/** Business hours calendars: admins manage them, supervisors read them (the inbox and bots live by them). */
export function businessHoursRoutes(deps: Deps, router: Router): void {
  router.get('/business-hours', async (ctx) => {
    authorize(ctx.state.user!, 'businessHours.read');
    const now = deps.now();
    ctx.body = { items: (await listBusinessCalendars(deps.db)).map((r) => presentBusinessCalendar(r, now)) };
  });

  // Before /:id, which would take "holidays" for an id.
  router.get('/business-hours/holidays', async (ctx) => {
    authorize(ctx.state.user!, 'businessHours.read');
    const { year } = parse(HolidaysQuery, ctx.query, 'query');
    ctx.body = { year, items: brazilHolidays(year) };
  });

  router.get('/business-hours/:id', async (ctx) => {
    authorize(ctx.state.user!, 'businessHours.read');
    const row = await findBusinessCalendar(deps.db, parse(IdParam, ctx.params.id, 'id'));
    if (!row) throw notFound('business calendar');
    ctx.body = presentBusinessCalendar(row, deps.now());
  });

  router.post('/business-hours', async (ctx) => {
    authorize(ctx.state.user!, 'businessHours.manage');
    const input = parse(CreateBusinessCalendarBody, ctx.state.body);
    ctx.status = 201;
    const row = await createBusinessCalendar(deps, ctx.state.user!, input, ctx.state.ip);
    ctx.body = presentBusinessCalendar((await findBusinessCalendar(deps.db, row.id)) ?? row, deps.now());
  });

  router.patch('/business-hours/:id', async (ctx) => {
    authorize(ctx.state.user!, 'businessHours.manage');
    const id = parse(IdParam, ctx.params.id, 'id');
    const input = parse(UpdateBusinessCalendarBody, ctx.state.body);
    const row = await changeBusinessCalendar(deps, ctx.state.user!, id, input, ctx.state.ip);
    ctx.body = presentBusinessCalendar((await findBusinessCalendar(deps.db, row.id)) ?? row, deps.now());
  });

  router.delete('/business-hours/:id', async (ctx) => {
    authorize(ctx.state.user!, 'businessHours.manage');
    await removeBusinessCalendar(deps, ctx.state.user!, parse(IdParam, ctx.params.id, 'id'), ctx.state.ip);
    ctx.status = 204;
  });
}
