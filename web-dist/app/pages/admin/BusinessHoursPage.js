import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { Icon } from '../../components/Icon.js';
import { toast } from '../../components/Toast.js';
import { api } from '../../lib/api.js';
import { lang, plural, t, tDynamic } from '../../lib/i18n.js';
import { navigate, route } from '../../lib/router.js';
import { isRestricted } from '../../state/license.js';
import { isAdmin } from '../../state/session.js';
import { ConfirmDialog, EmptyState, LoadError, Loading, PageHead, readOnlyTitle, useLoad, useSubmit, valueOf } from './common.js';
import { BRAZIL_ZONES } from '../../lib/timeZones.js';

/**
 * @typedef {'1'|'2'|'3'|'4'|'5'|'6'|'7'} Weekday
 * @typedef {{ from: string, to: string }} Interval
 * @typedef {{ date: string, name: string, closed: boolean, intervals: Interval[] }} CalendarException
 * @typedef {'carnaval'|'corpus_christi'} OptionalHoliday
 * @typedef {{
 *   id: string, name: string, timezone: string, week: Record<Weekday, Interval[]>, exceptions: CalendarException[],
 *   nationalHolidays: boolean, optionalHolidays: OptionalHoliday[], outOfOffice: { enabled: boolean, text: string },
 *   connectionId: string | null, connectionName: string | null, teamId: string | null, teamName: string | null,
 *   now: { open: boolean, nextOpening: string | null }
 * }} Calendar
 * @typedef {{ date: string, name: string, kind: 'national'|'optional', key?: OptionalHoliday }} Holiday
 * @typedef {{ name: string, timezone: string, week: Record<Weekday, Interval[]>, exceptions: CalendarException[],
 *   nationalHolidays: boolean, optionalHolidays: OptionalHoliday[], outOfOffice: { enabled: boolean, text: string }, subject: string }} Draft
 */

/** @type {Weekday[]} */
const DAYS = ['1', '2', '3', '4', '5', '6', '7'];
/** @type {OptionalHoliday[]} */
const OPTIONAL = ['carnaval', 'corpus_christi'];
const MAX_OOO = 4096;


const minutes = (/** @type {string} */ hhmm) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const overnight = (/** @type {Interval} */ iv) => minutes(iv.to) <= minutes(iv.from);
const span = (/** @type {Interval} */ iv) => [minutes(iv.from), overnight(iv) ? minutes(iv.to) + 1440 : minutes(iv.to)];
const label = (/** @type {Interval} */ iv) => `${iv.from}–${iv.to}`;
const byStart = (/** @type {Interval} */ a, /** @type {Interval} */ b) => span(a)[0] - span(b)[0];
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

/** The first overlapping pair of a day's intervals, as a sentence, or null. @param {Interval[]} list @param {string} day */
function overlapProblem(list, day) {
  const sorted = [...list].sort(byStart);
  for (let i = 1; i < sorted.length; i++) {
    if (span(sorted[i])[0] < span(sorted[i - 1])[1]) return t('bh.overlap', { day, a: label(sorted[i - 1]), b: label(sorted[i]) });
  }
  return null;
}

/** ["Seg–Sex 08:00–12:00, 13:30–18:00", "Sáb 09:00–13:00"]: equal consecutive days grouped. @param {Record<Weekday, Interval[]>} week @returns {string[]} */
function weekSummary(week) {
  /** @type {{ from: Weekday, to: Weekday, key: string }[]} */
  const groups = [];
  for (const d of DAYS) {
    const key = (week[d] ?? []).map(label).join(', ');
    const last = groups[groups.length - 1];
    if (last && last.key === key) last.to = d;
    else groups.push({ from: d, to: d, key });
  }
  const open = groups.filter((g) => g.key);
  return open.map((g) => `${t(`dayShort.${g.from}`)}${g.to !== g.from ? `–${t(`dayShort.${g.to}`)}` : ''} ${g.key}`);
}

/** "seg. 08:00" in the calendar's own zone. @param {string} iso @param {string} timeZone */
const whenIn = (iso, timeZone) =>
  new Date(iso).toLocaleString(lang.value, { weekday: 'short', day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit', timeZone });

/** "America/Sao_Paulo" → "Sao Paulo". @param {string} z */
const zoneCity = (z) => (z.split('/').pop() ?? z).replace(/_/g, ' ');

/** @param {Calendar} c */
const subjectOf = (c) => (c.teamId ? `t:${c.teamId}` : c.connectionId ? `c:${c.connectionId}` : '');

/** @param {Calendar | null} c @returns {Draft} */
function draftOf(c) {
  const week = /** @type {Record<Weekday, Interval[]>} */ (Object.fromEntries(DAYS.map((d) => [d, c ? [...c.week[d]] : d <= '5' ? [{ from: '08:00', to: '12:00' }, { from: '13:00', to: '18:00' }] : []])));
  return {
    name: c?.name ?? '',
    timezone: c?.timezone ?? 'America/Sao_Paulo',
    week,
    exceptions: c ? c.exceptions.map((e) => ({ ...e, intervals: [...e.intervals] })) : [],
    nationalHolidays: c?.nationalHolidays ?? true,
    optionalHolidays: c ? [...c.optionalHolidays] : [],
    outOfOffice: c ? { ...c.outOfOffice } : { enabled: false, text: '' },
    subject: c ? subjectOf(c) : '',
  };
}

/**
 * Business hours: one calendar per connection or team, with split shifts, overnight shifts, national
 * holidays, special dates and the out-of-office reply. Admins edit; supervisors see. `?calendar=<id>`
 * (or `new`) opens the editor, so the view can be linked and Back returns to the list.
 */
export function BusinessHoursPage() {
  const list = useLoad(async () => /** @type {Calendar[]} */ ((await api('GET', '/api/business-hours')).items));
  const [deleting, setDeleting] = useState(/** @type {Calendar | null} */ (null));
  const open = route.value.query.get('calendar');
  const items = list.data ?? [];
  const canEdit = isAdmin();
  const locked = isRestricted();

  if (open) {
    if (list.loading && !list.data) return html`<section class="page"><${Loading} /></section>`;
    const calendar = open === 'new' ? null : items.find((c) => c.id === open) ?? null;
    if (open !== 'new' && !calendar) {
      queueMicrotask(() => navigate('/admin/business-hours', { replace: true }));
      return null;
    }
    return html`<${CalendarEditor} key=${open} calendar=${calendar} readOnly=${!canEdit} all=${items}
      onSaved=${(/** @type {Calendar} */ saved) => {
        list.setData([...items.filter((x) => x.id !== saved.id), saved].sort((a, b) => a.name.localeCompare(b.name)));
        toast(calendar ? t('common.saved') : t('bh.created', { name: saved.name }), 'success');
        navigate('/admin/business-hours');
      }} />`;
  }

  let body;
  if (list.loading && !list.data) body = html`<${Loading} />`;
  else if (list.error && !list.data) body = html`<${LoadError} error=${list.error} onRetry=${list.reload} />`;
  else if (!items.length) {
    body = html`<${EmptyState} icon="clock" title=${t('bh.empty')} body=${t('bh.emptyBody')}>
      ${canEdit && html`<button type="button" class="btn btn-primary" disabled=${locked} title=${readOnlyTitle()} onClick=${() => navigate('/admin/business-hours?calendar=new')}>
        <${Icon} name="plus" />${t('bh.create')}</button>`}
    <//>`;
  } else {
    body = html`<table class="table">
      <thead><tr>
        <th>${t('bh.name')}</th><th class="hide-phone">${t('bh.hours')}</th><th>${t('bh.status')}</th>
        <th class="actions"><span class="sr-only">${t('common.actions')}</span></th>
      </tr></thead>
      <tbody>
        ${items.map((c) => html`<tr key=${c.id} data-testid="bh-row" data-id=${c.id}>
          <td>
            <div class="cell-person-text">
              <span class="row-title">${c.name}</span>
              <small class="muted">${c.teamName ? t('bh.teamPrefix', { name: c.teamName }) : c.connectionName ?? t('bh.nowhere')} · ${zoneCity(c.timezone)}</small>
            </div>
          </td>
          <td class="hide-phone"><span class="bh-summary" data-testid="bh-summary">${weekSummary(c.week).length
              ? weekSummary(c.week).map((g, i) => html`${i > 0 && html`<span class="bh-sep" aria-hidden="true"> · </span>`}<span class="bh-group">${g}</span>`)
              : t('bh.summaryClosed')}</span>
            ${c.exceptions.length > 0 && html`<small class="muted bh-summary-extra">${plural(c.exceptions.length, 'bh.exceptionCount.one', 'bh.exceptionCount.other')}</small>`}</td>
          <td>${c.now.open
            ? html`<span class="badge badge-green" data-testid="bh-open">${t('bh.openNow')}</span>`
            : html`<span class="badge" data-testid="bh-closed">${t('bh.closedNow')}${c.now.nextOpening ? ` · ${t('bh.opensAt', { when: whenIn(c.now.nextOpening, c.timezone) })}` : ''}</span>`}</td>
          <td class="actions"><div class="row-actions">
            <button type="button" class="btn btn-sm" onClick=${() => navigate(`/admin/business-hours?calendar=${c.id}`)} data-testid="bh-edit">${canEdit ? t('bh.edit') : t('bh.view')}</button>
            ${canEdit && html`<button type="button" class="btn btn-sm btn-danger" disabled=${locked} title=${readOnlyTitle()} onClick=${() => setDeleting(c)} data-testid="bh-delete">${t('common.delete')}</button>`}
          </div></td>
        </tr>`)}
      </tbody>
    </table>`;
  }

  return html`<section class="page page-narrow" data-testid="page-business-hours">
    <${PageHead} title=${t('bh.title')} subtitle=${t('bh.subtitle')}>
      ${canEdit && html`<button type="button" class="btn btn-primary" disabled=${locked} title=${readOnlyTitle()} onClick=${() => navigate('/admin/business-hours?calendar=new')} data-testid="bh-create">
        <${Icon} name="plus" />${t('bh.create')}</button>`}
    <//>
    <div class="card card-table">${body}</div>
    ${deleting && html`<${ConfirmDialog} title=${t('bh.deleteTitle', { name: deleting.name })} body=${t('bh.deleteBody')}
      confirmLabel=${t('common.delete')} danger onClose=${() => setDeleting(null)}
      onConfirm=${async () => {
        await api('DELETE', `/api/business-hours/${deleting.id}`);
        list.setData(items.filter((x) => x.id !== deleting.id));
        toast(t('bh.deleted', { name: deleting.name }), 'success');
      }} />`}
  </section>`;
}

/**
 * Create (calendar null) or edit one calendar; read-only for supervisors.
 * @param {{ calendar: Calendar | null, readOnly: boolean, all: Calendar[], onSaved: (c: Calendar) => void }} props
 */
function CalendarEditor({ calendar, readOnly, all, onSaved }) {
  const [draft, setDraft] = useState(() => draftOf(calendar));
  const locked = isRestricted();
  // Where a calendar can apply (admins only: supervisors see the current one by name).
  const targets = useLoad(async () => {
    if (readOnly) return { connections: [], teams: [] };
    const [conns, dir] = await Promise.all([api('GET', '/api/connections'), api('GET', '/api/directory')]);
    return {
      connections: /** @type {{ id: string, name: string }[]} */ (conns.items),
      teams: /** @type {{ id: string, name: string }[]} */ (dir.teams),
    };
  });
  const taken = new Set(all.filter((c) => c.id !== calendar?.id).map(subjectOf).filter(Boolean));

  const { busy, error, setError, submit } = useSubmit(async () => {
    const problem = problemOf(draft);
    if (problem) {
      setError(problem);
      return;
    }
    const body = {
      name: draft.name.trim(),
      timezone: draft.timezone,
      week: draft.week,
      exceptions: draft.exceptions.map((e) => ({ date: e.date, name: e.name.trim(), closed: e.closed, intervals: e.closed ? [] : e.intervals })),
      nationalHolidays: draft.nationalHolidays,
      optionalHolidays: draft.optionalHolidays,
      outOfOffice: draft.outOfOffice,
      connectionId: draft.subject.startsWith('c:') ? draft.subject.slice(2) : null,
      teamId: draft.subject.startsWith('t:') ? draft.subject.slice(2) : null,
    };
    const saved = calendar ? await api('PATCH', `/api/business-hours/${calendar.id}`, body) : await api('POST', '/api/business-hours', body);
    onSaved(saved);
  });
  /** A change clears the last refusal: it may be the fix. @param {Partial<Draft>} patch */
  const change = (patch) => {
    setDraft((d) => ({ ...d, ...patch }));
    setError(null);
  };

  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const brazil = new Set(BRAZIL_ZONES.map(([z]) => z));
  const subjectName = calendar?.teamName ? t('bh.teamPrefix', { name: calendar.teamName }) : calendar?.connectionName ?? t('bh.nowhere');

  return html`<section class="page" data-testid="page-business-hours-editor">
    <a href="/admin/business-hours" class="back-link"><${Icon} name="back" size=${16} />${t('bh.back')}</a>
    <${PageHead} title=${calendar ? calendar.name : t('bh.newTitle')} subtitle=${readOnly ? t('bh.readOnly') : undefined} />
    <form novalidate onSubmit=${submit} data-testid="bh-form">
      <fieldset class="bh-fieldset" disabled=${readOnly}>
      <div class="bh-editor">
        <div class="bh-col">
          <div class="card card-pad">
            <h2 class="card-title">${t('bh.general')}</h2>
            <div class="grid-2 grid-tight">
              <label class="field"><span>${t('bh.name')}</span>
                <input type="text" name="name" required maxlength="80" placeholder=${t('bh.namePlaceholder')} value=${draft.name}
                  onInput=${(/** @type {Event} */ e) => change({ name: valueOf(e) })} data-testid="bh-name" /></label>
              <label class="field"><span>${t('bh.appliesTo')}</span>
                ${readOnly
                  ? html`<input type="text" readonly value=${subjectName} />`
                  : html`<select name="subject" value=${draft.subject} onChange=${(/** @type {Event} */ e) => change({ subject: valueOf(e) })} data-testid="bh-subject">
                    <option value="">${t('bh.nowhere')}</option>
                    ${(targets.data?.connections.length ?? 0) > 0 && html`<optgroup label=${t('bh.connections')}>
                      ${targets.data?.connections.map((c) => html`<option value=${`c:${c.id}`} disabled=${taken.has(`c:${c.id}`)}>${c.name}</option>`)}
                    </optgroup>`}
                    ${(targets.data?.teams.length ?? 0) > 0 && html`<optgroup label=${t('bh.teams')}>
                      ${targets.data?.teams.map((tm) => html`<option value=${`t:${tm.id}`} disabled=${taken.has(`t:${tm.id}`)}>${t('bh.teamPrefix', { name: tm.name })}</option>`)}
                    </optgroup>`}
                  </select>`}
                <small>${t('bh.appliesToHint')}</small></label>
            </div>
            <label class="field bh-field-last"><span>${t('bh.timezone')}</span>
              <select name="timezone" value=${draft.timezone} onChange=${(/** @type {Event} */ e) => change({ timezone: valueOf(e) })} data-testid="bh-timezone">
                <optgroup label=${t('bh.tzBrazil')}>
                  ${BRAZIL_ZONES.map(([z, where]) => html`<option value=${z}>${where} (${z.replace(/_/g, ' ')})</option>`)}
                </optgroup>
                <optgroup label=${t('bh.tzOther')}>
                  ${[...new Set([...zones, draft.timezone])].filter((z) => !brazil.has(z)).map((z) => html`<option value=${z}>${z.replace(/_/g, ' ')}</option>`)}
                </optgroup>
              </select>
              <small>${t('bh.timezoneHint')}</small></label>
          </div>

          <div class="card card-pad">
            <div class="bh-card-head">
              <h2 class="card-title">${t('bh.week')}</h2>
              ${!readOnly && html`<button type="button" class="btn btn-sm" onClick=${() => {
                const mon = draft.week['1'];
                change({ week: { ...draft.week, 2: [...mon], 3: [...mon], 4: [...mon], 5: [...mon] } });
              }} data-testid="bh-copy-weekdays">${t('bh.copyWeekdays')}</button>`}
            </div>
            <p class="muted small card-sub">${t('bh.weekHint')}</p>
            <div class="bh-week">
              ${DAYS.map((d) => html`<div class="bh-day" key=${d} data-testid="bh-day" data-day=${d}>
                <span class="bh-day-name">${t(`day.${d}`)}</span>
                <${Intervals} list=${draft.week[d]} onChange=${(/** @type {Interval[]} */ list) => change({ week: { ...draft.week, [d]: list } })} readOnly=${readOnly} />
              </div>`)}
            </div>
          </div>

          <div class="card card-pad">
            <div class="bh-card-head">
              <h2 class="card-title">${t('bh.exceptions')}</h2>
              ${!readOnly && html`<button type="button" class="btn btn-sm" onClick=${() => change({ exceptions: [...draft.exceptions, { date: '', name: '', closed: true, intervals: [] }] })} data-testid="bh-add-exception">
                <${Icon} name="plus" />${t('bh.addException')}</button>`}
            </div>
            <p class="muted small card-sub">${t('bh.exceptionsHint')}</p>
            ${draft.exceptions.length === 0
              ? html`<p class="bh-none">${t('bh.noExceptions')}</p>`
              : html`<div class="bh-exceptions">${draft.exceptions.map((ex, i) => {
                /** @param {Partial<CalendarException>} patch */
                const set = (patch) => change({ exceptions: draft.exceptions.map((x, j) => (j === i ? { ...x, ...patch } : x)) });
                return html`<div class="bh-exception" key=${i} data-testid="bh-exception">
                  <div class="bh-exception-main">
                    <label class="field"><span>${t('bh.exDate')}</span>
                      <input type="date" required value=${ex.date} onInput=${(/** @type {Event} */ e) => set({ date: valueOf(e) })} data-testid="bh-ex-date" /></label>
                    <label class="field bh-grow"><span>${t('bh.exName')}</span>
                      <input type="text" required maxlength="80" placeholder=${t('bh.exNamePlaceholder')} value=${ex.name} onInput=${(/** @type {Event} */ e) => set({ name: valueOf(e) })} data-testid="bh-ex-name" /></label>
                    <label class="field"><span class="sr-only">${t('bh.exHours')}</span>
                      <select value=${ex.closed ? 'closed' : 'hours'} data-testid="bh-ex-kind" onChange=${(/** @type {Event} */ e) => {
                        const closed = valueOf(e) === 'closed';
                        set({ closed, intervals: closed ? [] : ex.intervals.length ? ex.intervals : [{ from: '08:00', to: '12:00' }] });
                      }}>
                        <option value="closed">${t('bh.exClosed')}</option>
                        <option value="hours">${t('bh.exHours')}</option>
                      </select></label>
                    ${!readOnly && html`<button type="button" class="icon-btn bh-remove-ex" aria-label=${t('bh.removeException')} title=${t('bh.removeException')}
                      onClick=${() => change({ exceptions: draft.exceptions.filter((_, j) => j !== i) })}><${Icon} name="x" /></button>`}
                  </div>
                  ${!ex.closed && html`<div class="bh-exception-hours"><${Intervals} list=${ex.intervals} onChange=${(/** @type {Interval[]} */ list) => set({ intervals: list })} readOnly=${readOnly} /></div>`}
                </div>`;
              })}</div>`}
          </div>
        </div>

        <div class="bh-col">
          <${HolidaysCard} draft=${draft} change=${change} />
          <div class="card card-pad">
            <h2 class="card-title">${t('bh.ooo')}</h2>
            <label class="bh-switch-line">
              <input type="checkbox" class="bh-switch" checked=${draft.outOfOffice.enabled} data-testid="bh-ooo-enabled"
                onChange=${(/** @type {Event} */ e) => change({ outOfOffice: { ...draft.outOfOffice, enabled: /** @type {HTMLInputElement} */ (e.currentTarget).checked } })} />
              <span>${t('bh.oooEnabled')}</span>
            </label>
            <label class="field"><span>${t('bh.oooText')}</span>
              <textarea rows="5" maxlength=${MAX_OOO} placeholder=${t('bh.oooPlaceholder')} value=${draft.outOfOffice.text} data-testid="bh-ooo-text"
                onInput=${(/** @type {Event} */ e) => change({ outOfOffice: { ...draft.outOfOffice, text: valueOf(e) } })}></textarea>
              <small class="field-foot"><span>${t('bh.oooHint')}</span><span>${draft.outOfOffice.text.length} / ${MAX_OOO}</span></small></label>
          </div>
        </div>
      </div>
      </fieldset>
      ${!readOnly && html`<div class="bh-savebar">
        ${error ? html`<p class="form-error" role="alert" data-testid="form-error"><${Icon} name="alert" size=${16} />${error}</p>` : html`<span></span>`}
        <div class="form-actions">
          <a href="/admin/business-hours" class="btn">${t('common.cancel')}</a>
          <button type="submit" class="btn btn-primary" disabled=${busy || locked} title=${readOnlyTitle()} data-testid="bh-save">
            ${busy && html`<span class="spinner spinner-sm"></span>`}${calendar ? t('common.save') : t('common.create')}</button>
        </div>
      </div>`}
    </form>
  </section>`;
}

/** What the server would refuse, said in our words before sending. @param {Draft} d @returns {string | null} */
function problemOf(d) {
  for (const day of DAYS) {
    const p = overlapProblem(d.week[day], t(`day.${day}`));
    if (p) return p;
  }
  const seen = new Set();
  for (const ex of d.exceptions) {
    if (seen.has(ex.date)) return t('bh.duplicateDate', { date: ex.date });
    seen.add(ex.date);
    const p = ex.closed ? null : overlapProblem(ex.intervals, ex.date);
    if (p) return p;
  }
  if (d.outOfOffice.enabled && !d.outOfOffice.text.trim()) return t('bh.oooNeedsText');
  return null;
}

/**
 * A day's intervals: pairs of times, each removable, and a button that adds one after the last.
 * @param {{ list: Interval[], onChange: (l: Interval[]) => void, readOnly: boolean }} props
 */
function Intervals({ list, onChange, readOnly }) {
  const add = () => {
    const last = [...list].sort(byStart).pop();
    if (!last) return onChange([{ from: '08:00', to: '18:00' }]);
    const start = Math.min(span(last)[1] + 60, 23 * 60);
    const hh = (/** @type {number} */ m) => `${String(Math.floor((m % 1440) / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
    onChange([...list, { from: hh(start), to: hh(Math.min(start + 240, 23 * 60 + 59)) }]);
  };
  return html`<div class="bh-intervals">
    ${list.length === 0 && html`<span class="bh-closed" data-testid="bh-closed-day">${t('bh.closedDay')}</span>`}
    ${list.map((iv, i) => {
      /** @param {'from' | 'to'} k @param {string} v */
      const set = (k, v) => onChange(list.map((x, j) => (j === i ? { ...x, [k]: v } : x)));
      return html`<span class="bh-interval" key=${i} data-testid="bh-interval">
        <${TimeField} label=${t('bh.from')} value=${iv.from} onCommit=${(/** @type {string} */ v) => set('from', v)} testid="bh-from" />
        <span class="bh-dash" aria-hidden="true">–</span>
        <${TimeField} label=${t('bh.to')} value=${iv.to} onCommit=${(/** @type {string} */ v) => set('to', v)} testid="bh-to" />
        ${overnight(iv) && html`<span class="badge badge-blue bh-next-day" title=${t('bh.nextDay')}>+1</span>`}
        ${!readOnly && html`<button type="button" class="icon-btn bh-remove" aria-label=${t('bh.removeInterval')} title=${t('bh.removeInterval')}
          onClick=${() => onChange(list.filter((_, j) => j !== i))} data-testid="bh-remove-interval"><${Icon} name="x" size=${14} /></button>`}
      </span>`;
    })}
    ${!readOnly && html`<button type="button" class="btn btn-sm btn-ghost bh-add" onClick=${add} title=${t('bh.addIntervalTitle')} data-testid="bh-add-interval">
      <${Icon} name="plus" size=${14} />${t('bh.addInterval')}</button>`}
  </div>`;
}

/**
 * "8" → "08:00", "830" → "08:30", "8:30" → "08:30", "1745" → "17:45"; null when it is no time of day.
 * @param {string} text
 */
function readTime(text) {
  const s = text.trim().replace(/[h.]/i, ':').replace(/:$/, '');
  const m = /^(\d{1,2})(?::(\d{2}))?$/.exec(s.includes(':') || s.length <= 2 ? s : `${s.slice(0, -2)}:${s.slice(-2)}`);
  if (!m) return null;
  const hhmm = `${m[1].padStart(2, '0')}:${m[2] ?? '00'}`;
  return HHMM.test(hhmm) ? hhmm : null;
}

/**
 * A 24-hour time typed as text (HH:MM): the same on every browser and locale, unlike <input type=time>,
 * which shows 12-hour clocks to some. Commits on change when it reads as a time; otherwise it is marked.
 * @param {{ label: string, value: string, onCommit: (v: string) => void, testid: string }} props
 */
function TimeField({ label, value, onCommit, testid }) {
  const [text, setText] = useState(value);
  const [bad, setBad] = useState(false);
  useEffect(() => { setText(value); setBad(false); }, [value]);
  return html`<input type="text" class="bh-time" inputmode="numeric" maxlength="5" autocomplete="off" required placeholder="08:00"
    aria-label=${label} aria-invalid=${bad ? 'true' : undefined} value=${text} data-testid=${testid}
    onInput=${(/** @type {Event} */ e) => setText(valueOf(e))}
    onChange=${(/** @type {Event} */ e) => {
      const v = readTime(valueOf(e));
      if (v === null) return setBad(true);
      setBad(false);
      setText(v);
      if (v !== value) onCommit(v);
    }} />`;
}

/**
 * The national holidays switch, the pontos facultativos, and the chosen year's list (computed by the server).
 * @param {{ draft: Draft, change: (p: Partial<Draft>) => void }} props
 */
function HolidaysCard({ draft, change }) {
  const [year, setYear] = useState(() => new Date().getFullYear());
  const holidays = useLoad(async () => /** @type {Holiday[]} */ ((await api('GET', `/api/business-hours/holidays?year=${year}`)).items), [year]);
  const at = (/** @type {string} */ date) => new Date(`${date}T12:00:00Z`);
  const dayMonth = (/** @type {string} */ date) => at(date).toLocaleDateString(lang.value, { day: '2-digit', month: '2-digit', timeZone: 'UTC' });
  const weekday = (/** @type {string} */ date) => at(date).toLocaleDateString(lang.value, { weekday: 'short', timeZone: 'UTC' }).replace(/\.$/, '');
  const byDate = new Map(draft.exceptions.map((e) => [e.date, e]));
  return html`<div class="card card-pad" data-testid="bh-holidays">
    <h2 class="card-title">${t('bh.holidays')}</h2>
    <label class="bh-switch-line">
      <input type="checkbox" class="bh-switch" checked=${draft.nationalHolidays} data-testid="bh-national"
        onChange=${(/** @type {Event} */ e) => change({ nationalHolidays: /** @type {HTMLInputElement} */ (e.currentTarget).checked })} />
      <span>${t('bh.nationalHolidays')}</span>
    </label>
    <p class="muted small bh-hint">${t('bh.nationalHolidaysHint')}</p>
    ${draft.nationalHolidays && html`
      <div class="bh-optional">
        <span class="field-label">${t('bh.optional')}</span>
        ${OPTIONAL.map((key) => html`<label class="check-line" key=${key}>
          <input type="checkbox" checked=${draft.optionalHolidays.includes(key)} data-testid=${`bh-optional-${key}`}
            onChange=${(/** @type {Event} */ e) => {
              const on = /** @type {HTMLInputElement} */ (e.currentTarget).checked;
              change({ optionalHolidays: on ? [...draft.optionalHolidays, key] : draft.optionalHolidays.filter((k) => k !== key) });
            }} />${tDynamic(`bh.optional.${key}`)}</label>`)}
      </div>
      <div class="bh-year">
        <button type="button" class="icon-btn" aria-label=${t('bh.prevYear')} onClick=${() => setYear(year - 1)}><${Icon} name="back" size=${16} /></button>
        <strong data-testid="bh-year">${year}</strong>
        <button type="button" class="icon-btn bh-flip" aria-label=${t('bh.nextYear')} onClick=${() => setYear(year + 1)}><${Icon} name="back" size=${16} /></button>
      </div>
      ${holidays.error ? html`<p class="text-bad small">${t('admin.loadFailed')}</p>` : html`<ul class="bh-holiday-list" data-testid="bh-holiday-list">
        ${(holidays.data ?? []).map((h) => {
          const ex = byDate.get(h.date);
          const off = h.kind === 'optional' && (!h.key || !draft.optionalHolidays.includes(h.key));
          return html`<li key=${h.date} class=${off ? 'bh-holiday-off' : ''}>
            <span class="bh-holiday-date"><strong>${dayMonth(h.date)}</strong> <small>${weekday(h.date)}</small></span>
            <span class="bh-holiday-name">${h.name}</span>
            ${h.kind === 'optional' && html`<span class="badge">${t('bh.holidayOptional')}</span>`}
            ${ex && !ex.closed && html`<span class="badge badge-green">${t('bh.holidayOpenByException')}</span>`}
          </li>`;
        })}
      </ul>`}`}
  </div>`;
}
