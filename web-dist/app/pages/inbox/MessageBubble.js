import { html } from 'htm/preact';
import { Icon } from '../../components/Icon.js';
import { bytes, clockTime, dateTime } from '../../lib/format.js';
import { t, tDynamic } from '../../lib/i18n.js';
import { userName } from '../../state/directory.js';

/** @typedef {import('./ConversationView.js').Message} Message */

/**
 * One message. Its text is always rendered as text (Preact escapes it), never as HTML: a customer who
 * writes markup sees it shown literally.
 * @param {{ message: Message, channel: string }} props
 */
export function MessageBubble({ message: m }) {
  const kind = m.direction === 'note' ? 'note' : 'message';
  const cls = m.direction === 'note' ? 'msg msg-note' : m.direction === 'in' ? 'msg msg-in' : 'msg msg-out';
  return html`<div class=${cls} data-testid="message" data-id=${m.id} data-direction=${m.direction} data-status=${m.status} data-kind=${kind}>
    ${m.direction === 'note' && html`<div class="note-label"><${Icon} name="note" size=${13} />${t('msg.note')} · ${userName(m.senderUserId) ?? ''}</div>`}
    ${m.direction === 'out' && author(m) && html`<div class="msg-author">${author(m)}</div>`}
    <${Media} m=${m} />
    ${content(m)}
    <${Choices} m=${m} />
    <div class="msg-meta">
      <time datetime=${m.at} title=${dateTime(m.at)}>${clockTime(m.at)}</time>
      ${m.direction === 'out' && html`<${Status} m=${m} />`}
    </div>
    ${m.status === 'failed' && m.error && html`<div class="msg-error" data-testid="message-error"><${Icon} name="alert" size=${14} />
      <span>${m.error.title ?? m.error.code}${m.error.detail ? `: ${m.error.detail}` : ''} (${m.error.code})</span></div>`}
  </div>`;
}

/** Who sent an outbound message, when it was not the customer's own thread owner. @param {Message} m */
function author(m) {
  if (m.origin === 'bot') return t('msg.bot');
  if (m.origin === 'campaign') return t('msg.campaign');
  if (m.origin === 'business_app') return t('msg.fromPhone');
  return userName(m.senderUserId);
}

/** @param {Message} m */
function content(m) {
  const text = m.body ?? (m.type === 'text' ? '' : null);
  if (text !== null && text !== '') return html`<div class="msg-text">${text}</div>`;
  if (m.media) return null;
  if (m.type === 'template') return html`<div class="msg-text muted">${t('msg.template', { name: m.payload?.template?.name ?? m.payload?.name ?? '' })}</div>`;
  if (m.type === 'location') {
    const p = m.payload ?? {};
    return html`<div class="msg-text">📍 ${p.name ?? t('msg.location')} ${p.address ?? ''} (${p.latitude}, ${p.longitude})</div>`;
  }
  if (m.type === 'reaction') return html`<div class="msg-text muted">${t('msg.reaction', { emoji: m.payload?.emoji ?? '' })}</div>`;
  return html`<div class="msg-text muted">${t('msg.unsupported', { type: m.type })}</div>`;
}

/**
 * A bot's menu: the buttons, list rows or quick replies under its text, as small muted chips; under a
 * customer's tap, a note that it was a choice. @param {{ m: Message }} props
 */
function Choices({ m }) {
  if (m.type !== 'interactive') return null;
  if (m.direction === 'in') return html`<div class="muted" style="font-size: 12px" data-testid="message-choice">${t('msg.choseOption')}</div>`;
  /** @type {{ kind?: string, button?: string, options?: Array<{ id: string, title: string, description?: string }> }} */
  const r = m.payload?.interactive ?? {};
  if (!Array.isArray(r.options) || r.options.length === 0) return null;
  return html`<div style="display: flex; flex-wrap: wrap; gap: 4px; margin-top: 6px" aria-label=${t('msg.options')} data-testid="message-options" data-kind=${r.kind ?? ''}>
    ${r.kind === 'list' && r.button && html`<span class="badge muted" style="width: 100%; background: none; padding-left: 0">${t('msg.listButton', { label: r.button })}</span>`}
    ${r.options.map((o) => html`<span class="badge" key=${o.id} title=${o.description ?? ''}>${o.title}</span>`)}
  </div>`;
}

/** Images, audio, video and documents by the appliance's authenticated URL. @param {{ m: Message }} props */
function Media({ m }) {
  const media = m.media;
  if (!media) return null;
  if (media.status === 'pending') return html`<div class="media-pending">${t('msg.mediaPending')}</div>`;
  if (media.status === 'failed' || !media.url) return html`<div class="media-pending">${t('msg.mediaFailed')}</div>`;
  const mime = media.mimeType ?? '';
  if (m.type === 'image' || m.type === 'sticker' || mime.startsWith('image/')) {
    return html`<a href=${media.url} target="_blank" rel="noopener"><img class="media-img" src=${media.url} alt=${media.filename ?? m.type} loading="lazy" /></a>`;
  }
  if (m.type === 'audio' || mime.startsWith('audio/')) return html`<audio class="media-audio" controls preload="none" src=${media.url}></audio>`;
  if (m.type === 'video' || mime.startsWith('video/')) return html`<video class="media-video" controls preload="metadata" src=${media.url}></video>`;
  return html`<a class="media-doc" href=${media.url} download=${media.filename ?? ''}>
    <${Icon} name="file" size=${22} /><span><strong>${media.filename ?? t('msg.download')}</strong><br /><small class="muted">${bytes(media.size)}</small></span></a>`;
}

/** @param {{ m: Message }} props */
function Status({ m }) {
  const label = tDynamic(`msg.status.${m.status}`);
  if (m.status === 'read') return html`<span class="status-read" title=${label} aria-label=${label}><${Icon} name="checks" size=${15} /></span>`;
  if (m.status === 'delivered') return html`<span title=${label} aria-label=${label}><${Icon} name="checks" size=${15} /></span>`;
  if (m.status === 'sent') return html`<span title=${label} aria-label=${label}><${Icon} name="check" size=${15} /></span>`;
  if (m.status === 'failed') return html`<span class="status-failed" title=${label} aria-label=${label}><${Icon} name="alert" size=${14} /></span>`;
  return html`<span title=${label} aria-label=${label}><${Icon} name="clock" size=${13} /></span>`;
}
