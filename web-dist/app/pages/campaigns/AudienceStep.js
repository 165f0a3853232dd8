import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { Icon } from '../../components/Icon.js';
import { api } from '../../lib/api.js';
import { errorText } from '../../lib/errors.js';
import { dateTime, number } from '../../lib/format.js';
import { t, tDynamic } from '../../lib/i18n.js';
import { useLoad, valueOf } from '../admin/common.js';
import { StepActions } from './campaign.js';

/** @typedef {import('./types.js').FilterAudience} FilterAudience */
/** @typedef {import('./types.js').Audience} Audience */
/** @typedef {import('./types.js').Preflight} Preflight */

const OPS = ['equals', 'contains', 'is_set', 'is_empty'];
const NO_VALUE = new Set(['is_set', 'is_empty']);

/** @param {import('./types.js').Campaign} c @returns {Audience} */
function initial(c) {
  const a = /** @type {any} */ (c.audience);
  if (a?.kind === 'import') return { kind: 'import', importId: a.importId };
  return { kind: 'filter', tags: { any: [], all: [], none: [] }, fields: [], openConversation: 'any', ...(a?.kind === 'filter' ? a : {}) };
}

/** What the server gets: empty parts left out. @param {Audience} a */
function clean(a) {
  if (a.kind === 'import') return a;
  /** @type {FilterAudience} */
  const out = { kind: 'filter' };
  const tags = Object.fromEntries(Object.entries(a.tags ?? {}).filter(([, v]) => v && v.length));
  if (Object.keys(tags).length) out.tags = tags;
  const fields = (a.fields ?? []).filter((f) => f.name.trim()).filter((f) => NO_VALUE.has(f.op) || (f.value ?? '').trim()).map((f) => (NO_VALUE.has(f.op) ? { name: f.name.trim(), op: f.op } : { name: f.name.trim(), op: f.op, value: (f.value ?? '').trim() }));
  if (fields.length) out.fields = fields;
  if (a.lastActivityDays && (a.lastActivityDays.within || a.lastActivityDays.notWithin)) out.lastActivityDays = a.lastActivityDays;
  if (a.openConversation && a.openConversation !== 'any') out.openConversation = a.openConversation;
  if (a.channel) out.channel = a.channel;
  return out;
}

/**
 * Who receives it: contacts by tags, fields, last activity and open attendance, or the rows of a CSV
 * import. The server counts who would receive it and who is left out, and why (the same classification
 * the review shows). Opening the step only previews: nothing is saved until the admin changes something
 * (saved after a pause) or continues, so a draft's audience is never "all contacts" by default.
 * @param {import('./CampaignWizard.js').StepProps} props
 */
export function AudienceStep({ campaign, save, next }) {
  const [audience, setAudience] = useState(() => initial(campaign));
  const [rules, setRules] = useState({ excludeOpenConversations: campaign.excludeOpenConversations, requireConsent: campaign.requireConsent });
  const [count, setCount] = useState(/** @type {{ state: 'idle'|'counting'|'saving'|'preview'|'ok'|'error', data?: Preflight, error?: string }} */ ({ state: 'idle' }));
  const [busy, setBusy] = useState(false);
  const imports = useLoad(async () => /** @type {import('./types.js').ContactImport[]} */ ((await api('GET', '/api/contacts/imports')).items));
  const seq = useRef(0);
  const first = useRef(true);

  /** Saves the audience (or only previews it) and asks the server for the count; the latest call wins. */
  const refresh = async (/** @type {boolean} */ persist) => {
    const mine = ++seq.current;
    if (audience.kind === 'import' && !audience.importId) return setCount({ state: 'idle' });
    setCount((c) => ({ ...c, state: persist ? 'saving' : 'counting' }));
    try {
      /** @type {Preflight} */
      let data;
      if (persist) {
        await save({ audience: clean(audience), ...rules });
        data = await api('GET', `/api/campaigns/${campaign.id}/preflight`);
      } else {
        data = await api('POST', '/api/audiences/classify', { connectionId: campaign.connectionId, audience: clean(audience), ...rules });
      }
      if (mine === seq.current) setCount({ state: persist ? 'ok' : 'preview', data });
    } catch (err) {
      if (mine === seq.current) setCount({ state: 'error', error: errorText(err) });
    }
  };
  useEffect(() => {
    const opening = first.current;
    first.current = false;
    const timer = setTimeout(() => void refresh(!opening), opening ? 0 : 700);
    return () => clearTimeout(timer);
  }, [JSON.stringify(audience), rules.excludeOpenConversations, rules.requireConsent]);

  const filter = audience.kind === 'filter' ? audience : null;
  const setFilter = (/** @type {Partial<FilterAudience>} */ p) => filter && setAudience({ ...filter, ...p });
  const ready = audience.kind === 'filter' || !!audience.importId;

  return html`<div class="cmp-step-grid" data-testid="audience-step">
    <div class="cmp-step-main">
      <div class="card card-pad">
        <h2 class="card-title">${t('cmp.aud.title')}</h2>
        <div class="channel-pick cmp-source-pick">
          <label class=${`channel-option ${audience.kind === 'filter' ? 'selected' : ''}`}>
            <input type="radio" name="source" checked=${audience.kind === 'filter'} data-testid="audience-kind-filter"
              onChange=${() => setAudience(initial({ ...campaign, audience: /** @type {any} */ ({ kind: 'filter' }) }))} />
            <span class="channel-badge cmp-src-icon"><${Icon} name="tag" /></span>
            <span><strong>${t('cmp.aud.filter')}</strong><small>${t('cmp.aud.filterHint')}</small></span>
          </label>
          <label class=${`channel-option ${audience.kind === 'import' ? 'selected' : ''}`}>
            <input type="radio" name="source" checked=${audience.kind === 'import'} data-testid="audience-kind-import"
              onChange=${() => setAudience({ kind: 'import', importId: imports.data?.[0]?.id ?? '' })} />
            <span class="channel-badge cmp-src-icon"><${Icon} name="file" /></span>
            <span><strong>${t('cmp.aud.import')}</strong><small>${t('cmp.aud.importHint')}</small></span>
          </label>
        </div>
      </div>

      ${filter && html`<div class="card card-pad" data-testid="audience-filter">
        <h2 class="card-title">${t('cmp.aud.tags')}</h2>
        <${TagsInput} label=${t('cmp.aud.tagsAny')} hint=${t('cmp.aud.tagsAnyHint')} value=${filter.tags?.any ?? []} testid="tags-any"
          onChange=${(/** @type {string[]} */ v) => setFilter({ tags: { ...filter.tags, any: v } })} />
        <${TagsInput} label=${t('cmp.aud.tagsAll')} hint=${t('cmp.aud.tagsAllHint')} value=${filter.tags?.all ?? []} testid="tags-all"
          onChange=${(/** @type {string[]} */ v) => setFilter({ tags: { ...filter.tags, all: v } })} />
        <${TagsInput} label=${t('cmp.aud.tagsNone')} hint=${t('cmp.aud.tagsNoneHint')} value=${filter.tags?.none ?? []} testid="tags-none"
          onChange=${(/** @type {string[]} */ v) => setFilter({ tags: { ...filter.tags, none: v } })} />

        <h2 class="card-title cmp-title-gap">${t('cmp.aud.fields')}</h2>
        ${(filter.fields ?? []).length === 0 && html`<p class="muted small cmp-none">${t('cmp.aud.noFields')}</p>`}
        ${(filter.fields ?? []).map((f, i) => {
          const set = (/** @type {Partial<import('./types.js').FieldFilter>} */ p) => setFilter({ fields: (filter.fields ?? []).map((x, j) => (j === i ? { ...x, ...p } : x)) });
          return html`<div class="cmp-field-row" key=${i} data-testid="field-filter">
            <input type="text" aria-label=${t('cmp.aud.fieldName')} placeholder=${t('cmp.aud.fieldNamePlaceholder')} value=${f.name}
              onInput=${(/** @type {Event} */ e) => set({ name: valueOf(e) })} data-testid="field-name" />
            <select aria-label=${t('cmp.aud.fieldOp')} value=${f.op} onChange=${(/** @type {Event} */ e) => set({ op: valueOf(e) })} data-testid="field-op">
              ${OPS.map((o) => html`<option value=${o}>${tDynamic(`cmp.op.${o}`)}</option>`)}
            </select>
            ${NO_VALUE.has(f.op) ? html`<span></span>` : html`<input type="text" aria-label=${t('cmp.aud.fieldValue')} value=${f.value ?? ''}
              onInput=${(/** @type {Event} */ e) => set({ value: valueOf(e) })} data-testid="field-value" />`}
            <button type="button" class="icon-btn" aria-label=${t('cmp.aud.removeField')} title=${t('cmp.aud.removeField')}
              onClick=${() => setFilter({ fields: (filter.fields ?? []).filter((_, j) => j !== i) })}><${Icon} name="x" size=${16} /></button>
          </div>`;
        })}
        <button type="button" class="btn btn-sm btn-ghost cmp-add" onClick=${() => setFilter({ fields: [...(filter.fields ?? []), { name: '', op: 'equals', value: '' }] })} data-testid="field-add">
          <${Icon} name="plus" size=${14} />${t('cmp.aud.addField')}</button>

        <h2 class="card-title cmp-title-gap">${t('cmp.aud.activity')}</h2>
        <${ActivityPicker} value=${filter.lastActivityDays ?? null} onChange=${(/** @type {any} */ v) => setFilter({ lastActivityDays: v ?? undefined })} />

        <h2 class="card-title cmp-title-gap">${t('cmp.aud.open')}</h2>
        <div class="seg" role="radiogroup" aria-label=${t('cmp.aud.open')}>
          ${['any', 'exclude', 'only'].map((o) => html`<button type="button" role="radio" aria-checked=${(filter.openConversation ?? 'any') === o}
            class=${(filter.openConversation ?? 'any') === o ? 'seg-on' : ''} onClick=${() => setFilter({ openConversation: /** @type {any} */ (o) })}
            data-testid=${`open-${o}`}>${tDynamic(`cmp.aud.open.${o}`)}</button>`)}
        </div>
      </div>`}

      ${audience.kind === 'import' && html`<div class="card card-pad" data-testid="audience-import">
        <div class="bh-card-head">
          <h2 class="card-title">${t('cmp.aud.importPick')}</h2>
          <a class="btn btn-sm" href=${`/contacts/imports?new=1&connectionId=${encodeURIComponent(campaign.connectionId)}`} data-testid="import-new"><${Icon} name="plus" size=${14} />${t('cmp.aud.importNew')}</a>
        </div>
        ${imports.error ? html`<p class="text-bad small">${errorText(imports.error)}</p>`
          : !(imports.data ?? []).length ? html`<p class="muted">${t('cmp.aud.noImports')}</p>`
          : html`<ul class="cmp-imports">${(imports.data ?? []).map((im) => html`<li key=${im.id}>
              <label class=${`cmp-import ${String(audience.importId) === String(im.id) ? 'selected' : ''}`}>
                <input type="radio" name="import" checked=${String(audience.importId) === String(im.id)} onChange=${() => setAudience({ kind: 'import', importId: im.id })} data-testid="import-option" />
                <span class="cmp-import-text"><strong>${im.filename ?? t('cmp.aud.importUnnamed')}</strong>
                  <small class="muted">${t('cmp.aud.importRows', { imported: number(im.imported), invalid: number(im.invalid), when: dateTime(im.createdAt) })}</small>
                  ${im.columns?.length ? html`<small class="muted">${t('cmp.aud.importColumns', { columns: im.columns.join(', ') })}</small>` : null}</span>
              </label></li>`)}</ul>`}
      </div>`}

      <div class="card card-pad">
        <h2 class="card-title">${t('cmp.aud.rules')}</h2>
        <label class="cmp-switch-line">
          <input type="checkbox" class="bh-switch" checked=${rules.requireConsent} data-testid="rule-consent"
            onChange=${(/** @type {Event} */ e) => setRules({ ...rules, requireConsent: /** @type {HTMLInputElement} */ (e.currentTarget).checked })} />
          <span><strong>${t('cmp.aud.requireConsent')}</strong><small class="muted">${t('cmp.aud.requireConsentHint')}</small></span>
        </label>
        <label class="cmp-switch-line">
          <input type="checkbox" class="bh-switch" checked=${rules.excludeOpenConversations} data-testid="rule-open"
            onChange=${(/** @type {Event} */ e) => setRules({ ...rules, excludeOpenConversations: /** @type {HTMLInputElement} */ (e.currentTarget).checked })} />
          <span><strong>${t('cmp.aud.excludeOpen')}</strong><small class="muted">${t('cmp.aud.excludeOpenHint')}</small></span>
        </label>
        <p class="muted small cmp-none">${t('cmp.aud.optOutAlways')}</p>
      </div>
      <${StepActions} busy=${busy} disabled=${!ready || count.state === 'saving' || count.state === 'counting'} error=${count.state === 'error' ? count.error : null}
        onNext=${async () => { setBusy(true); try { await refresh(true); next(); } finally { setBusy(false); } }} />
    </div>
    <aside class="cmp-step-side">
      <${AudienceCount} count=${count} />
    </aside>
  </div>`;
}

/**
 * The live count beside the audience: how many receive it and how many are left out.
 * @param {{ count: { state: string, data?: Preflight, error?: string } }} props
 */
export function AudienceCount({ count }) {
  const d = count.data;
  const excluded = d ? Object.values(d.excluded).reduce((a, b) => a + b, 0) : 0;
  return html`<div class="card card-pad cmp-count" data-testid="audience-count" data-state=${count.state} data-will-send=${d?.willSend ?? ''}>
    <span class="cmp-count-label">${t('cmp.aud.countLabel')}</span>
    ${d ? html`<strong class="cmp-count-n" data-testid="audience-will-send">${number(d.willSend)}</strong>
        <span class="muted small">${t('cmp.aud.countOf', { total: number(d.total) })}</span>
        ${excluded > 0 && html`<span class="muted small">${t('cmp.aud.countExcluded', { n: number(excluded) })}</span>`}`
      : html`<strong class="cmp-count-n muted">—</strong>`}
    <span class="cmp-count-state small">${count.state === 'saving' || count.state === 'counting'
      ? html`<span class="spinner spinner-xs"></span> ${count.state === 'saving' ? t('cmp.aud.counting') : t('cmp.aud.countingOnly')}`
      : count.state === 'error' ? html`<span class="text-bad">${t('cmp.aud.countFailed')}</span>` : count.state === 'ok' ? t('cmp.aud.countSaved')
      : count.state === 'preview' ? t('cmp.aud.countPreview') : t('cmp.aud.countIdle')}</span>
  </div>`;
}

/**
 * Tags as chips: Enter or comma adds the typed tag, × removes one.
 * @param {{ label: string, hint: string, value: string[], onChange: (v: string[]) => void, testid: string }} props
 */
function TagsInput({ label, hint, value, onChange, testid }) {
  const [text, setText] = useState('');
  const add = () => {
    const tag = text.trim().replace(/,$/, '');
    if (tag && !value.includes(tag)) onChange([...value, tag]);
    setText('');
  };
  return html`<div class="field cmp-tags" data-testid=${testid}>
    <span>${label}</span>
    <div class="cmp-tags-box">
      ${value.map((tag) => html`<span class="chip cmp-chip" key=${tag}>${tag}<button type="button" aria-label=${t('cmp.aud.removeTag', { tag })}
        onClick=${() => onChange(value.filter((x) => x !== tag))}><${Icon} name="x" size=${12} /></button></span>`)}
      <input type="text" value=${text} placeholder=${value.length ? '' : t('cmp.aud.tagPlaceholder')} aria-label=${label} data-testid=${`${testid}-input`}
        onInput=${(/** @type {Event} */ e) => { const v = valueOf(e); if (v.endsWith(',')) { setText(v.slice(0, -1)); queueMicrotask(add); } else setText(v); }}
        onKeyDown=${(/** @type {KeyboardEvent} */ e) => { if (e.key === 'Enter') { e.preventDefault(); add(); } else if (e.key === 'Backspace' && !text && value.length) onChange(value.slice(0, -1)); }}
        onBlur=${add} />
    </div>
    <small>${hint}</small>
  </div>`;
}

/**
 * Last activity: any time, active within N days, or quiet for N days.
 * @param {{ value: { within?: number, notWithin?: number } | null, onChange: (v: { within?: number, notWithin?: number } | null) => void }} props
 */
function ActivityPicker({ value, onChange }) {
  const mode = value?.within ? 'within' : value?.notWithin ? 'notWithin' : 'any';
  const days = value?.within ?? value?.notWithin ?? 30;
  return html`<div class="cmp-activity">
    <select aria-label=${t('cmp.aud.activity')} value=${mode} data-testid="activity-mode"
      onChange=${(/** @type {Event} */ e) => { const m = valueOf(e); onChange(m === 'any' ? null : { [m]: days }); }}>
      <option value="any">${t('cmp.aud.activity.any')}</option>
      <option value="within">${t('cmp.aud.activity.within')}</option>
      <option value="notWithin">${t('cmp.aud.activity.notWithin')}</option>
    </select>
    ${mode !== 'any' && html`<input type="number" min="1" max="3650" value=${days} aria-label=${t('cmp.aud.activityDays')} data-testid="activity-days"
      onChange=${(/** @type {Event} */ e) => { const n = Math.max(1, Math.round(Number(valueOf(e)) || 1)); onChange({ [mode]: n }); }} />
      <span class="muted">${t('cmp.aud.days')}</span>`}
  </div>`;
}
