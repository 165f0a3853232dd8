import { html } from 'htm/preact';
import { useEffect } from 'preact/hooks';
import { number, phone } from '../../lib/format.js';
import { t, tDynamic } from '../../lib/i18n.js';
import { directory, loadDirectory } from '../../state/directory.js';
import { fieldLabel, numberLimit } from './campaign.js';

/**
 * What a campaign is set to, in sentences: number, audience, template, pacing, window and replies —
 * readable at any status, so a campaign can be looked at after it started. With `onEdit`, each part
 * links to its wizard step.
 * @param {{ campaign: import('./types.js').Campaign, connection: import('./types.js').Connection | null, onEdit?: (step: import('./CampaignWizard.js').Step) => void }} props
 */
export function CampaignSummary({ campaign: c, connection, onEdit }) {
  useEffect(() => { void loadDirectory(); }, []);
  const team = c.teamId ? directory.value.teams.find((x) => x.id === c.teamId)?.name ?? '…' : null;
  const edit = (/** @type {import('./CampaignWizard.js').Step} */ step) => onEdit && html`<button type="button" class="link-btn small" onClick=${() => onEdit(step)} data-testid=${`summary-edit-${step}`}>${t('common.edit')}</button>`;
  const w = c.sendWindow;
  return html`<div class="card card-pad cmp-summary" data-testid="campaign-summary">
    <h2 class="card-title">${t('cmp.sum.title')}</h2>
    <dl>
      <div><dt>${t('cmp.sum.number')}</dt><dd>${connection ? `${connection.name}${connection.displayPhoneNumber ? ` · ${phone(connection.displayPhoneNumber.replace(/\D/g, ''))}` : ''}` : '—'}</dd></div>
      <div><dt>${t('cmp.sum.audience')} ${edit('audience')}</dt><dd>${audienceText(c.audience)}
        <small class="muted">${[c.requireConsent ? t('cmp.sum.consentOnly') : t('cmp.sum.consentNot'), c.excludeOpenConversations ? t('cmp.sum.skipOpen') : null].filter(Boolean).join(' · ')}</small></dd></div>
      <div><dt>${t('cmp.sum.template')} ${edit('template')}</dt><dd>${c.template
        ? html`<span class="mono">${c.template.name}</span> <small class="muted">${c.template.language} · ${tDynamic(`cmp.category.${c.template.category}`)}</small>`
        : html`<span class="text-warn">${t('cmp.sum.noTemplate')}</span>`}</dd></div>
      <div><dt>${t('cmp.sum.pace')} ${edit('pacing')}</dt><dd>${t('cmp.sum.rate', { rate: number(c.ratePerSecond ?? numberLimit(connection)) })}
        ${c.dailyCap ? html`<small class="muted">${t('cmp.sum.cap', { cap: number(c.dailyCap) })}</small>` : null}</dd></div>
      <div><dt>${t('cmp.sum.window')}</dt><dd>${w
        ? html`${w.days.map((d) => t(/** @type {any} */ (`dayShort.${d}`))).join(', ')} · ${w.from}–${w.to}<small class="muted">${w.timezone}</small>`
        : t('cmp.sum.anyTime')}</dd></div>
      <div><dt>${t('cmp.sum.replies')}</dt><dd>${c.flowId ? t('cmp.sum.repliesFlow') : team ? t('cmp.sum.repliesTeam', { team }) : t('cmp.sum.repliesDefault')}
        <small class="muted">${t('cmp.sum.attribution', { hours: c.attributionHours })}</small></dd></div>
    </dl>
  </div>`;
}

/** The audience in words. @param {any} a */
export function audienceText(a) {
  if (!a || !a.kind) return t('cmp.sum.audienceAll');
  if (a.kind === 'import') return t('cmp.sum.audienceImport');
  /** @type {string[]} */
  const parts = [];
  if (a.tags?.any?.length) parts.push(t('cmp.sum.tagsAny', { tags: a.tags.any.join(', ') }));
  if (a.tags?.all?.length) parts.push(t('cmp.sum.tagsAll', { tags: a.tags.all.join(', ') }));
  if (a.tags?.none?.length) parts.push(t('cmp.sum.tagsNone', { tags: a.tags.none.join(', ') }));
  for (const f of a.fields ?? []) parts.push(`${fieldLabel(f.name)} ${tDynamic(`cmp.op.${f.op}`)}${f.value !== undefined && f.value !== '' ? ` “${f.value}”` : ''}`);
  if (a.lastActivityDays?.within) parts.push(t('cmp.sum.activeWithin', { days: a.lastActivityDays.within }));
  if (a.lastActivityDays?.notWithin) parts.push(t('cmp.sum.quietFor', { days: a.lastActivityDays.notWithin }));
  if (a.openConversation === 'only') parts.push(t('cmp.sum.openOnly'));
  if (a.openConversation === 'exclude') parts.push(t('cmp.sum.openExclude'));
  return parts.length ? parts.join('; ') : t('cmp.sum.audienceAll');
}
