import anyTest from 'ava';
import { brazilHolidays, easterSunday } from '../src/calendar/brazilHolidays.js';
import { closedPeriodStart, isOpen, nextOpening, type CalendarRules, type Interval, type Weekday } from '../src/calendar/businessHours.js';
import { calendarFor } from '../src/repositories/businessCalendars.js';
import { startInboxWorld, type InboxWorld } from './inboxFixtures.js';
import { startLicenseServiceProcess, type LicenseServiceProcess } from './support.js';

/**
 * Business hours (issue #12 §3, ANCHORS-wave2 §3.3 item 4): the pure evaluation with explicit instants,
 * then the HTTP surface (create, edit, validation codes, roles) against the real appliance.
 */
const test = anyTest.serial;

// ---- pure: the calendar ------------------------------------------------------------------------------

const LUNCH: Interval[] = [{ from: '08:00', to: '12:00' }, { from: '13:30', to: '18:00' }];
const weekdays = (day: Interval[], weekend: Interval[] = []) =>
  ({ 1: day, 2: day, 3: day, 4: day, 5: day, 6: weekend, 7: weekend }) as unknown as Record<Weekday, Interval[]>;
const cal = (o: Partial<CalendarRules> = {}): CalendarRules => ({
  timezone: 'America/Sao_Paulo', week: weekdays(LUNCH), exceptions: [], nationalHolidays: true, optionalHolidays: [], ...o,
});
/** São Paulo local time (UTC-3, no DST since 2019) as an instant. */
const sp = (local: string) => new Date(`${local}:00-03:00`);
const iso = (d: Date | null) => d?.toISOString() ?? null;

test('ANCHORS 3.3.4: 08–12 and 13:30–18 with a lunch break; 12:30 is closed, 13:31 is open', (t) => {
  const c = cal();
  // 2026-11-18 is a Wednesday.
  t.false(isOpen(c, sp('2026-11-18T07:59')));
  t.true(isOpen(c, sp('2026-11-18T08:00')));
  t.true(isOpen(c, sp('2026-11-18T11:59')));
  t.false(isOpen(c, sp('2026-11-18T12:00')), 'the interval ends at 12:00 (exclusive)');
  t.false(isOpen(c, sp('2026-11-18T12:30')), 'lunch: closed (the out-of-office reply goes out)');
  t.true(isOpen(c, sp('2026-11-18T13:31')), 'after lunch: open (no out-of-office reply)');
  t.false(isOpen(c, sp('2026-11-18T18:00')));
  t.is(iso(closedPeriodStart(c, sp('2026-11-18T12:30'))), iso(sp('2026-11-18T12:00')));
  t.is(closedPeriodStart(c, sp('2026-11-18T13:31')), null, 'null when open');
  t.is(iso(nextOpening(c, sp('2026-11-18T12:30'))), iso(sp('2026-11-18T13:30')));
  t.is(iso(nextOpening(c, sp('2026-11-18T13:31'))), iso(sp('2026-11-18T13:31')), 'open now: now');
});

test('ANCHORS 3.3.4: the national holiday 2026-11-20 (Consciência Negra, a Friday) is closed all day', (t) => {
  const c = cal();
  for (const hhmm of ['00:00', '08:00', '09:15', '12:30', '13:31', '17:59', '23:59']) {
    t.false(isOpen(c, sp(`2026-11-20T${hhmm}`)), `closed at ${hhmm}`);
  }
  t.true(isOpen(c, sp('2026-11-19T09:00')), 'the day before is an ordinary Thursday');
  t.true(isOpen(cal({ nationalHolidays: false }), sp('2026-11-20T09:00')), 'without national holidays it is a Friday like any other');
  // The closed period runs from Thursday 18:00 through the holiday and the weekend to Monday 08:00.
  t.is(iso(nextOpening(c, sp('2026-11-20T10:00'))), iso(sp('2026-11-23T08:00')));
});

test('closedPeriodStart is one stable value across a whole closed period (one out-of-office reply each)', (t) => {
  const c = cal();
  const start = iso(sp('2026-11-19T18:00'));
  for (const at of ['2026-11-19T18:00', '2026-11-19T23:10', '2026-11-20T03:00', '2026-11-20T12:30', '2026-11-21T15:00', '2026-11-23T07:59']) {
    t.is(iso(closedPeriodStart(c, sp(at))), start, at);
  }
  t.is(closedPeriodStart(c, sp('2026-11-23T08:00')), null);
  t.is(iso(closedPeriodStart(c, sp('2026-11-23T12:01'))), iso(sp('2026-11-23T12:00')), 'lunch is a new closed period');
  // Closed for longer than the lookback: the epoch, still the same value throughout.
  const none = cal({ week: weekdays([]), exceptions: [{ date: '2026-01-05', name: 'Mutirão', closed: false, intervals: [{ from: '09:00', to: '10:00' }] }] });
  t.is(iso(closedPeriodStart(none, sp('2026-01-20T12:00'))), iso(sp('2026-01-05T10:00')));
  t.is(closedPeriodStart(none, sp('2026-03-20T12:00'))?.getTime(), 0);
  t.is(closedPeriodStart(none, sp('2026-04-20T12:00'))?.getTime(), 0);
  t.is(nextOpening(none, sp('2026-03-20T12:00')), null, 'nothing ever opens again');
});

test('ANCHORS 3.3.4: a 22:00–02:00 shift is open at 01:00 of the next day', (t) => {
  // Saturday night shift; 2026-11-21 is a Saturday.
  const c = cal({ week: weekdays(LUNCH, []), exceptions: [] });
  c.week['6'] = [{ from: '22:00', to: '02:00' }];
  t.false(isOpen(c, sp('2026-11-21T21:59')));
  t.true(isOpen(c, sp('2026-11-21T22:00')));
  t.true(isOpen(c, sp('2026-11-21T23:59')));
  t.true(isOpen(c, sp('2026-11-22T01:00')), 'Sunday 01:00 belongs to Saturday\'s shift');
  t.false(isOpen(c, sp('2026-11-22T02:00')));
  t.is(iso(closedPeriodStart(c, sp('2026-11-22T03:00'))), iso(sp('2026-11-22T02:00')));
  t.is(iso(nextOpening(c, sp('2026-11-21T20:00'))), iso(sp('2026-11-21T22:00')));
  // An interval belongs to the day it starts on: a holiday the next day does not cut the shift short.
  const thu = cal();
  thu.week['4'] = [...LUNCH, { from: '22:00', to: '02:00' }];
  t.true(isOpen(thu, sp('2026-11-20T01:00')), 'Thursday\'s shift runs into the holiday');
  t.false(isOpen(thu, sp('2026-11-20T02:30')));
  // 00:00–00:00 is the whole day.
  const always = cal({ week: weekdays([{ from: '00:00', to: '00:00' }], [{ from: '00:00', to: '00:00' }]), nationalHolidays: false });
  t.true(isOpen(always, sp('2026-11-22T00:00')));
  t.true(isOpen(always, sp('2026-11-22T23:59')));
});

test('time zones: the same hours are evaluated in each calendar\'s zone (São Paulo, Manaus, Noronha), never the server\'s', (t) => {
  const hours = (timezone: string) => cal({ timezone, week: weekdays([{ from: '08:00', to: '18:00' }]) });
  // 11:30 UTC on Wednesday 2026-11-18 is 08:30 in São Paulo (UTC-3), 07:30 in Manaus (UTC-4), 09:30 in Noronha (UTC-2).
  const morning = new Date('2026-11-18T11:30:00Z');
  t.true(isOpen(hours('America/Sao_Paulo'), morning));
  t.false(isOpen(hours('America/Manaus'), morning));
  t.true(isOpen(hours('America/Noronha'), morning));
  t.is(iso(nextOpening(hours('America/Manaus'), morning)), '2026-11-18T12:00:00.000Z', '08:00 in Manaus');
  // 20:30 UTC is 17:30 SP, 16:30 Manaus, 18:30 Noronha.
  const evening = new Date('2026-11-18T20:30:00Z');
  t.true(isOpen(hours('America/Sao_Paulo'), evening));
  t.true(isOpen(hours('America/Manaus'), evening));
  t.false(isOpen(hours('America/Noronha'), evening));
  t.is(iso(closedPeriodStart(hours('America/Noronha'), evening)), '2026-11-18T20:00:00.000Z', '18:00 in Noronha');
  // The local date decides the weekday: 02:00 UTC Saturday is still Friday 23:00 in São Paulo.
  const late = cal({ week: weekdays([{ from: '20:00', to: '23:30' }]) });
  t.true(isOpen(late, new Date('2026-11-28T02:00:00Z')));
  t.false(isOpen(cal({ timezone: 'UTC', week: late.week }), new Date('2026-11-28T02:00:00Z')));
});

test('DST: hours stay at their wall time across a change (America/New_York, 2026-03-08 and 2026-11-01)', (t) => {
  const ny = cal({ timezone: 'America/New_York', nationalHolidays: false, week: weekdays([{ from: '09:00', to: '17:00' }], [{ from: '09:00', to: '17:00' }]) });
  t.true(isOpen(ny, new Date('2026-03-07T14:30:00Z')), 'Saturday 09:30 EST');
  t.true(isOpen(ny, new Date('2026-03-08T13:30:00Z')), 'Sunday 09:30 EDT');
  t.false(isOpen(ny, new Date('2026-03-08T12:30:00Z')), 'Sunday 08:30 EDT (would be 07:30 EST)');
  t.is(iso(nextOpening(ny, new Date('2026-03-08T05:00:00Z'))), '2026-03-08T13:00:00.000Z', '09:00 EDT');
  t.is(iso(closedPeriodStart(ny, new Date('2026-03-08T05:00:00Z'))), '2026-03-07T22:00:00.000Z', 'Saturday 17:00 EST');
  t.is(iso(nextOpening(ny, new Date('2026-11-01T05:00:00Z'))), '2026-11-01T14:00:00.000Z', '09:00 EST after falling back');
  // A shift that starts inside the skipped hour starts when the clock reaches it.
  const gap = cal({ timezone: 'America/New_York', nationalHolidays: false, week: weekdays([], [{ from: '02:30', to: '04:00' }]) });
  t.is(iso(nextOpening(gap, new Date('2026-03-08T05:00:00Z'))), '2026-03-08T07:30:00.000Z', '02:30 does not exist: 03:30 EDT');
});

test('exceptions override the week and the holidays; a holiday can be un-holidayed', (t) => {
  const c = cal({
    exceptions: [
      { date: '2026-11-20', name: 'Plantão da Consciência Negra', closed: false, intervals: [{ from: '09:00', to: '13:00' }] },
      { date: '2026-11-18', name: 'Inventário', closed: true, intervals: [] },
      { date: '2026-11-22', name: 'Feirão de domingo', closed: false, intervals: [{ from: '10:00', to: '16:00' }] },
    ],
  });
  t.true(isOpen(c, sp('2026-11-20T10:00')), 'the holiday opens 09–13 by exception');
  t.false(isOpen(c, sp('2026-11-20T14:00')), 'and only then');
  t.false(isOpen(c, sp('2026-11-18T09:00')), 'an ordinary Wednesday closed all day');
  t.true(isOpen(c, sp('2026-11-22T11:00')), 'a Sunday opened');
});

test('Brazil\'s national holidays by rule: Easter-based dates, Consciência Negra from 2024, pontos facultativos optional', (t) => {
  t.deepEqual(easterSunday(2024), [3, 31]);
  t.deepEqual(easterSunday(2026), [4, 5]);
  t.deepEqual(easterSunday(2027), [3, 28]);
  t.deepEqual(easterSunday(2038), [4, 25]);
  const y27 = brazilHolidays(2027);
  t.deepEqual(y27.filter((h) => h.kind === 'national').map((h) => h.date), [
    '2027-01-01', '2027-03-26', '2027-04-21', '2027-05-01', '2027-09-07', '2027-10-12', '2027-11-02', '2027-11-15', '2027-11-20', '2027-12-25',
  ]);
  t.deepEqual(y27.filter((h) => h.kind === 'optional').map((h) => [h.date, h.key]), [
    ['2027-02-08', 'carnaval'], ['2027-02-09', 'carnaval'], ['2027-05-27', 'corpus_christi'],
  ]);
  t.false(brazilHolidays(2023).some((h) => h.date === '2023-11-20'), 'not national before 2024');
  t.true(brazilHolidays(2090).some((h) => h.date === '2090-11-20'), 'they never run out');
  // Carnaval Tuesday 2026-02-17: open unless the calendar opts in.
  t.true(isOpen(cal(), sp('2026-02-17T09:00')));
  t.false(isOpen(cal({ optionalHolidays: ['carnaval'] }), sp('2026-02-17T09:00')));
  t.false(isOpen(cal(), sp('2026-04-03T09:00')), 'Sexta-feira Santa 2026');
});

// ---- HTTP ------------------------------------------------------------------------------------------

let service: LicenseServiceProcess;
let w: InboxWorld;
let conn1: string;
let conn2: string;

anyTest.before(async () => {
  service = await startLicenseServiceProcess();
  w = await startInboxWorld(service);
  conn1 = await w.connection('2100000001');
  conn2 = await w.connection('2100000002');
});
anyTest.after.always(async () => {
  await w?.app.close();
  await service?.close();
});

const as = (who: keyof InboxWorld['users'], method: string, route: string, body?: unknown) =>
  w.app.api(method, route, { cookie: w.users[who].cookie, body });
const WEEK = { 1: LUNCH, 2: LUNCH, 3: LUNCH, 4: LUNCH, 5: LUNCH, 6: [{ from: '22:00', to: '02:00' }] };

test('an admin creates a calendar with a lunch break, a 22:00–02:00 shift and an exception; it reads back whole and is audited', async (t) => {
  const res = await as('admin', 'POST', '/api/business-hours', {
    name: 'Loja Centro', timezone: 'America/Manaus', week: WEEK, connectionId: conn1,
    exceptions: [{ date: '2026-12-24', name: 'Véspera de Natal', closed: false, intervals: [{ from: '08:00', to: '12:00' }] }],
    outOfOffice: { enabled: true, text: 'Estamos fora do horário. Respondemos a partir das 8h.' },
  });
  t.is(res.status, 201, res.text);
  t.is(res.body.timezone, 'America/Manaus');
  t.deepEqual(res.body.week['1'], LUNCH);
  t.deepEqual(res.body.week['6'], [{ from: '22:00', to: '02:00' }], 'the overnight shift is accepted');
  t.deepEqual(res.body.week['7'], [], 'a day left out is closed');
  t.true(res.body.nationalHolidays, 'national holidays on by default');
  t.deepEqual(res.body.optionalHolidays, [], 'pontos facultativos off by default');
  t.is(res.body.connectionId, conn1);
  t.is(res.body.connectionName, 'Loja 2100000001', 'named for the dashboard');
  t.is(typeof res.body.now.open, 'boolean');

  const got = await as('supA', 'GET', `/api/business-hours/${res.body.id}`);
  t.is(got.status, 200, 'supervisors read');
  t.deepEqual(got.body.exceptions, [{ date: '2026-12-24', name: 'Véspera de Natal', closed: false, intervals: [{ from: '08:00', to: '12:00' }] }]);
  t.is(got.body.outOfOffice.text, 'Estamos fora do horário. Respondemos a partir das 8h.');
  const list = await as('supA', 'GET', '/api/business-hours');
  t.deepEqual(list.body.items.map((i: any) => i.id), [res.body.id]);

  const audit = await w.app.deps.db('audit_log').where({ action: 'business_calendar.create', subject_id: res.body.id }).first();
  t.truthy(audit);
  t.is(audit.actor_user_id, w.users.admin.id);
  t.false(JSON.stringify(audit.detail).includes('Respondemos'), 'the out-of-office text stays out of the audit');
});

test('now.open follows the appliance clock: an always-open calendar is open, one without hours is closed with no next opening', async (t) => {
  const always = await as('admin', 'POST', '/api/business-hours', {
    name: 'Sempre aberto', nationalHolidays: false,
    week: Object.fromEntries(['1', '2', '3', '4', '5', '6', '7'].map((d) => [d, [{ from: '00:00', to: '00:00' }]])),
  });
  t.is(always.status, 201, always.text);
  t.deepEqual(always.body.now, { open: true, nextOpening: null });
  const never = await as('admin', 'POST', '/api/business-hours', { name: 'Nunca', week: {} });
  t.deepEqual(never.body.now, { open: false, nextOpening: null });
  for (const id of [always.body.id, never.body.id]) t.is((await as('admin', 'DELETE', `/api/business-hours/${id}`)).status, 204);
});

test('edits: PATCH changes what it names; moving to a team frees the connection', async (t) => {
  const created = await as('admin', 'POST', '/api/business-hours', { name: 'Suporte', week: WEEK, connectionId: conn2 });
  t.is(created.status, 201, created.text);
  const id = created.body.id;
  const patched = await as('admin', 'PATCH', `/api/business-hours/${id}`, {
    week: { 1: [{ from: '09:00', to: '12:00' }, { from: '07:00', to: '08:00' }] }, optionalHolidays: ['carnaval', 'carnaval'],
  });
  t.is(patched.status, 200, patched.text);
  t.deepEqual(patched.body.week['1'], [{ from: '07:00', to: '08:00' }, { from: '09:00', to: '12:00' }], 'intervals kept in order');
  t.deepEqual(patched.body.week['2'], [], 'the week is replaced whole');
  t.deepEqual(patched.body.optionalHolidays, ['carnaval']);
  t.is(patched.body.name, 'Suporte', 'untouched fields stay');

  const moved = await as('admin', 'PATCH', `/api/business-hours/${id}`, { teamId: w.teamB });
  t.is(moved.status, 200, moved.text);
  t.is(moved.body.teamId, w.teamB);
  t.is(moved.body.connectionId, null);
  t.is(moved.body.teamName, 'Suporte');
  t.truthy(await w.app.deps.db('audit_log').where({ action: 'business_calendar.update', subject_id: id }).first());

  const none = await as('admin', 'PATCH', `/api/business-hours/${id}`, {});
  t.is(none.status, 400);
  t.is(none.body.error.code, 'validation_failed');
});

test('validation: bad times, overlapping intervals, unknown time zones and a taken connection or team are refused with their codes', async (t) => {
  const post = (body: Record<string, unknown>) => as('admin', 'POST', '/api/business-hours', { name: 'Teste', week: { 1: LUNCH }, ...body });
  const bad = async (body: Record<string, unknown>, status: number, code: string, message?: RegExp) => {
    const res = await post(body);
    t.is(res.status, status, `${JSON.stringify(body)}: ${res.text}`);
    t.is(res.body.error?.code, code);
    if (message) t.regex(res.body.error.message, message);
  };
  await bad({ week: { 1: [{ from: '8:00', to: '12:00' }] } }, 400, 'validation_failed', /week\.1\.0\.from: a time as 'HH:MM'/);
  await bad({ week: { 1: [{ from: '08:00', to: '24:00' }] } }, 400, 'validation_failed', /00:00 for midnight/);
  await bad({ week: { 2: [{ from: '08:00', to: '12:00' }, { from: '11:30', to: '14:00' }] } }, 400, 'validation_failed', /week\.2: Tuesday: intervals 08:00–12:00 and 11:30–14:00 overlap/);
  await bad({ week: { 5: [{ from: '22:00', to: '02:00' }, { from: '23:00', to: '23:30' }] } }, 400, 'validation_failed', /Friday: intervals 22:00–02:00 and 23:00–23:30 overlap/);
  await bad({ week: { 7: [{ from: '22:00', to: '02:00' }], 1: [{ from: '01:00', to: '05:00' }] } }, 400, 'validation_failed', /Sunday 22:00–02:00 runs into Monday 01:00–05:00/);
  await bad({ week: { 8: LUNCH } }, 400, 'validation_failed');
  await bad({ timezone: 'America/Sao_Pablo' }, 400, 'invalid_timezone', /America\/Sao_Pablo/);
  await bad({ timezone: 'GMT-3; drop table' }, 400, 'invalid_timezone');
  await bad({ exceptions: [{ date: '2026-02-30', name: 'X', closed: true }] }, 400, 'validation_failed', /not a calendar date/);
  await bad({ exceptions: [{ date: '2026-12-24', name: 'X', closed: false, intervals: [] }] }, 400, 'validation_failed', /mark it closed/);
  await bad({ exceptions: [{ date: '2026-12-24', name: 'A', closed: true }, { date: '2026-12-24', name: 'B', closed: true }] }, 400, 'validation_failed', /listed twice/);
  await bad({ outOfOffice: { enabled: true, text: '   ' } }, 400, 'validation_failed', /outOfOffice\.text/);
  await bad({ optionalHolidays: ['sao_joao'] }, 400, 'validation_failed');
  await bad({ connectionId: conn2, teamId: w.teamA }, 400, 'validation_failed', /not both/);
  await bad({ connectionId: '00000000-0000-4000-8000-000000000001' }, 400, 'validation_failed', /no such connection/);
  await bad({ connectionId: conn1 }, 409, 'calendar_taken', /Loja Centro/);
  await bad({ teamId: w.teamB }, 409, 'calendar_taken', /Suporte/);

  const holidays = await as('supA', 'GET', '/api/business-hours/holidays?year=2027');
  t.is(holidays.status, 200);
  t.is(holidays.body.items.find((h: any) => h.date === '2027-03-26')?.name, 'Sexta-feira Santa');
  t.is((await as('supA', 'GET', '/api/business-hours/holidays?year=abc')).body.error.code, 'validation_failed');
  t.is((await as('admin', 'GET', '/api/business-hours/not-a-uuid')).body.error.code, 'validation_failed');
  t.is((await as('admin', 'GET', '/api/business-hours/00000000-0000-4000-8000-000000000001')).status, 404);
});

test('roles: attendants get 403 for everything, supervisors read but may not write', async (t) => {
  const [one] = (await as('admin', 'GET', '/api/business-hours')).body.items;
  for (const [method, route, body] of [
    ['GET', '/api/business-hours'], ['GET', `/api/business-hours/${one.id}`], ['GET', '/api/business-hours/holidays?year=2027'],
    ['POST', '/api/business-hours', { name: 'X', week: {} }], ['PATCH', `/api/business-hours/${one.id}`, { name: 'Y' }], ['DELETE', `/api/business-hours/${one.id}`],
  ] as const) {
    const res = await as('att1', method, route, body);
    t.is(res.status, 403, `attendant ${method} ${route}`);
    t.is(res.body.error.code, 'forbidden');
  }
  for (const [method, route, body] of [
    ['POST', '/api/business-hours', { name: 'X', week: {} }], ['PATCH', `/api/business-hours/${one.id}`, { name: 'Y' }], ['DELETE', `/api/business-hours/${one.id}`],
  ] as const) {
    t.is((await as('supA', method, route, body)).status, 403, `supervisor ${method} ${route}`);
  }
  t.is((await as('admin', 'GET', `/api/business-hours/${one.id}`)).body.name, one.name, 'nothing changed');
});

test('calendarFor: the team\'s calendar wins over the connection\'s; nothing when neither has one', async (t) => {
  const db = w.app.deps.db;
  const connCal = (await as('admin', 'GET', '/api/business-hours')).body.items.find((i: any) => i.connectionId === conn1);
  const teamCal = (await as('admin', 'GET', '/api/business-hours')).body.items.find((i: any) => i.teamId === w.teamB);
  t.is((await calendarFor(db, { connectionId: conn1, teamId: w.teamB }))?.id, teamCal.id);
  t.is((await calendarFor(db, { connectionId: conn1, teamId: w.teamA }))?.id, connCal.id, 'team A has none: the connection\'s');
  t.is((await calendarFor(db, { connectionId: conn1, teamId: null }))?.id, connCal.id);
  t.is(await calendarFor(db, { connectionId: conn2, teamId: w.teamA }), null);
  const parsed = await calendarFor(db, { connectionId: conn1, teamId: null });
  t.is(parsed!.timezone, 'America/Manaus');
  t.deepEqual(parsed!.week['7'], []);
  t.true(parsed!.outOfOffice.enabled);
  // Evaluated straight from the row: Wednesday 2026-11-18 12:30 in Manaus is lunch, 13:31 is open.
  t.false(isOpen(parsed!, new Date('2026-11-18T12:30:00-04:00')));
  t.true(isOpen(parsed!, new Date('2026-11-18T13:31:00-04:00')));
  t.is(iso(closedPeriodStart(parsed!, new Date('2026-11-18T12:30:00-04:00'))), '2026-11-18T16:00:00.000Z');
  t.true(isOpen(parsed!, new Date('2026-11-22T01:00:00-04:00')), 'the Saturday night shift, Sunday 01:00');
  t.true(isOpen(parsed!, new Date('2026-12-24T09:00:00-04:00')), 'the exception');
  t.false(isOpen(parsed!, new Date('2026-12-24T14:00:00-04:00')), 'the exception closes the afternoon');

  t.is((await as('admin', 'DELETE', `/api/business-hours/${teamCal.id}`)).status, 204);
  t.is((await calendarFor(db, { connectionId: conn1, teamId: w.teamB }))?.id, connCal.id, 'the team\'s gone: the connection\'s');
  t.truthy(await db('audit_log').where({ action: 'business_calendar.delete', subject_id: teamCal.id }).first());
  t.is((await as('admin', 'DELETE', `/api/business-hours/${teamCal.id}`)).status, 404);
});
