import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { Icon } from '../../components/Icon.js';
import { toast } from '../../components/Toast.js';
import { api } from '../../lib/api.js';
import { errorText } from '../../lib/errors.js';
import { initials, phone, shortTime } from '../../lib/format.js';
import { t } from '../../lib/i18n.js';
import { isRestricted } from '../../state/license.js';

/**
 * @typedef {{ id: string, connectionId: string, name: string | null, savedName: string | null, profileName: string | null,
 *   externalId: string, tags: string[], customFields: Record<string, string> }} Contact
 */

/**
 * Who the customer is: name, phone, tags, custom fields, and their conversations.
 * @param {{ contactId: string, conversationId: string, onClose: () => void }} props
 */
export function ContactPanel({ contactId, conversationId, onClose }) {
  const [contact, setContact] = useState(/** @type {Contact | null} */ (null));
  const [past, setPast] = useState(/** @type {import('../../state/inbox.js').Conversation[]} */ ([]));
  const [name, setName] = useState('');
  const [tag, setTag] = useState('');
  const [field, setField] = useState({ key: '', value: '' });
  const readOnly = isRestricted();

  useEffect(() => {
    api('GET', `/api/contacts/${contactId}`).then((c) => { setContact(c); setName(c.savedName ?? ''); }).catch((err) => toast(errorText(err), 'error'));
    api('GET', `/api/contacts/${contactId}/conversations?limit=20`).then((p) => setPast(p.items)).catch(() => setPast([]));
  }, [contactId, conversationId]);

  /** @param {Record<string, unknown>} patch */
  const save = async (patch) => {
    try {
      const c = await api('PATCH', `/api/contacts/${contactId}`, patch);
      setContact(c);
      return true;
    } catch (err) {
      toast(errorText(err), 'error');
      return false;
    }
  };

  if (!contact) return html`<aside class="side" data-testid="contact-panel" aria-busy="true"></aside>`;
  const isPhone = /^\d{8,15}$/.test(contact.externalId);

  /** @param {SubmitEvent} e */
  const addTag = async (e) => {
    e.preventDefault();
    const value = tag.trim().toLowerCase();
    if (!value || contact.tags.includes(value)) return setTag('');
    if (await save({ tags: [...contact.tags, value] })) setTag('');
  };
  /** @param {SubmitEvent} e */
  const addField = async (e) => {
    e.preventDefault();
    const key = field.key.trim().toLowerCase().replace(/[^a-z0-9_]+/g, '_');
    if (!key) return;
    if (await save({ customFields: { ...contact.customFields, [key]: field.value } })) setField({ key: '', value: '' });
  };

  return html`<aside class="side" data-testid="contact-panel">
    <div class="side-id">
      <button type="button" class="icon-btn only-phone" aria-label=${t('common.close')} onClick=${onClose}><${Icon} name="x" /></button>
      <span class="avatar avatar-lg">${initials(contact.name)}</span>
      <strong data-testid="contact-name">${contact.name ?? phone(contact.externalId)}</strong>
      <span class="muted">${isPhone ? phone(contact.externalId) : `@${contact.profileName ?? contact.externalId}`}</span>
    </div>
    <section>
      <h3>${t('contact.name')}</h3>
      <form novalidate class="name-form" onSubmit=${(/** @type {Event} */ e) => { e.preventDefault(); void save({ name: name.trim() || null }).then((ok) => ok && toast(t('common.saved'), 'success')); }}>
        <input type="text" value=${name} placeholder=${contact.profileName ?? ''} disabled=${readOnly} aria-label=${t('contact.name')}
          onInput=${(/** @type {any} */ e) => setName(e.currentTarget.value)} />
        <button class="btn btn-sm" type="submit" disabled=${readOnly || name.trim() === (contact.savedName ?? '')}>${t('common.save')}</button>
      </form>
    </section>
    <section>
      <h3>${t('contact.tags')}</h3>
      <div class="tags" data-testid="contact-tags">
        ${contact.tags.map((tg) => html`<span class="tag" key=${tg}>${tg}
          <button type="button" aria-label=${`${t('common.delete')} ${tg}`} disabled=${readOnly} onClick=${() => save({ tags: contact.tags.filter((x) => x !== tg) })}><${Icon} name="x" size=${12} /></button></span>`)}
        <form novalidate onSubmit=${addTag}>
          <input class="tag-input" data-testid="tag-input" value=${tag} maxlength="40" placeholder=${t('contact.addTag')} disabled=${readOnly}
            aria-label=${t('contact.addTag')} onInput=${(/** @type {any} */ e) => setTag(e.currentTarget.value)} />
        </form>
      </div>
    </section>
    <section>
      <h3>${t('contact.fields')}</h3>
      ${Object.keys(contact.customFields).length
        ? html`<dl class="kv small">${Object.entries(contact.customFields).map(([k, v]) => html`<dt key=${`k-${k}`}>${k}</dt><dd key=${`v-${k}`}>${v}
            <button type="button" class="link-btn small" disabled=${readOnly} aria-label=${`${t('common.delete')} ${k}`}
              onClick=${() => { const next = { ...contact.customFields }; delete next[k]; void save({ customFields: next }); }}> ×</button></dd>`)}</dl>`
        : html`<p class="muted small">${t('contact.noFields')}</p>`}
      <form novalidate class="field-form" onSubmit=${addField}>
        <input type="text" placeholder=${t('contact.fieldKey')} value=${field.key} disabled=${readOnly} aria-label=${t('contact.fieldKey')}
          onInput=${(/** @type {any} */ e) => setField({ ...field, key: e.currentTarget.value })} />
        <input type="text" placeholder=${t('contact.fieldValue')} value=${field.value} disabled=${readOnly} aria-label=${t('contact.fieldValue')}
          onInput=${(/** @type {any} */ e) => setField({ ...field, value: e.currentTarget.value })} />
        <button class="btn btn-sm" type="submit" disabled=${readOnly || !field.key.trim()}><${Icon} name="plus" size=${14} /></button>
      </form>
    </section>
    <section>
      <h3>${t('contact.past')}</h3>
      <ul class="past" data-testid="contact-conversations">
        ${past.map((p) => html`<li key=${p.id}><a href=${`/inbox/${p.id}`}>
          <span>${shortTime(p.createdAt)} · ${p.status === 'open' ? t('contact.open') : t('inbox.resolved')}${p.id === conversationId ? ` (${t('contact.current')})` : ''}</span>
          <span class="muted">${p.connection.name}</span></a></li>`)}
      </ul>
    </section>
  </aside>`;
}
