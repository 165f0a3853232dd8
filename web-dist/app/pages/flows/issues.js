import { hasKey, tDynamic } from '../../lib/i18n.js';
import { outcomeLabel } from './outcomes.js';

/**
 * An issue from the server's validation (bots/validateFlow.ts), in the person's language: by its stable
 * code, naming the outcome by its label ("Boleto", "inválido"); the server's English message when we
 * have no words for a code yet.
 * @param {import('./types.js').Issue} issue
 * @param {import('./types.js').FlowNode | undefined} node
 */
export function issueText(issue, node) {
  const key = `flows.issue.${issue.code}`;
  if (!hasKey(key)) return issue.message;
  const outcome = issue.outcome && node ? outcomeLabel(node, issue.outcome) : issue.outcome ?? '';
  return tDynamic(key, { outcome });
}

/**
 * The issues with their messages translated, for the canvas and the panels.
 * @param {import('./types.js').Issue[]} issues
 * @param {import('./types.js').FlowDefinition} def
 */
export function localizeIssues(issues, def) {
  const byId = new Map(def.nodes.map((n) => [n.id, n]));
  return issues.map((i) => ({ ...i, message: issueText(i, i.nodeId ? byId.get(i.nodeId) : undefined) }));
}
