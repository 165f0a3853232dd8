import { html } from 'htm/preact';
import { useLayoutEffect, useRef } from 'preact/hooks';
import { t } from '../../lib/i18n.js';
import { FlowIcon } from './icons.js';
import { summary, typeLabel } from './nodeTypes.js';
import { outcomeKind, outcomeLabel, outcomesOf } from './outcomes.js';

/**
 * One node on the canvas: its type, a summary of what it does, a port per outcome (with the outcome's
 * name), and its validation issues (a red or amber mark and the first message under the card). Placed
 * through CSSOM (the page's CSP allows no style attributes); sizes come from geometry.js via the CSS.
 * @param {{
 *   node: import('./types.js').FlowNode,
 *   selected: boolean,
 *   connected: Set<string>,
 *   issues: import('./types.js').Issue[],
 *   target: boolean,
 * }} props
 */
export function NodeCard({ node, selected, connected, issues, target }) {
  const ref = useRef(/** @type {HTMLDivElement | null} */ (null));
  const { x, y } = node.position;
  useLayoutEffect(() => {
    if (ref.current) ref.current.style.transform = `translate(${x}px, ${y}px)`;
  }, [x, y]);
  const errors = issues.filter((i) => i.severity === 'error');
  const worst = errors.length ? 'error' : issues.length ? 'warning' : null;
  const nodeLevel = issues.find((i) => !i.outcome) ?? issues[0];
  const flagged = new Map(issues.filter((i) => i.outcome).map((i) => [i.outcome, i]));
  const classes = ['fn', `fn-${node.type}`, selected && 'fn-selected', worst && `fn-${worst}`, target && 'fn-target'].filter(Boolean).join(' ');
  return html`<div class=${classes} ref=${ref} data-testid="flow-node" data-node-id=${node.id} data-type=${node.type}
    data-issues=${issues.length} role="group" aria-label=${`${typeLabel(node.type)}: ${summary(node)}`}>
    ${node.type !== 'start' && html`<span class="fn-in" aria-hidden="true"></span>`}
    <header class="fn-head">
      <span class="fn-icon"><${FlowIcon} name=${node.type} size=${15} /></span>
      <span class="fn-type">${typeLabel(node.type)}</span>
      ${worst && html`<span class=${`fn-mark fn-mark-${worst}`} title=${issues.map((i) => i.message).join('\n')} data-testid="node-issue-mark">
        ${issues.length}</span>`}
    </header>
    <div class="fn-body"><p class=${`fn-summary ${summary(node) ? '' : 'muted'}`}>${summary(node)}</p></div>
    ${outcomesOf(node).length > 0 && html`<ul class="fn-ports">
      ${outcomesOf(node).map((o) => {
        const issue = flagged.get(o);
        return html`<li key=${o} class=${`fn-port fn-port-${outcomeKind(o)} ${connected.has(o) ? 'fn-port-on' : ''} ${issue ? `fn-port-${issue.severity}` : ''}`}
          data-testid="flow-port" data-outcome=${o} data-connected=${connected.has(o)} title=${issue?.message}>
          <span class="fn-port-label">${outcomeLabel(node, o)}</span>
          <span class="fn-handle" data-testid="port-handle" data-node-id=${node.id} data-outcome=${o}
            aria-label=${t('flows.canvas.dragToConnect', { outcome: outcomeLabel(node, o) })}></span>
        </li>`;
      })}
    </ul>`}
    ${nodeLevel && html`<p class=${`fn-issue fn-issue-${nodeLevel.severity}`} data-testid="node-issue">${nodeLevel.message}</p>`}
  </div>`;
}
