import { t } from '../../lib/i18n.js';

/**
 * The outcomes a node leaves by, as server/src/bots/flowDefinition.ts `outcomesOf` says (keep the two
 * in step): 'next', each option id, 'invalid', 'timeout', each condition rule id, 'else', 'error'.
 * @param {import('./types.js').FlowNode} n
 * @returns {string[]}
 */
export function outcomesOf(n) {
  const d = n.data ?? {};
  switch (n.type) {
    case 'start': case 'delay': case 'tag': case 'set_field': return ['next'];
    case 'message': return d.options?.length
      ? [...d.options.map((/** @type {{ id: string }} */ o) => o.id), 'invalid', ...(d.timeout ? ['timeout'] : [])]
      : ['next'];
    case 'question': return [
      ...(d.answerType === 'option' ? (d.options ?? []).map((/** @type {{ id: string }} */ o) => o.id) : ['next']),
      'invalid', ...(d.timeout ? ['timeout'] : []),
    ];
    case 'condition': return [...(d.rules ?? []).map((/** @type {{ id: string }} */ r) => r.id), 'else'];
    case 'webhook': return ['next', 'error', ...(d.mode === 'async' ? ['timeout'] : [])];
    default: return [];
  }
}

/** Outcomes that may stay unconnected: taken with no edge, the conversation goes to the queue's people. */
export const FALLBACK_OUTCOMES = new Set(['invalid', 'timeout', 'error', 'else']);

/**
 * What a port says: the option's title, the rule's label, or the name of a fixed outcome.
 * @param {import('./types.js').FlowNode} n
 * @param {string} outcome
 */
export function outcomeLabel(n, outcome) {
  const d = n.data ?? {};
  switch (outcome) {
    case 'next': return t('flows.out.next');
    case 'invalid': return t('flows.out.invalid');
    case 'timeout': return n.type === 'webhook' ? t('flows.out.noCallback') : t('flows.out.timeout');
    case 'error': return t('flows.out.error');
    case 'else': return t('flows.out.else');
  }
  const option = (d.options ?? []).find((/** @type {{ id: string }} */ o) => o.id === outcome);
  if (option) return option.title || t('flows.out.untitled');
  const rules = d.rules ?? [];
  const i = rules.findIndex((/** @type {{ id: string }} */ r) => r.id === outcome);
  if (i >= 0) return rules[i].label || t('flows.out.rule', { n: i + 1 });
  return outcome;
}

/** The kind of a port, for its colour: a choice, the normal way on, or a fallback. @param {string} outcome */
export function outcomeKind(outcome) {
  if (outcome === 'next') return 'next';
  if (FALLBACK_OUTCOMES.has(outcome)) return 'fallback';
  return 'choice';
}
