import { html } from 'htm/preact';
import { t } from '../../lib/i18n.js';
import { Toggle, WordList } from './fields.js';

/** @param {Event} e */
const valueOf = (e) => /** @type {HTMLInputElement} */ (e.currentTarget).value;

const TRIGGERS = ['new_conversation', 'no_human', 'keyword', 'outside_hours', 'interactive_payload', 'none'];
const MATCHES = ['equals', 'contains', 'starts_with', 'regex'];

/**
 * The flow's own settings, shown when no node is selected: what starts it, on which connections, its
 * priority among flows, whether it is the fallback, the words that leave it, and the burst window.
 * @param {{ flow: import('./types.js').Flow, connections: { id: string, name: string, channel: string }[], readOnly?: boolean,
 *   onPatch: (patch: Partial<import('./types.js').Flow>) => void }} props
 */
export function TriggerPanel({ flow, connections, readOnly, onPatch }) {
  const trig = flow.trigger ?? { type: 'none' };
  const keywords = trig.keywords ?? [];
  /** @param {import('./types.js').FlowTrigger} next */
  const setTrigger = (next) => onPatch({ trigger: next });
  return html`<div class="fs" data-testid="trigger-panel">
    <header class="fs-head fs-head-flow"><span class="fn-icon"><svg class="icon" width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8"><path d="M13 2 4 14h7l-1 8 9-12h-7z" /></svg></span>
      <h3>${t('flows.trigger.title')}</h3></header>
    <p class="muted small fs-lead">${t('flows.trigger.lead')}</p>
    <fieldset class="fs-fields" disabled=${readOnly}>
      <label class="field"><span>${t('flows.trigger.type')}</span>
        <select value=${trig.type} data-testid="trigger-type" onChange=${(/** @type {Event} */ e) => {
          const type = valueOf(e);
          setTrigger(type === 'keyword' ? { type, keywords: keywords.length ? keywords : [{ match: 'equals', value: '' }] }
            : type === 'interactive_payload' ? { type, payload: trig.payload ?? '' } : { type });
        }}>
          ${TRIGGERS.map((x) => html`<option value=${x}>${t(/** @type {any} */ (`flows.trigger.${x}`))}</option>`)}
        </select>
        <small>${t(/** @type {any} */ (`flows.trigger.${trig.type}.hint`))}</small></label>

      ${trig.type === 'keyword' && html`<div class="field" data-testid="trigger-keywords"><span class="fs-label">${t('flows.trigger.keywords')}</span>
        ${keywords.map((k, i) => html`<div class="fs-map-row" key=${i}>
          <select value=${k.match} aria-label=${t('flows.trigger.match')} onChange=${(/** @type {Event} */ e) => setTrigger({ ...trig, keywords: keywords.map((x, j) => (j === i ? { ...x, match: valueOf(e) } : x)) })}>
            ${MATCHES.map((m) => html`<option value=${m}>${t(/** @type {any} */ (`flows.match.${m}`))}</option>`)}
          </select>
          <input type="text" value=${k.value} placeholder=${t('flows.trigger.keywordPlaceholder')} aria-label=${t('flows.trigger.keywordLabel')} data-testid="trigger-keyword"
            onInput=${(/** @type {Event} */ e) => setTrigger({ ...trig, keywords: keywords.map((x, j) => (j === i ? { ...x, value: valueOf(e) } : x)) })} />
          <button type="button" class="icon-btn icon-btn-xs" disabled=${keywords.length === 1} aria-label=${t('flows.options.remove')}
            onClick=${() => setTrigger({ ...trig, keywords: keywords.filter((_, j) => j !== i) })}>×</button>
        </div>`)}
        <button type="button" class="link-btn small" onClick=${() => setTrigger({ ...trig, keywords: [...keywords, { match: 'equals', value: '' }] })}>+ ${t('flows.trigger.addKeyword')}</button>
      </div>`}
      ${trig.type === 'interactive_payload' && html`<label class="field"><span>${t('flows.trigger.payload')}</span>
        <input type="text" value=${trig.payload ?? ''} spellcheck="false" onInput=${(/** @type {Event} */ e) => setTrigger({ type: trig.type, payload: valueOf(e) })} />
        <small>${t('flows.trigger.payloadHint')}</small></label>`}

      <div class="fieldset field"><span class="fs-label">${t('flows.trigger.connections')}</span>
        <div class="fs-checks">
          ${connections.map((c) => html`<label key=${c.id}><input type="checkbox" checked=${flow.connectionIds.includes(c.id)}
            onChange=${(/** @type {Event} */ e) => onPatch({ connectionIds: /** @type {HTMLInputElement} */ (e.currentTarget).checked
              ? [...flow.connectionIds, c.id] : flow.connectionIds.filter((x) => x !== c.id) })} />${c.name}</label>`)}
          ${!connections.length && html`<span class="muted small">${t('flows.trigger.noConnections')}</span>`}
        </div>
        <small>${t('flows.trigger.connectionsHint')}</small></div>

      <div class="fs-two">
        <label class="field"><span>${t('flows.trigger.priority')}</span>
          <input type="number" min="0" max="1000" value=${flow.priority} onInput=${(/** @type {Event} */ e) => onPatch({ priority: Number(valueOf(e)) || 0 })} />
          <small>${t('flows.trigger.priorityHint')}</small></label>
        <label class="field"><span>${t('flows.trigger.burst')}</span>
          <input type="number" min="0" max="30" step="0.5" value=${(flow.settings?.burstMs ?? 2000) / 1000}
            onInput=${(/** @type {Event} */ e) => onPatch({ settings: { ...flow.settings, burstMs: Math.round(Math.min(30, Math.max(0, Number(valueOf(e)) || 0)) * 1000) } })} />
          <small>${t('flows.trigger.burstHint')}</small></label>
      </div>
      <${Toggle} label=${t('flows.trigger.fallback')} hint=${t('flows.trigger.fallbackHint')} checked=${flow.isFallback} onChange=${(v) => onPatch({ isFallback: v })} />
      <${WordList} label=${t('flows.trigger.exit')} values=${flow.exitKeywords ?? []} onChange=${(v) => onPatch({ exitKeywords: v })} placeholder=${t('flows.trigger.exitPlaceholder')} />
      <small class="muted fs-after">${t('flows.trigger.exitHint')}</small>
    </fieldset>
  </div>`;
}
