import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { Icon } from '../../components/Icon.js';
import { Modal } from '../../components/Modal.js';
import { toast } from '../../components/Toast.js';
import { api } from '../../lib/api.js';
import { t } from '../../lib/i18n.js';
import { isRestricted } from '../../state/license.js';
import { ConfirmDialog, EmptyState, LoadError, Loading, PageHead, readOnlyTitle, useLoad, useSubmit, valueOf } from './common.js';

/** @typedef {{ id: string, shortcut: string, text: string, updatedAt: string }} QuickReply */

const MAX_TEXT = 4096;

/**
 * Canned answers attendants insert by typing `/` in the composer. Supervisors and admins manage them.
 */
export function QuickRepliesPage() {
  const list = useLoad(async () => /** @type {QuickReply[]} */ ((await api('GET', '/api/quick-replies')).items));
  const [filter, setFilter] = useState('');
  const [dialog, setDialog] = useState(/** @type {null | { kind: 'create' } | { kind: 'edit' | 'delete', reply: QuickReply }} */ (null));
  const locked = isRestricted();
  const items = list.data ?? [];
  const q = filter.trim().replace(/^\//, '').toLowerCase();
  const shown = q ? items.filter((r) => r.shortcut.includes(q) || r.text.toLowerCase().includes(q)) : items;
  const close = () => setDialog(null);

  let body;
  if (list.loading && !list.data) body = html`<${Loading} />`;
  else if (list.error && !list.data) body = html`<${LoadError} error=${list.error} onRetry=${list.reload} />`;
  else if (!items.length) {
    body = html`<${EmptyState} icon="bolt" title=${t('qr.empty')} body=${t('qr.emptyBody')}>
      <button type="button" class="btn btn-primary" disabled=${locked} title=${readOnlyTitle()} onClick=${() => setDialog({ kind: 'create' })}>
        <${Icon} name="plus" />${t('qr.create')}</button>
    <//>`;
  } else {
    body = html`
      <div class="card-toolbar">
        <label class="search-box">
          <${Icon} name="search" />
          <span class="sr-only">${t('common.search')}</span>
          <input type="search" placeholder=${t('qr.search')} value=${filter} onInput=${(/** @type {Event} */ e) => setFilter(valueOf(e))} data-testid="qr-search" />
        </label>
        <span class="muted small">${t('qr.count', { shown: shown.length, total: items.length })}</span>
      </div>
      ${shown.length
        ? html`<table class="table">
          <thead><tr><th class="col-shortcut">${t('qr.shortcut')}</th><th>${t('qr.text')}</th><th class="actions"><span class="sr-only">${t('common.actions')}</span></th></tr></thead>
          <tbody>
            ${shown.map((r) => html`<tr key=${r.id} data-testid="qr-row" data-id=${r.id} data-shortcut=${r.shortcut}>
              <td class="col-shortcut"><code class="shortcut">/${r.shortcut}</code></td>
              <td><div class="qr-text">${r.text}</div></td>
              <td class="actions"><div class="row-actions">
                <button type="button" class="btn btn-sm" disabled=${locked} title=${readOnlyTitle()} onClick=${() => setDialog({ kind: 'edit', reply: r })} data-testid="qr-edit">${t('common.edit')}</button>
                <button type="button" class="btn btn-sm btn-danger" disabled=${locked} title=${readOnlyTitle()} onClick=${() => setDialog({ kind: 'delete', reply: r })} data-testid="qr-delete">${t('common.delete')}</button>
              </div></td>
            </tr>`)}
          </tbody>
        </table>`
        : html`<p class="list-empty">${t('qr.noMatch', { q: filter.trim() })}</p>`}`;
  }

  return html`<section class="page" data-testid="page-quick-replies">
    <${PageHead} title=${t('nav.quickReplies')} subtitle=${t('qr.subtitle')}>
      <button type="button" class="btn btn-primary" disabled=${locked} title=${readOnlyTitle()} onClick=${() => setDialog({ kind: 'create' })} data-testid="qr-create">
        <${Icon} name="plus" />${t('qr.create')}</button>
    <//>
    <div class="notice notice-info notice-icon"><${Icon} name="info" /><span>${t('qr.howTo')}</span></div>
    <div class="card card-table">${body}</div>

    ${(dialog?.kind === 'create' || dialog?.kind === 'edit') && html`<${QuickReplyDialog} reply=${dialog.kind === 'edit' ? dialog.reply : undefined} onClose=${close}
      onSaved=${(/** @type {QuickReply} */ saved) => {
        const rest = items.filter((x) => x.id !== saved.id);
        list.setData([...rest, saved].sort((a, b) => a.shortcut.localeCompare(b.shortcut)));
        toast(dialog.kind === 'edit' ? t('common.saved') : t('qr.created', { shortcut: saved.shortcut }), 'success');
        close();
      }} />`}
    ${dialog?.kind === 'delete' && html`<${ConfirmDialog} title=${t('qr.deleteTitle', { shortcut: dialog.reply.shortcut })} body=${t('qr.deleteBody')}
      confirmLabel=${t('common.delete')} danger onClose=${close}
      onConfirm=${async () => {
        await api('DELETE', `/api/quick-replies/${dialog.reply.id}`);
        list.setData(items.filter((x) => x.id !== dialog.reply.id));
        toast(t('qr.deleted', { shortcut: dialog.reply.shortcut }), 'success');
      }} />`}
  </section>`;
}

/**
 * Create (no `reply`) or edit a quick reply.
 * @param {{ reply?: QuickReply, onClose: () => void, onSaved: (r: QuickReply) => void }} props
 */
function QuickReplyDialog({ reply, onClose, onSaved }) {
  const [shortcut, setShortcut] = useState(reply?.shortcut ?? '');
  const [text, setText] = useState(reply?.text ?? '');
  const clean = shortcut.trim().replace(/^\//, '');
  const validShortcut = /^[a-z0-9_-]{1,32}$/.test(clean);
  const { busy, error, submit } = useSubmit(async () => {
    const saved = reply
      ? await api('PATCH', `/api/quick-replies/${reply.id}`, { shortcut: clean, text })
      : await api('POST', '/api/quick-replies', { shortcut: clean, text });
    onSaved(saved);
  });
  return html`<${Modal} title=${reply ? t('qr.editTitle') : t('qr.createTitle')} onClose=${onClose} wide testid="qr-dialog">
    <form novalidate onSubmit=${submit}>
      ${error && html`<p class="form-error" role="alert" data-testid="form-error">${error}</p>`}
      <label class="field"><span>${t('qr.shortcut')}</span>
        <div class="input-prefix"><span aria-hidden="true">/</span>
          <input type="text" name="shortcut" required maxlength="33" autocomplete="off" spellcheck="false" placeholder=${t('qr.shortcutPlaceholder')}
            value=${shortcut} onInput=${(/** @type {Event} */ e) => setShortcut(valueOf(e).toLowerCase().replace(/\s+/g, '-'))} aria-invalid=${!!clean && !validShortcut} /></div>
        <small class=${clean && !validShortcut ? 'field-bad' : ''}>${t('qr.shortcutHint')}</small></label>
      <label class="field"><span>${t('qr.text')}</span>
        <textarea name="text" required rows="6" maxlength=${MAX_TEXT} placeholder=${t('qr.textPlaceholder')}
          value=${text} onInput=${(/** @type {Event} */ e) => setText(valueOf(e))}></textarea>
        <small class="field-foot"><span>${t('qr.textHint')}</span><span>${text.length} / ${MAX_TEXT}</span></small></label>
      <div class="form-actions">
        <button type="button" class="btn" onClick=${onClose}>${t('common.cancel')}</button>
        <button type="submit" class="btn btn-primary" disabled=${busy || !validShortcut || !text.trim()} data-testid="qr-save">
          ${busy && html`<span class="spinner spinner-sm"></span>`}${reply ? t('common.save') : t('common.create')}</button>
      </div>
    </form>
  <//>`;
}
