import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { Icon } from '../../components/Icon.js';
import { toast } from '../../components/Toast.js';
import { api, uploadFile } from '../../lib/api.js';
import { loadDraft, saveDraft } from '../../lib/drafts.js';
import { errorText } from '../../lib/errors.js';
import { checkForm } from '../../lib/forms.js';
import { bytes, duration } from '../../lib/format.js';
import { t } from '../../lib/i18n.js';
import { isRestricted } from '../../state/license.js';
import { matchQuickReplies } from '../../state/quickReplies.js';
import { me } from '../../state/session.js';
import { TemplatePicker } from './TemplatePicker.js';

/**
 * @typedef {import('../../state/inbox.js').Conversation} Conversation
 * @typedef {import('./ConversationView.js').Message} Message
 * @typedef {{ id: string, type: string, mimeType: string, size: number, filename: string | null }} Upload
 */

/**
 * Replies and internal notes. Enter sends, Shift+Enter is a new line, `/` opens the quick replies.
 * The 24-hour rule (on Instagram, the attendant's 7 days after it) and a restricted license are shown before anyone types. What is typed is kept as a
 * draft per conversation (lib/drafts.js) and put back if a send fails.
 * @param {{ conversation: Conversation, disabled: boolean, onPending: (m: Message) => void, onSettled: (clientId: string, m: Message | null) => void, onSchedule?: (text: string) => void }} props
 */
export function Composer({ conversation: c, disabled, onPending, onSettled, onSchedule }) {
  const [mode, setMode] = useState(/** @type {'reply'|'note'} */ ('reply'));
  const draftKey = mode === 'note' ? `${c.id}:note` : c.id;
  const [text, setText] = useState(() => loadDraft(c.id));
  const [upload, setUpload] = useState(/** @type {Upload | null} */ (null));
  const [uploading, setUploading] = useState(/** @type {string | null} */ (null));
  const [pick, setPick] = useState(0);
  const [qrClosed, setQrClosed] = useState(false);
  const [now, setNow] = useState(Date.now());
  const [template, setTemplate] = useState({ name: '', language: 'pt_BR' });
  const [choice, setChoice] = useState(/** @type {import('./TemplatePicker.js').Choice} */ ({ template: null, params: {}, complete: false }));
  const [noTemplates, setNoTemplates] = useState(false);
  const [sendingTemplate, setSendingTemplate] = useState(false);
  const box = useRef(/** @type {HTMLTextAreaElement | null} */ (null));
  const fileInput = useRef(/** @type {HTMLInputElement | null} */ (null));

  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  useEffect(() => { setText(loadDraft(draftKey)); }, [draftKey]);
  // Grows with the text up to a few lines (CSSOM, which the CSP allows, unlike style attributes).
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight + 2, 180)}px`;
  }, [text, mode]);

  const restricted = isRestricted();
  const windowEnds = c.serviceWindowEndsAt ? Date.parse(c.serviceWindowEndsAt) : 0;
  const inWindow = windowEnds > now;
  // Instagram: past the 24 hours an attendant may still reply for 7 days (the server tags it HUMAN_AGENT).
  const agentEnds = c.humanAgentWindowEndsAt ? Date.parse(c.humanAgentWindowEndsAt) : 0;
  const agentWindow = !inWindow && agentEnds > now;
  const canReply = inWindow || agentWindow;
  const resolved = c.status === 'resolved';
  const blocked = restricted || disabled || resolved || (mode === 'reply' && !canReply);

  /** @param {string} value */
  const change = (value) => {
    setText(value);
    saveDraft(draftKey, value);
    setQrClosed(false);
    setPick(0);
  };

  /** @param {'reply'|'note'} next */
  const switchMode = (next) => {
    setMode(next);
    requestAnimationFrame(() => box.current?.focus());
  };

  const qrQuery = mode === 'reply' && !qrClosed && /^\/\S*$/.test(text) ? text.slice(1) : null;
  const options = qrQuery === null ? [] : matchQuickReplies(qrQuery);

  /** @param {import('../../state/quickReplies.js').QuickReply} r */
  const useQuickReply = (r) => {
    change(r.text);
    setQrClosed(true);
    box.current?.focus();
  };

  const send = async () => {
    const body = text.trim();
    if (blocked || (!body && !upload)) return;
    const clientId = crypto.randomUUID();
    const user = me.value;
    /** @type {Message} */
    const pending = {
      id: `pending-${clientId}`, conversationId: c.id, direction: mode === 'note' ? 'note' : 'out', origin: 'agent', senderUserId: user?.id ?? null,
      clientId, type: upload ? upload.type : 'text', body: body || null, payload: null, status: 'sending', error: null,
      media: null, at: new Date().toISOString(), sentAt: null, deliveredAt: null, readAt: null, failedAt: null,
    };
    const typed = text;
    const attached = upload;
    change('');
    setUpload(null);
    onPending(pending);
    try {
      const m = mode === 'note'
        ? await api('POST', `/api/conversations/${c.id}/notes`, { text: body })
        : await api('POST', `/api/conversations/${c.id}/messages`, attached
          ? { clientId, type: attached.type, uploadId: attached.id, ...(body ? { caption: body } : {}) }
          : { clientId, type: 'text', text: body });
      onSettled(clientId, mode === 'note' ? { ...m, clientId } : m);
    } catch (err) {
      onSettled(clientId, null);
      // Nothing typed is lost: the text (and the attachment) come back unless something new was typed.
      if (!box.current?.value) change(typed);
      if (attached) setUpload(attached);
      toast(t('composer.sendFailed', { error: errorText(err) }), 'error');
    }
  };

  /** @param {KeyboardEvent} e */
  const onKey = (e) => {
    if (options.length) {
      if (e.key === 'ArrowDown') { e.preventDefault(); setPick((pick + 1) % options.length); return; }
      if (e.key === 'ArrowUp') { e.preventDefault(); setPick((pick - 1 + options.length) % options.length); return; }
      if (e.key === 'Enter' || e.key === 'Tab') { e.preventDefault(); const r = options[pick]; if (r) useQuickReply(r); return; }
      if (e.key === 'Escape') { e.preventDefault(); setQrClosed(true); return; }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      void send();
    }
  };

  /** @param {Event} e */
  const onFile = async (e) => {
    const input = /** @type {HTMLInputElement} */ (e.currentTarget);
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    setUploading(file.name);
    try {
      setUpload(await uploadFile(file));
    } catch (err) {
      toast(errorText(err), 'error');
    } finally {
      setUploading(null);
    }
  };

  const sendTemplate = async () => {
    const clientId = crypto.randomUUID();
    try {
      const m = await api('POST', `/api/conversations/${c.id}/messages`, { clientId, type: 'template', template: { name: template.name.trim(), language: template.language.trim() } });
      onSettled(clientId, m);
      setTemplate({ ...template, name: '' });
    } catch (err) {
      toast(errorText(err), 'error');
    }
  };

  /** A synced template with its parameters (the picker); the server checks it again. */
  const sendStoredTemplate = async () => {
    if (!choice.template || !choice.complete || sendingTemplate) return;
    const clientId = crypto.randomUUID();
    setSendingTemplate(true);
    try {
      const m = await api('POST', `/api/conversations/${c.id}/messages`, { clientId, type: 'template', templateId: choice.template.id, params: choice.params });
      onSettled(clientId, m);
    } catch (err) {
      toast(t('composer.sendFailed', { error: errorText(err) }), 'error');
    } finally {
      setSendingTemplate(false);
    }
  };

  const instagram = c.connection.channel === 'instagram';
  const reason = restricted ? 'restricted' : resolved ? 'resolved' : mode === 'reply' && !canReply ? 'window' : null;

  return html`<footer class=${`composer ${mode === 'note' ? 'note-mode' : ''}`} data-testid="composer">
    <div class="composer-tabs" role="tablist">
      <button type="button" role="tab" aria-selected=${mode === 'reply'} class=${mode === 'reply' ? 'active' : ''} data-testid="mode-reply" onClick=${() => switchMode('reply')}>${t('composer.reply')}</button>
      <button type="button" role="tab" aria-selected=${mode === 'note'} class=${`note-tab ${mode === 'note' ? 'active' : ''}`} data-testid="mode-note" onClick=${() => switchMode('note')}>${t('composer.note')}</button>
      ${onSchedule && mode === 'reply' && html`<button type="button" class="composer-schedule" data-testid="schedule-open" title=${t('sched.actionTitle')}
        disabled=${restricted || disabled} onClick=${() => onSchedule(text.trim())}><${Icon} name="clock" size=${14} />${t('sched.action')}</button>`}
    </div>
    ${reason && html`<div class=${`composer-blocked ${reason === 'restricted' ? 'restricted' : ''}`} data-testid="composer-blocked" data-reason=${reason} role="note">
      <${Icon} name=${reason === 'restricted' ? 'lock' : reason === 'window' ? 'clock' : 'info'} />
      <span>${reason === 'restricted' ? t('composer.restricted') : reason === 'resolved' ? t('composer.resolved') : instagram ? t('composer.outsideWindowInstagram') : c.serviceWindowEndsAt ? t('composer.outsideWindow') : t('composer.notWrittenYet')}</span>
    </div>`}
    ${reason === 'window' && !instagram && html`<div class="tpl-compose" data-testid="template-compose">
      <${TemplatePicker} key=${c.connection.id} connectionId=${c.connection.id} onChange=${setChoice} onNone=${setNoTemplates} />
      ${choice.template && html`<div class="tpl-actions">
        ${!choice.complete && html`<span class="muted small">${t('tpl.fillAll')}</span>`}
        <button type="button" class="btn btn-primary" data-testid="template-send" disabled=${!choice.complete || sendingTemplate} onClick=${() => void sendStoredTemplate()}>
          <${Icon} name="send" size=${16} />${t('tpl.send')}</button>
      </div>`}
      ${noTemplates && html`<p class="muted small tpl-none">${t('tpl.none')}</p>`}
    </div>`}
    ${reason === 'window' && !instagram && noTemplates && html`<form novalidate class="composer-row template-form" data-testid="template-form" onSubmit=${(/** @type {Event} */ e) => {
      e.preventDefault();
      const problem = checkForm(/** @type {HTMLFormElement} */ (e.currentTarget));
      if (problem) toast(problem, 'error');
      else void sendTemplate();
    }}>
      <input type="text" placeholder=${t('composer.templateName')} aria-label=${t('composer.templateName')} value=${template.name} required pattern="[a-z0-9_]+"
        onInput=${(/** @type {any} */ e) => setTemplate({ ...template, name: e.currentTarget.value })} />
      <input type="text" class="lang-input" aria-label=${t('composer.templateLanguage')} value=${template.language}
        onInput=${(/** @type {any} */ e) => setTemplate({ ...template, language: e.currentTarget.value })} />
      <button class="btn btn-primary" type="submit" disabled=${!template.name.trim()}><${Icon} name="template" size=${16} />${t('composer.sendTemplate')}</button>
    </form>`}
    ${!reason && mode === 'reply' && c.botActive && html`<div class="composer-bot" data-testid="composer-bot-hint" role="note">
      <${Icon} name="bot" size=${15} /><span>${t('composer.botActive')}</span>
    </div>`}
    ${(upload || uploading) && html`<div class="attachment-chip" data-testid="attachment">
      <${Icon} name="file" size=${14} /> ${uploading ? t('composer.uploading') : `${upload?.filename ?? upload?.type} · ${bytes(upload?.size ?? null)}`}
      ${upload && html`<button type="button" class="icon-btn" aria-label=${t('composer.removeAttachment')} onClick=${() => setUpload(null)}><${Icon} name="x" size=${14} /></button>`}
    </div>`}
    ${reason !== 'window' || mode === 'note' ? html`<div class="composer-row">
      ${mode === 'reply' && html`<button type="button" class="icon-btn" aria-label=${t('composer.attach')} title=${t('composer.attach')} disabled=${blocked || !!uploading}
        onClick=${() => fileInput.current?.click()}><${Icon} name="paperclip" /></button>
        <input type="file" class="sr-only" ref=${fileInput} data-testid="attach-input" tabindex="-1" onChange=${onFile} />`}
      <div class="composer-box">
        ${options.length > 0 && html`<div class="qr-pop" role="listbox" data-testid="quick-replies">
          ${options.map((r, i) => html`<button type="button" role="option" key=${r.id} aria-selected=${i === pick} class=${i === pick ? 'active' : ''}
            data-testid="quick-reply-option" data-shortcut=${r.shortcut} onMouseDown=${(/** @type {Event} */ e) => { e.preventDefault(); useQuickReply(r); }}>
            <strong>/${r.shortcut}</strong><span>${r.text}</span></button>`)}
        </div>`}
        ${qrQuery !== null && qrQuery.length > 0 && !options.length && html`<div class="qr-pop"><div class="list-empty small">${t('composer.noQuickReplies', { q: qrQuery })}</div></div>`}
        <textarea ref=${box} rows="1" data-testid="composer-input" value=${text} disabled=${blocked}
          placeholder=${upload ? t('composer.caption') : mode === 'note' ? t('composer.notePlaceholder') : t('composer.placeholder')}
          aria-label=${mode === 'note' ? t('composer.note') : t('composer.reply')}
          onInput=${(/** @type {any} */ e) => change(e.currentTarget.value)} onKeyDown=${onKey}></textarea>
      </div>
      <button type="button" class="btn btn-primary" data-testid="send" disabled=${blocked || (!text.trim() && !upload)} onClick=${() => void send()}
        aria-label=${mode === 'note' ? t('composer.addNote') : t('composer.send')}>
        <${Icon} name=${mode === 'note' ? 'note' : 'send'} size=${16} /></button>
    </div>
    <div class="composer-hint">
      <span>${t('composer.hint')}</span>
      ${mode === 'reply' && inWindow && html`<span class="window-hint" data-testid="window-hint"><${Icon} name="clock" size=${13} />${t('composer.window', { time: duration((windowEnds - now) / 1000) })}</span>`}
      ${mode === 'reply' && agentWindow && html`<span class="window-hint" data-testid="agent-window-hint"><${Icon} name="clock" size=${13} />${t('composer.agentWindow', { time: duration((agentEnds - now) / 1000) })}</span>`}
    </div>` : null}
  </footer>`;
}
