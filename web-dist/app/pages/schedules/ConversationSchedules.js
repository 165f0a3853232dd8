import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { Icon } from '../../components/Icon.js';
import { api } from '../../lib/api.js';
import { t } from '../../lib/i18n.js';
import { on } from '../../lib/realtime.js';
import { ScheduleDialog } from './ScheduleDialog.js';
import { CancelScheduleDialog, contentText, rhythmText, whenText } from './scheduleUi.js';

/** @typedef {import('./scheduleUi.js').Scheduled} Scheduled */

/**
 * A conversation's pending scheduled messages, a quiet strip over the composer, each with edit and
 * cancel; and the dialog the composer's Agendar opens (`creating` holds the text typed so far).
 * @param {{
 *   conversation: { id: string, serviceWindowEndsAt: string | null, connection: { channel: string } },
 *   creating: string | null, onCreated: () => void, readOnly: boolean
 * }} props
 */
export function ConversationSchedules({ conversation, creating, onCreated, readOnly }) {
  const [items, setItems] = useState(/** @type {Scheduled[]} */ ([]));
  const [editing, setEditing] = useState(/** @type {Scheduled | null} */ (null));
  const [cancelling, setCancelling] = useState(/** @type {Scheduled | null} */ (null));
  const id = conversation.id;

  const load = async () => {
    try {
      const page = await api('GET', `/api/scheduled-messages?conversationId=${id}&status=pending&limit=20`);
      setItems(page.items);
    } catch {
      // The strip is a convenience: the page Agendadas shows the same with its errors.
    }
  };
  useEffect(() => {
    setItems([]);
    void load();
    // A scheduled message that went out arrives as the conversation's new message.
    const off = on('message:new', (/** @type {{ message: { conversationId: string, direction: string } }} */ e) => {
      if (e.message.conversationId === id && e.message.direction === 'out') void load();
    });
    return off;
  }, [id]);

  return html`
    ${items.length > 0 && html`<section class="sched-strip" data-testid="conversation-schedules" aria-label=${t('sched.inConversation')}>
      ${items.map((s) => html`<div class="sched-strip-item" key=${s.id} data-testid="conversation-schedule">
        <${Icon} name="clock" size=${15} />
        <span class="sched-strip-when">${whenText(s.sendAt)}</span>
        <span class="sched-strip-meta">
          ${s.recurrence !== 'none' && html`<span>${t(/** @type {any} */ (`sched.every.${s.recurrence}`))}</span>`}
          ${s.fallbackTemplate && html`<span class="sched-strip-fallback" title=${t('sched.withFallback', { name: s.fallbackTemplate.name })}><${Icon} name="template" size=${13} />${s.fallbackTemplate.name}</span>`}
        </span>
        <span class="sched-strip-actions">
          <button type="button" class="btn btn-sm btn-ghost" data-testid="schedule-edit" disabled=${readOnly} onClick=${() => setEditing(s)}>${t('sched.editAction')}</button>
          <button type="button" class="btn btn-sm btn-ghost sched-cancel-btn" data-testid="schedule-cancel" disabled=${readOnly} title=${t('sched.cancel')} onClick=${() => setCancelling(s)}>${t('sched.cancelShort')}</button>
        </span>
        <span class="sched-strip-text" title=${[contentText(s), rhythmText(s)].filter(Boolean).join(' · ')}>${contentText(s)}</span>
      </div>`)}
    </section>`}
    ${creating !== null && html`<${ScheduleDialog} conversation=${conversation} text=${creating} onClose=${onCreated}
      onSaved=${() => { onCreated(); void load(); }} />`}
    ${editing && html`<${ScheduleDialog} conversation=${conversation} item=${editing} onClose=${() => setEditing(null)}
      onSaved=${() => { setEditing(null); void load(); }} />`}
    ${cancelling && html`<${CancelScheduleDialog} item=${cancelling} onClose=${() => setCancelling(null)}
      onCancelled=${() => { setCancelling(null); void load(); }} />`}`;
}
