import { t } from '../../lib/i18n.js';
import { directory } from '../../state/directory.js';
import { newId } from './ids.js';

/**
 * The node catalogue: for each type its palette entry, its colour family (styles/flows.css `.fn-<type>`),
 * what a new node starts with, and the one-line summary its card shows.
 */

/** @type {import('./types.js').NodeType[]} the palette's order ('start' is never added by hand) */
export const PALETTE = ['message', 'question', 'condition', 'delay', 'webhook', 'tag', 'set_field', 'transfer', 'end'];

/** @param {import('./types.js').NodeType} type */
export const typeLabel = (type) => t(/** @type {any} */ (`flows.type.${type}`));

/**
 * @param {import('./types.js').NodeType} type
 * @returns {Record<string, any>}
 */
export function defaultData(type) {
  switch (type) {
    case 'message': return { text: '' };
    case 'question': return { text: '', answerType: 'text', retry: { max: 2 } };
    case 'condition': return { rules: [{ id: newId('r'), all: [{ subject: 'variable', name: '', op: 'equals', value: '' }] }] };
    case 'delay': return { seconds: 5 };
    case 'webhook': return { url: '', mode: 'sync', timeoutSeconds: 10, map: [] };
    case 'tag': return { add: [], remove: [] };
    case 'set_field': return { target: { variable: '' }, value: '' };
    case 'transfer': return { teamId: null, userId: null };
    case 'end': return { resolve: false };
    default: return {};
  }
}

/** @param {number} s */
export function secondsText(s) {
  if (s % 86_400 === 0) return t('flows.unit.days', { n: s / 86_400 });
  if (s % 3600 === 0) return t('flows.unit.hours', { n: s / 3600 });
  if (s % 60 === 0) return t('flows.unit.minutes', { n: s / 60 });
  return t('flows.unit.seconds', { n: s });
}

/**
 * The card's summary: what the node says or does, in a few words.
 * @param {import('./types.js').FlowNode} n
 * @returns {string}
 */
export function summary(n) {
  const d = n.data ?? {};
  switch (n.type) {
    case 'start': return t('flows.summary.start');
    case 'message': case 'question': return d.text?.trim() || (d.media ? t('flows.summary.media') : t('flows.summary.noText'));
    case 'condition': return d.rules?.length ? t('flows.summary.rules', { n: d.rules.length }) : t('flows.summary.noRules');
    case 'delay': return t('flows.summary.delay', { time: secondsText(d.seconds ?? 0) });
    case 'webhook': return d.url ? `${d.mode === 'async' ? 'async · ' : ''}${d.url}` : t('flows.summary.noUrl');
    case 'tag': {
      const parts = [...(d.add ?? []).map((/** @type {string} */ x) => `+${x}`), ...(d.remove ?? []).map((/** @type {string} */ x) => `−${x}`)];
      return parts.length ? parts.join('  ') : t('flows.summary.noTags');
    }
    case 'set_field': {
      const name = d.target?.variable ?? (d.target?.contactField ? `contato.${d.target.contactField}` : '');
      return name ? `${name} = ${d.value ?? ''}` : t('flows.summary.noField');
    }
    case 'transfer': {
      const user = directory.value.users.find((u) => u.id === d.userId)?.name;
      const team = directory.value.teams.find((x) => x.id === d.teamId)?.name;
      return user ? t('flows.summary.toPerson', { name: user }) : team ? t('flows.summary.toTeam', { name: team }) : t('flows.summary.toQueue');
    }
    case 'end': return d.resolve ? t('flows.summary.endResolve') : t('flows.summary.end');
  }
  return '';
}
