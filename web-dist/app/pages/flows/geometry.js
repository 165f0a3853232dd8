import { outcomesOf } from './outcomes.js';

/**
 * The fixed geometry of a node card, shared by the cards' CSS (styles/flows.css: keep the numbers in
 * step) and the edges: a port's place follows from the node's position and the port's index, so edges
 * are drawn from data, without measuring the DOM.
 */
export const NODE_W = 248;
export const HEAD_H = 38;
export const BODY_H = 48;
export const PORT_H = 26;
export const PORTS_PAD = 6;

/** @param {import('./types.js').FlowNode} n */
export function nodeHeight(n) {
  const ports = outcomesOf(n).length;
  return HEAD_H + BODY_H + (ports ? ports * PORT_H + PORTS_PAD * 2 : 0);
}

/**
 * Where an outcome's edge starts (the right edge of the port's row), in world coordinates.
 * @param {import('./types.js').FlowNode} n
 * @param {string} outcome
 */
export function portPoint(n, outcome) {
  const i = Math.max(0, outcomesOf(n).indexOf(outcome));
  return { x: n.position.x + NODE_W, y: n.position.y + HEAD_H + BODY_H + PORTS_PAD + i * PORT_H + PORT_H / 2 };
}

/** Where edges arrive: the left edge of the card, level with its title. @param {import('./types.js').FlowNode} n */
export function inputPoint(n) {
  return { x: n.position.x, y: n.position.y + HEAD_H / 2 };
}

/**
 * The SVG path of an edge: a horizontal S-curve, or a loop around the cards when it goes backwards.
 * @param {{ x: number, y: number }} a
 * @param {{ x: number, y: number }} b
 */
export function edgePath(a, b) {
  const dx = b.x - a.x;
  if (dx >= 40) {
    const c = Math.max(40, dx / 2);
    return `M${a.x},${a.y} C${a.x + c},${a.y} ${b.x - c},${b.y} ${b.x},${b.y}`;
  }
  // Backwards (a loop to an earlier node): out to the right, over, and into the left side.
  const out = 36 + Math.min(80, Math.abs(dx) / 6);
  const c = Math.max(60, Math.abs(b.y - a.y) / 2);
  return `M${a.x},${a.y} C${a.x + out + c},${a.y} ${b.x - out - c},${b.y} ${b.x},${b.y}`;
}

/** The middle of an edge's curve (for its delete button): the cubic's point at t = 0.5. @param {string} d */
export function pathMiddle(d) {
  const n = d.match(/-?\d+(\.\d+)?/g)?.map(Number) ?? [];
  if (n.length < 8) return { x: n[0] ?? 0, y: n[1] ?? 0 };
  const [x0, y0, x1, y1, x2, y2, x3, y3] = /** @type {number[]} */ (n);
  return { x: (x0 + 3 * x1 + 3 * x2 + x3) / 8, y: (y0 + 3 * y1 + 3 * y2 + y3) / 8 };
}

/**
 * The box around all nodes, for "fit".
 * @param {import('./types.js').FlowNode[]} nodes
 */
export function bounds(nodes) {
  if (!nodes.length) return { x: 0, y: 0, w: NODE_W, h: HEAD_H + BODY_H };
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const n of nodes) {
    x0 = Math.min(x0, n.position.x);
    y0 = Math.min(y0, n.position.y);
    x1 = Math.max(x1, n.position.x + NODE_W);
    y1 = Math.max(y1, n.position.y + nodeHeight(n));
  }
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}
