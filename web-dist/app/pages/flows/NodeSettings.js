import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { uploadFile } from '../../lib/api.js';
import { errorText } from '../../lib/errors.js';
import { t } from '../../lib/i18n.js';
import { directory } from '../../state/directory.js';
import { ConditionSettings } from './ConditionSettings.js';
import { Duration, SaveToField, TextWithVariables, Toggle, WordList } from './fields.js';
import { FlowIcon } from './icons.js';
import { bodyLimit, LIMITS } from './limits.js';
import { typeLabel } from './nodeTypes.js';
import { OptionsEditor } from './OptionsEditor.js';
import { RetryTimeout } from './RetryTimeout.js';
import { WebhookSettings } from './WebhookSettings.js';

/** @param {Event} e */
const valueOf = (e) => /** @type {HTMLInputElement} */ (e.currentTarget).value;

const ANSWER_TYPES = ['text', 'number', 'email', 'cpf_cnpj', 'phone', 'date', 'option'];

/**
 * The settings of the selected node, by its type. Every change goes straight into the draft (autosaved).
 * @param {{ node: import('./types.js').FlowNode, issues: import('./types.js').Issue[], variables: string[], readOnly?: boolean,
 *   onChange: (data: Record<string, any>) => void, onDelete: () => void }} props
 */
export function NodeSettings({ node, issues, variables, readOnly, onChange, onDelete }) {
  const d = node.data;
  /** @param {Record<string, any>} patch */
  const set = (patch) => onChange({ ...d, ...patch });
  return html`<div class="fs" data-testid="node-settings" data-node-id=${node.id} data-type=${node.type}>
    <header class=${`fs-head fn-${node.type}`}>
      <span class="fn-icon"><${FlowIcon} name=${node.type} size=${16} /></span>
      <h3>${typeLabel(node.type)}</h3>
      ${node.type !== 'start' && !readOnly && html`<button type="button" class="btn btn-sm btn-ghost btn-danger" onClick=${onDelete} data-testid="node-delete">
        <${FlowIcon} name="trash" size=${14} />${t('common.delete')}</button>`}
    </header>
    ${issues.length > 0 && html`<ul class="fs-issues" data-testid="node-settings-issues">
      ${issues.map((i) => html`<li class=${`fs-issue-${i.severity}`}>${i.message}</li>`)}</ul>`}
    <fieldset class="fs-fields" disabled=${readOnly}>
      ${body(node, d, set, variables)}
    </fieldset>
  </div>`;
}

/**
 * @param {import('./types.js').FlowNode} node
 * @param {Record<string, any>} d
 * @param {(patch: Record<string, any>) => void} set
 * @param {string[]} variables
 */
function body(node, d, set, variables) {
  switch (node.type) {
    case 'start': return html`<p class="muted">${t('flows.start.body')}</p>`;
    case 'message': {
      const opts = d.options ?? [];
      return html`
        <${TextWithVariables} label=${t('flows.message.text')} value=${d.text ?? ''} onInput=${(v) => set({ text: v })} max=${bodyLimit(opts.length)}
          variables=${variables} placeholder=${t('flows.message.placeholder')} testid="node-text" />
        <${MediaField} media=${d.media} onChange=${(m) => set({ media: m })} />
        <${Toggle} label=${t('flows.message.withOptions')} hint=${t('flows.message.withOptionsHint')} checked=${opts.length > 0} testid="message-options-toggle"
          onChange=${(on) => set(on ? { options: [{ id: `o_${Date.now().toString(36)}`, title: '' }] } : { options: undefined, buttonLabel: undefined, retry: undefined, timeout: undefined })} />
        ${opts.length > 0 && html`<${OptionsEditor} options=${opts} buttonLabel=${d.buttonLabel} onChange=${(p) => set(p)} />
          <${RetryTimeout} retry=${d.retry} timeout=${d.timeout} onChange=${(p) => set(p)} />`}`;
    }
    case 'question': {
      const opts = d.answerType === 'option' ? d.options ?? [] : [];
      return html`
        <${TextWithVariables} label=${t('flows.question.text')} value=${d.text ?? ''} onInput=${(v) => set({ text: v })} max=${bodyLimit(opts.length)}
          variables=${variables} placeholder=${t('flows.question.placeholder')} testid="node-text" />
        <label class="field"><span>${t('flows.question.answerType')}</span>
          <select value=${d.answerType} onChange=${(/** @type {Event} */ e) => {
            const answerType = valueOf(e);
            set(answerType === 'option' ? { answerType, options: d.options?.length ? d.options : [] } : { answerType, options: undefined, buttonLabel: undefined });
          }} data-testid="answer-type">
            ${ANSWER_TYPES.map((a) => html`<option value=${a}>${t(/** @type {any} */ (`flows.answer.${a}`))}</option>`)}
          </select></label>
        ${d.answerType === 'option' && html`<${OptionsEditor} options=${opts} buttonLabel=${d.buttonLabel} onChange=${(p) => set(p)} />`}
        <${SaveToField} label=${t('flows.question.saveTo')} value=${d.saveTo} optional onChange=${(v) => set({ saveTo: v })} testid="save-to-name" />
        <${RetryTimeout} retry=${d.retry} timeout=${d.timeout} onChange=${(p) => set(p)} />`;
    }
    case 'condition': return html`<${ConditionSettings} rules=${d.rules ?? []} onChange=${(rules) => set({ rules })} />`;
    case 'delay': return html`<${Duration} label=${t('flows.delay.wait')} seconds=${d.seconds ?? 5} min=${1} max=${30 * 86_400}
      hint=${t('flows.delay.hint')} onChange=${(s) => set({ seconds: s })} testid="delay-seconds" />`;
    case 'webhook': return html`<${WebhookSettings} data=${d} onChange=${set} />`;
    case 'tag': return html`
      <${WordList} label=${t('flows.tag.add')} values=${d.add ?? []} onChange=${(v) => set({ add: v })} testid="tag-add" />
      <${WordList} label=${t('flows.tag.remove')} values=${d.remove ?? []} onChange=${(v) => set({ remove: v })} testid="tag-remove" />`;
    case 'set_field': return html`
      <${SaveToField} label=${t('flows.setField.target')} value=${d.target} onChange=${(v) => set({ target: v ?? { variable: '' } })} testid="set-field-name" />
      <${TextWithVariables} label=${t('flows.setField.value')} value=${d.value ?? ''} onInput=${(v) => set({ value: v })} max=${1000} rows=${2}
        variables=${variables} hint=${t('flows.setField.hint')} testid="set-field-value" />`;
    case 'transfer': {
      const users = directory.value.users.filter((u) => !d.teamId || u.teamIds.includes(d.teamId) || u.role === 'admin');
      return html`
        <label class="field"><span>${t('flows.transfer.team')}</span>
          <select value=${d.teamId ?? ''} onChange=${(/** @type {Event} */ e) => set({ teamId: valueOf(e) || null })} data-testid="transfer-team">
            <option value="">${t('flows.transfer.sameQueue')}</option>
            ${directory.value.teams.map((x) => html`<option value=${x.id}>${x.name}</option>`)}
          </select></label>
        <label class="field"><span>${t('flows.transfer.person')}</span>
          <select value=${d.userId ?? ''} onChange=${(/** @type {Event} */ e) => set({ userId: valueOf(e) || null })} data-testid="transfer-user">
            <option value="">${t('flows.transfer.anyone')}</option>
            ${users.map((u) => html`<option value=${u.id}>${u.name}</option>`)}
          </select><small>${t('flows.transfer.hint')}</small></label>
        <${TextWithVariables} label=${t('flows.transfer.text')} value=${d.text ?? ''} onInput=${(v) => set({ text: v || undefined })} max=${LIMITS.text} rows=${2}
          variables=${variables} placeholder=${t('flows.transfer.placeholder')} />`;
    }
    case 'end': return html`
      <${TextWithVariables} label=${t('flows.end.text')} value=${d.text ?? ''} onInput=${(v) => set({ text: v || undefined })} max=${LIMITS.text} rows=${2}
        variables=${variables} placeholder=${t('flows.end.placeholder')} />
      <${Toggle} label=${t('flows.end.resolve')} hint=${t('flows.end.resolveHint')} checked=${!!d.resolve} onChange=${(v) => set({ resolve: v })} testid="end-resolve" />`;
  }
  return null;
}

/**
 * An image, video, audio or document sent with the message (uploaded like the composer's attachments).
 * @param {{ media: { uploadId: string, type: string } | undefined, onChange: (m: { uploadId: string, type: string } | undefined) => void }} props
 */
function MediaField({ media, onChange }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(/** @type {string | null} */ (null));
  /** @param {Event} e */
  const pick = async (e) => {
    const input = /** @type {HTMLInputElement} */ (e.currentTarget);
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    setBusy(true);
    setError(null);
    try {
      const up = await uploadFile(file);
      const type = ['image', 'video', 'audio'].includes(up.type) ? up.type : 'document';
      onChange({ uploadId: up.id, type });
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return html`<div class="field fs-media">
    <span class="fs-label">${t('flows.message.media')}</span>
    ${media
      ? html`<div class="fs-media-chip"><${FlowIcon} name="media" size=${15} />${t(/** @type {any} */ (`flows.media.${media.type}`))}
          <button type="button" class="link-btn small" onClick=${() => onChange(undefined)}>${t('flows.field.removeShort')}</button></div>`
      : html`<label class="btn btn-sm fs-media-pick">${busy ? html`<span class="spinner spinner-sm"></span>` : html`<${FlowIcon} name="upload" size=${14} />`}
          ${t('flows.message.attach')}<input type="file" class="sr-only" onChange=${pick} disabled=${busy} /></label>`}
    ${error && html`<small class="field-bad">${error}</small>`}
  </div>`;
}
