import { NODE_W, nodeHeight } from './geometry.js';
import { outcomesOf } from './outcomes.js';

/**
 * An automatic layered layout, left to right ("Organizar", and on import when positions are missing).
 * Our own, in the spirit of Sugiyama's method that dagre implements, because a flow has at most 200
 * nodes and one source (start), so the simple steps do well: (1) layers by longest path from start over
 * the graph without its back edges (loops back to an earlier question are common in flows); (2) within a
 * layer, nodes in the order of their parents' ports, then a few barycenter sweeps to untangle crossings;
 * (3) each layer stacked with its real card heights, centred on the tallest layer. Nodes no edge
 * reaches go in a last column, so nothing is hidden.
 */

const GAP_X = 84;
const GAP_Y = 36;

/**
 * @param {import('./types.js').FlowDefinition} def
 * @returns {import('./types.js').FlowDefinition} the same definition with new positions
 */
export function autoLayout(def) {
  const byId = new Map(def.nodes.map((n) => [n.id, n]));
  /** @type {Map<string, { to: string, rank: number }[]>} children in port order */
  const out = new Map(def.nodes.map((n) => [n.id, []]));
  for (const n of def.nodes) {
    const order = outcomesOf(n);
    const edges = def.edges.filter((e) => e.from === n.id && byId.has(e.to));
    edges.sort((a, b) => order.indexOf(a.outcome) - order.indexOf(b.outcome));
    out.set(n.id, edges.map((e, rank) => ({ to: e.to, rank })));
  }

  // 1. Back edges by DFS from start (then from any node left), so the rest is acyclic.
  const start = def.nodes.find((n) => n.type === 'start') ?? def.nodes[0];
  /** @type {Set<string>} "from>to" */
  const back = new Set();
  const state = new Map();
  /** @param {string} id */
  const dfs = (id) => {
    state.set(id, 1);
    for (const c of out.get(id) ?? []) {
      const s = state.get(c.to);
      if (s === 1) back.add(`${id}>${c.to}`);
      else if (!s) dfs(c.to);
    }
    state.set(id, 2);
  };
  if (start) dfs(start.id);
  const reached = new Set(state.keys());
  for (const n of def.nodes) if (!state.has(n.id)) dfs(n.id);

  // Longest path layering over forward edges (topological order by Kahn).
  const indeg = new Map(def.nodes.map((n) => [n.id, 0]));
  for (const [from, cs] of out) for (const c of cs) if (!back.has(`${from}>${c.to}`)) indeg.set(c.to, (indeg.get(c.to) ?? 0) + 1);
  const layer = new Map(def.nodes.map((n) => [n.id, 0]));
  const queue = def.nodes.filter((n) => !indeg.get(n.id)).map((n) => n.id);
  while (queue.length) {
    const id = /** @type {string} */ (queue.shift());
    for (const c of out.get(id) ?? []) {
      if (back.has(`${id}>${c.to}`)) continue;
      layer.set(c.to, Math.max(layer.get(c.to) ?? 0, (layer.get(id) ?? 0) + 1));
      indeg.set(c.to, (indeg.get(c.to) ?? 1) - 1);
      if (!indeg.get(c.to)) queue.push(c.to);
    }
  }
  let maxLayer = 0;
  for (const id of reached) maxLayer = Math.max(maxLayer, layer.get(id) ?? 0);
  // Nodes start does not reach: just before the first reached node they lead to, else in a last column.
  for (const n of def.nodes) {
    if (reached.has(n.id)) continue;
    const into = (out.get(n.id) ?? []).filter((c) => reached.has(c.to)).map((c) => layer.get(c.to) ?? 0);
    layer.set(n.id, into.length ? Math.max(1, Math.min(...into) - 1) : maxLayer + 1);
  }

  /** @type {string[][]} */
  const layers = [];
  for (const n of def.nodes) (layers[layer.get(n.id) ?? 0] ??= []).push(n.id);

  // 2. Order: by the parents' place and port rank, then barycenter sweeps.
  const pos = new Map();
  /** @type {Map<string, { from: string, rank: number }[]>} */
  const parents = new Map(def.nodes.map((n) => [n.id, []]));
  for (const [from, cs] of out) for (const c of cs) if (!back.has(`${from}>${c.to}`)) parents.get(c.to)?.push({ from, rank: c.rank });
  const place = () => layers.forEach((l) => l?.forEach((id, i) => pos.set(id, i)));
  place();
  for (let sweep = 0; sweep < 4; sweep++) {
    for (let li = 1; li < layers.length; li++) {
      const l = layers[li];
      if (!l) continue;
      const key = new Map(l.map((id, i) => {
        const ps = parents.get(id) ?? [];
        return [id, ps.length ? ps.reduce((s, p) => s + (pos.get(p.from) ?? 0) + p.rank / 100, 0) / ps.length : i];
      }));
      l.sort((a, b) => (key.get(a) ?? 0) - (key.get(b) ?? 0));
      l.forEach((id, i) => pos.set(id, i));
    }
  }

  // 3. Coordinates: columns by layer, stacked by real heights, each column centred.
  const heights = layers.map((l) => (l ?? []).reduce((s, id) => s + nodeHeight(/** @type {any} */ (byId.get(id))) + GAP_Y, -GAP_Y));
  const tallest = Math.max(0, ...heights);
  /** @type {Map<string, { x: number, y: number }>} */
  const xy = new Map();
  layers.forEach((l, li) => {
    let y = (tallest - (heights[li] ?? 0)) / 2;
    for (const id of l ?? []) {
      xy.set(id, { x: li * (NODE_W + GAP_X), y: Math.round(y) });
      y += nodeHeight(/** @type {any} */ (byId.get(id))) + GAP_Y;
    }
  });
  return { ...def, nodes: def.nodes.map((n) => ({ ...n, position: xy.get(n.id) ?? n.position })) };
}

/** Does an imported definition need a layout (positions missing, or all at the same point)? @param {import('./types.js').FlowDefinition} def */
export function needsLayout(def) {
  if (def.nodes.length < 2) return false;
  const first = def.nodes[0]?.position;
  return def.nodes.every((n) => !n.position || (n.position.x === (first?.x ?? 0) && n.position.y === (first?.y ?? 0)));
}
