import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { Icon } from '../../components/Icon.js';
import { Modal } from '../../components/Modal.js';
import { api } from '../../lib/api.js';
import { errorText } from '../../lib/errors.js';
import { number } from '../../lib/format.js';
import { t, tDynamic } from '../../lib/i18n.js';
import { useLoad, useSubmit, valueOf } from '../admin/common.js';
import { postFile, whatsAppConnections } from './common.js';

/** The legal bases of LGPD art. 7, in the article's order (server/src/audiences/consent.ts). */
export const LEGAL_BASES = /** @type {const} */ (['consent', 'legal_obligation', 'public_administration', 'research', 'contract', 'legal_proceedings', 'vital_interest', 'health_protection', 'legitimate_interest', 'credit_protection']);

/**
 * @typedef {{ encoding: string, separator: ',' | ';' | '\t', header: string[], rows: { line: number, fields: string[] }[], totalRows: number,
 *   suggested: { phoneColumn: string | null, nameColumn: string | null, columns: Record<string, string> } }} Preview
 * @typedef {{ id: string, filename: string | null, createdAt: string, counts: { totalRows: number, imported: number, merged: number, invalid: number, contacts: number | null },
 *   errors?: { line: number, reason: string }[] }} ImportResult
 */

const keyOf = (/** @type {string} */ header) => header.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 40) || 'coluna';

/**
 * Import a CSV of contacts: the file, a preview with what was detected, the phone and name columns and
 * the columns kept for campaigns, tags and the legal basis, then the counts and the refused lines.
 * @param {{ connectionId?: string, onClose: () => void, onImported?: (r: ImportResult) => void }} props
 */
export function ContactImportDialog({ connectionId: given, onClose, onImported }) {
  const connections = useLoad(async () => whatsAppConnections(await api('GET', '/api/connections')));
  const [connectionId, setConnectionId] = useState(given ?? '');
  const [file, setFile] = useState(/** @type {File | null} */ (null));
  const [preview, setPreview] = useState(/** @type {Preview | null} */ (null));
  const [reading, setReading] = useState(false);
  const [readError, setReadError] = useState(/** @type {string | null} */ (null));
  const [phoneColumn, setPhoneColumn] = useState('');
  const [nameColumn, setNameColumn] = useState('');
  /** Header → the key it has in campaigns, for the ticked columns. */
  const [columns, setColumns] = useState(/** @type {Record<string, string>} */ ({}));
  const [saveFields, setSaveFields] = useState(true);
  const [tags, setTags] = useState('');
  const [consent, setConsent] = useState('');
  const [evidence, setEvidence] = useState('');
  const [result, setResult] = useState(/** @type {ImportResult | null} */ (null));
  const chosen = connectionId || connections.data?.[0]?.id || '';

  /** @param {File} f */
  const read = async (f) => {
    setFile(f);
    setReading(true);
    setReadError(null);
    try {
      /** @type {Preview} */
      const p = await postFile('/api/contacts/import/preview', f);
      setPreview(p);
      setPhoneColumn(p.suggested.phoneColumn ?? '');
      setNameColumn(p.suggested.nameColumn ?? '');
      setColumns(Object.fromEntries(Object.entries(p.suggested.columns).map(([k, h]) => [h, k])));
    } catch (err) {
      setReadError(errorText(err));
      setPreview(null);
    } finally {
      setReading(false);
    }
  };

  const { busy, error, submit } = useSubmit(async () => {
    if (!file || !preview) return;
    const mapping = Object.fromEntries(Object.entries(columns).filter(([h]) => h !== phoneColumn && h !== nameColumn).map(([h, k]) => [k.trim() || keyOf(h), h]));
    const q = new URLSearchParams({ connectionId: chosen, filename: file.name, phoneColumn, nameColumn, columns: JSON.stringify(mapping), saveFields: String(saveFields) });
    if (tags.trim()) q.set('tags', tags);
    if (consent) {
      q.set('consentBasis', consent);
      if (evidence.trim()) q.set('consentEvidence', evidence.trim());
    }
    /** @type {ImportResult} */
    const r = await postFile(`/api/contacts/import?${q}`, file);
    setResult(r);
    onImported?.(r);
  });

  const step = result ? 3 : preview ? 2 : 1;
  const steps = [t('ci.stepFile'), t('ci.stepMap'), t('ci.stepDone')];
  return html`<${Modal} title=${t('ci.title')} onClose=${onClose} wide testid="import-dialog">
    <ol class="ci-steps" aria-label=${t('ci.title')}>
      ${steps.map((s, i) => html`<li class=${i + 1 === step ? 'ci-step-on' : i + 1 < step ? 'ci-step-done' : ''} aria-current=${i + 1 === step ? 'step' : undefined}>
        <span class="ci-step-n">${i + 1 < step ? html`<${Icon} name="check" size=${12} />` : i + 1}</span>${s}</li>`)}
    </ol>

    ${step === 1 && html`<div class="ci-file">
      ${(connections.data?.length ?? 0) > 1 && html`<label class="field"><span>${t('ct.connection')}</span>
        <select value=${chosen} onChange=${(/** @type {Event} */ e) => setConnectionId(valueOf(e))} data-testid="import-connection">
          ${(connections.data ?? []).map((c) => html`<option value=${c.id}>${c.name}${c.displayPhoneNumber ? ` · ${c.displayPhoneNumber}` : ''}</option>`)}
        </select></label>`}
      <label class="field"><span>${t('ci.file')}</span>
        <input type="file" accept=".csv,.txt,.tsv,text/csv,text/plain" data-testid="import-file"
          onChange=${(/** @type {Event} */ e) => { const f = /** @type {HTMLInputElement} */ (e.currentTarget).files?.[0]; if (f) void read(f); }} />
        <small>${t('ci.fileHint')}</small></label>
      ${reading && html`<p class="muted"><span class="spinner spinner-sm"></span> ${t('ci.reading')}</p>`}
      ${readError && html`<p class="form-error" role="alert" data-testid="form-error">${readError}</p>`}
      <div class="form-actions"><button type="button" class="btn" onClick=${onClose}>${t('common.cancel')}</button></div>
    </div>`}

    ${step === 2 && preview && html`<form novalidate onSubmit=${submit} class="ci-map">
      <p class="ci-detected" data-testid="import-detected"><${Icon} name="file" size=${16} /><strong>${file?.name}</strong>
        <span>${t('ci.detected', { encoding: tDynamic(`ci.enc.${preview.encoding}`), separator: tDynamic(`ci.sep.${preview.separator === '\t' ? 'tab' : preview.separator}`), rows: number(preview.totalRows) })}</span></p>
      <div class="ci-preview" role="region" aria-label=${t('ci.preview')} tabindex="0">
        <table class="table table-compact" data-testid="import-preview">
          <thead><tr><th class="ci-line">${t('ci.line')}</th>${preview.header.map((h) => html`<th class=${h === phoneColumn ? 'ci-col-phone' : ''}>${h}</th>`)}</tr></thead>
          <tbody>${preview.rows.map((r) => html`<tr><td class="ci-line muted">${r.line}</td>${preview.header.map((h, i) => html`<td class=${h === phoneColumn ? 'ci-col-phone' : ''}>${r.fields[i] ?? ''}</td>`)}</tr>`)}</tbody>
        </table>
      </div>
      ${error && html`<p class="form-error" role="alert" data-testid="form-error">${error}</p>`}
      <div class="ci-grid">
        <label class="field"><span>${t('ci.phoneColumn')}</span>
          <select required value=${phoneColumn} onChange=${(/** @type {Event} */ e) => setPhoneColumn(valueOf(e))} data-testid="import-phone-column">
            <option value="" disabled>—</option>
            ${preview.header.map((h) => html`<option value=${h}>${h}</option>`)}
          </select></label>
        <label class="field"><span>${t('ci.nameColumn')}</span>
          <select value=${nameColumn} onChange=${(/** @type {Event} */ e) => setNameColumn(valueOf(e))} data-testid="import-name-column">
            <option value="">${t('ci.noName')}</option>
            ${preview.header.map((h) => html`<option value=${h}>${h}</option>`)}
          </select></label>
      </div>
      <fieldset class="field ci-columns">
        <legend>${t('ci.columns')}</legend>
        <small>${t('ci.columnsHint')}</small>
        ${preview.header.filter((h) => h !== phoneColumn && h !== nameColumn).map((h) => html`<div class="ci-column" data-testid="import-column" data-header=${h}>
          <label class="check"><input type="checkbox" checked=${h in columns}
            onChange=${(/** @type {Event} */ e) => {
              const on = /** @type {HTMLInputElement} */ (e.currentTarget).checked;
              const nextColumns = { ...columns };
              if (on) nextColumns[h] = keyOf(h); else delete nextColumns[h];
              setColumns(nextColumns);
            }} /><span>${h}</span></label>
          <span class="ci-arrow" aria-hidden="true">→</span>
          <input type="text" aria-label=${`${t('ci.columnKey')}: ${h}`} disabled=${!(h in columns)} value=${columns[h] ?? keyOf(h)} maxlength="40" spellcheck="false"
            onInput=${(/** @type {Event} */ e) => setColumns({ ...columns, [h]: keyOf(valueOf(e)) === 'coluna' && !valueOf(e) ? '' : valueOf(e).toLowerCase().replace(/[^a-z0-9_]/g, '_') })} />
        </div>`)}
        <label class="check"><input type="checkbox" checked=${saveFields} onChange=${(/** @type {Event} */ e) => setSaveFields(/** @type {HTMLInputElement} */ (e.currentTarget).checked)} /><span>${t('ci.saveFields')}</span></label>
      </fieldset>
      <div class="ci-grid">
        <label class="field"><span>${t('ci.tags')}</span>
          <input type="text" maxlength="1000" placeholder=${t('ci.tagsPlaceholder')} value=${tags} onInput=${(/** @type {Event} */ e) => setTags(valueOf(e))} data-testid="import-tags" />
          <small>${t('ci.tagsHint')}</small></label>
        <label class="field"><span>${t('ci.consent')}</span>
          <select value=${consent} onChange=${(/** @type {Event} */ e) => setConsent(valueOf(e))} data-testid="import-consent">
            <option value="">${t('ci.consentNone')}</option>
            ${LEGAL_BASES.map((b) => html`<option value=${b}>${t(`lgpd.${b}`)}</option>`)}
          </select>
          <small>${t('ci.consentHint')}</small></label>
      </div>
      ${consent && html`<label class="field"><span>${t('ci.evidence')}</span>
        <input type="text" maxlength="500" placeholder=${t('ci.evidencePlaceholder')} value=${evidence} onInput=${(/** @type {Event} */ e) => setEvidence(valueOf(e))} data-testid="import-evidence" /></label>`}
      <div class="form-actions">
        <button type="button" class="btn" onClick=${() => { setPreview(null); setFile(null); }}>${t('ci.back')}</button>
        <button type="submit" class="btn btn-primary" disabled=${busy || !phoneColumn || !chosen} data-testid="import-submit">
          ${busy ? html`<span class="spinner spinner-sm"></span>${t('ci.importing')}` : t('ci.importRows', { rows: number(preview.totalRows) })}</button>
      </div>
    </form>`}

    ${step === 3 && result && html`<div class="ci-result" data-testid="import-result">
      <p class="ci-done"><${Icon} name="check" size=${18} />${t('ci.done')}</p>
      <dl class="ci-counts">
        <div><dt>${t('ci.total')}</dt><dd data-testid="count-total">${number(result.counts.totalRows)}</dd></div>
        <div class="ci-count-good"><dt>${t('ci.imported')}</dt><dd data-testid="count-imported">${number(result.counts.imported)}</dd></div>
        <div><dt title=${t('ci.mergedHint')}>${t('ci.merged')}</dt><dd data-testid="count-merged">${number(result.counts.merged)}</dd></div>
        <div class=${result.counts.invalid ? 'ci-count-bad' : ''}><dt>${t('ci.invalid')}</dt><dd data-testid="count-invalid">${number(result.counts.invalid)}</dd></div>
      </dl>
      <p class="muted small">${t('ci.mergedNote')}</p>
      ${result.errors?.length
        ? html`<h3 class="ci-sub">${t('ci.refused')}</h3>
          <div class="ci-refused"><table class="table table-compact" data-testid="import-refused">
            <thead><tr><th class="ci-line">${t('ci.line')}</th><th>${t('ci.colReason')}</th></tr></thead>
            <tbody>${result.errors.slice(0, 200).map((e) => html`<tr><td class="ci-line">${e.line}</td><td>${tDynamic(`ci.reason.${e.reason}`)}</td></tr>`)}</tbody>
          </table></div>
          ${result.counts.invalid > Math.min(200, result.errors.length) && html`<p class="muted small">${t('ci.refusedMore', { shown: Math.min(200, result.errors.length), total: number(result.counts.invalid) })}</p>`}`
        : html`<p class="notice notice-info">${t('ci.allGood')}</p>`}
      <div class="form-actions"><button type="button" class="btn btn-primary" onClick=${onClose} data-testid="import-close">${t('ci.close')}</button></div>
    </div>`}
  <//>`;
}
