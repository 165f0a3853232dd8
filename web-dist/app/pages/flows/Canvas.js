/**
 * The flow canvas: nodes as Preact cards, edges as SVG curves, pan, zoom, drag, connect.
 *
 * Our own (about 300 lines) rather than a library, on purpose:
 * - @xyflow/system is React Flow's framework-free core: it brings d3-zoom/d3-drag/d3-selection/
 *   d3-interpolate (five more vendor files, each with bare imports the import map must name) and still
 *   leaves us to render nodes and edges, which is most of this file anyway.
 * - drawflow and @jsplumb/browser-ui draw their own DOM from HTML strings and own the node markup. Our
 *   nodes are Preact components fed by signals, our text is rendered as text (never innerHTML), and the
 *   page's CSP forbids style attributes, which both set.
 * - Our graph is small (≤ 200 nodes, the contract's cap), ports sit at fixed places (geometry.js), so
 *   edges are drawn from data without measuring the DOM, and pan/zoom is one CSS transform.
 * The layout (layout.js) is ours for the same reasons: @dagrejs/dagre 3 has an ES build but needs
 * @dagrejs/graphlib beside it, for a graph a simple layered pass handles.
 */
import { html } from 'htm/preact';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { t } from '../../lib/i18n.js';
import { bounds, edgePath, inputPoint, pathMiddle, portPoint } from './geometry.js';
import { FlowIcon } from './icons.js';
import { NodeCard } from './NodeCard.js';
import { PALETTE, typeLabel } from './nodeTypes.js';

const MIN_ZOOM = 0.3;
const MAX_ZOOM = 1.6;

/** @typedef {{ kind: 'node' | 'edge', id: string } | null} Selection */

/**
 * @param {{
 *   def: import('./types.js').FlowDefinition,
 *   issues: import('./types.js').Issue[],
 *   selection: Selection,
 *   readOnly?: boolean,
 *   fitSignal: number,
 *   onSelect: (s: Selection) => void,
 *   onMove: (id: string, pos: { x: number, y: number }) => void,
 *   onMoveEnd: () => void,
 *   onConnect: (from: string, outcome: string, to: string) => void,
 *   onDeleteEdge: (id: string) => void,
 *   onAdd: (type: import('./types.js').NodeType, pos: { x: number, y: number }) => void,
 *   onLayout: () => void,
 * }} props
 */
export function Canvas({ def, issues, selection, readOnly, fitSignal, onSelect, onMove, onMoveEnd, onConnect, onDeleteEdge, onAdd, onLayout }) {
  const root = useRef(/** @type {HTMLDivElement | null} */ (null));
  const world = useRef(/** @type {HTMLDivElement | null} */ (null));
  const svg = useRef(/** @type {SVGSVGElement | null} */ (null));
  const [view, setView] = useState({ x: 40, y: 40, k: 1 });
  const viewRef = useRef(view);
  viewRef.current = view;
  /** A connection being drawn: from a port to the pointer. */
  const [wire, setWire] = useState(/** @type {{ from: string, outcome: string, x: number, y: number, over: string | null } | null} */ (null));

  const byId = useMemo(() => new Map(def.nodes.map((n) => [n.id, n])), [def.nodes]);
  const connected = useMemo(() => {
    /** @type {Map<string, Set<string>>} */
    const m = new Map();
    for (const e of def.edges) {
      if (!m.has(e.from)) m.set(e.from, new Set());
      m.get(e.from)?.add(e.outcome);
    }
    return m;
  }, [def.edges]);
  const issuesOf = useMemo(() => {
    /** @type {Map<string, import('./types.js').Issue[]>} */
    const m = new Map();
    for (const i of issues) if (i.nodeId) m.set(i.nodeId, [...(m.get(i.nodeId) ?? []), i]);
    return m;
  }, [issues]);

  // Pan and zoom are one transform on the world; the dotted grid follows it.
  useLayoutEffect(() => {
    if (world.current) world.current.style.transform = `translate(${view.x}px, ${view.y}px) scale(${view.k})`;
    if (root.current) {
      root.current.style.backgroundPosition = `${view.x}px ${view.y}px`;
      root.current.style.backgroundSize = `${22 * view.k}px ${22 * view.k}px`;
    }
  }, [view]);

  const box = bounds(def.nodes);
  const pad = 600;
  useLayoutEffect(() => {
    if (!svg.current) return;
    svg.current.style.left = `${box.x - pad}px`;
    svg.current.style.top = `${box.y - pad}px`;
  }, [box.x, box.y]);

  /** Client coordinates to world coordinates. @param {number} cx @param {number} cy */
  const toWorld = (cx, cy) => {
    const r = root.current?.getBoundingClientRect();
    const v = viewRef.current;
    return { x: (cx - (r?.left ?? 0) - v.x) / v.k, y: (cy - (r?.top ?? 0) - v.y) / v.k };
  };

  const fit = () => {
    const el = root.current;
    if (!el || !def.nodes.length) return;
    const b = bounds(def.nodes);
    // The palette covers the left edge: fit into what is right of it (all of it when read-only).
    const left = readOnly ? 24 : 200;
    const w = el.clientWidth - left - 24, h = el.clientHeight - 90;
    const k = Math.min(1, Math.max(MIN_ZOOM, Math.min(w / b.w, h / b.h)));
    setView({ k, x: left + (w - b.w * k) / 2 - b.x * k, y: 30 + (h - b.h * k) / 2 - b.y * k });
  };
  useEffect(() => { fit(); }, [fitSignal]);

  /** Zooms by a factor around a point of the canvas (client coordinates). @param {number} f @param {number} [cx] @param {number} [cy] */
  const zoomBy = (f, cx, cy) => {
    const r = root.current?.getBoundingClientRect();
    if (!r) return;
    const px = (cx ?? r.left + r.width / 2) - r.left, py = (cy ?? r.top + r.height / 2) - r.top;
    setView((v) => {
      const k = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, v.k * f));
      return { k, x: px - ((px - v.x) / v.k) * k, y: py - ((py - v.y) / v.k) * k };
    });
  };
  useEffect(() => {
    const el = root.current;
    if (!el) return;
    /** @param {WheelEvent} e */
    const onWheel = (e) => {
      if (/** @type {HTMLElement} */ (e.target).closest('.flow-palette, .flow-tools')) return;
      e.preventDefault();
      zoomBy(Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.0018)), e.clientX, e.clientY);
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, []);

  /**
   * Follows one pointer gesture on the window until it ends.
   * @param {PointerEvent} down
   * @param {(e: PointerEvent, dx: number, dy: number) => void} move
   * @param {(e: PointerEvent, moved: boolean) => void} up
   */
  const gesture = (down, move, up) => {
    let moved = false;
    /** @param {PointerEvent} e */
    const onMoveEv = (e) => {
      const dx = e.clientX - down.clientX, dy = e.clientY - down.clientY;
      if (!moved && Math.hypot(dx, dy) < 4) return;
      moved = true;
      move(e, dx, dy);
    };
    /** @param {PointerEvent} e */
    const onUp = (e) => {
      window.removeEventListener('pointermove', onMoveEv);
      window.removeEventListener('pointerup', onUp);
      window.removeEventListener('pointercancel', onUp);
      up(e, moved);
    };
    window.addEventListener('pointermove', onMoveEv);
    window.addEventListener('pointerup', onUp);
    window.addEventListener('pointercancel', onUp);
  };

  /** @param {PointerEvent} e */
  const onPointerDown = (e) => {
    if (e.button !== 0) return;
    const target = /** @type {HTMLElement} */ (e.target);
    if (target.closest('.flow-palette, .flow-tools, .edge-delete, .flow-edge-hit')) return;
    const handle = target.closest('.fn-handle');
    const card = /** @type {HTMLElement | null} */ (target.closest('[data-node-id].fn'));
    e.preventDefault();
    if (handle && !readOnly) {
      const from = /** @type {string} */ (handle.getAttribute('data-node-id'));
      const outcome = /** @type {string} */ (handle.getAttribute('data-outcome'));
      const p = toWorld(e.clientX, e.clientY);
      setWire({ from, outcome, ...p, over: null });
      gesture(e, (ev) => {
        const over = /** @type {HTMLElement | null} */ (document.elementFromPoint(ev.clientX, ev.clientY))?.closest('[data-node-id].fn');
        const id = over?.getAttribute('data-node-id') ?? null;
        setWire({ from, outcome, ...toWorld(ev.clientX, ev.clientY), over: id !== from ? id : null });
      }, (ev) => {
        setWire(null);
        const over = /** @type {HTMLElement | null} */ (document.elementFromPoint(ev.clientX, ev.clientY))?.closest('[data-node-id].fn');
        const to = over?.getAttribute('data-node-id');
        if (to && to !== from && byId.get(to)?.type !== 'start') onConnect(from, outcome, to);
      });
      return;
    }
    if (card) {
      const id = /** @type {string} */ (card.getAttribute('data-node-id'));
      const node = byId.get(id);
      if (!node) return;
      const start = { ...node.position };
      gesture(e, (_ev, dx, dy) => {
        if (readOnly) return;
        const k = viewRef.current.k;
        onMove(id, { x: Math.round(start.x + dx / k), y: Math.round(start.y + dy / k) });
      }, (_ev, moved) => {
        if (moved && !readOnly) onMoveEnd();
        else onSelect({ kind: 'node', id });
      });
      return;
    }
    // The background: pan; a click without moving clears the selection.
    const v0 = viewRef.current;
    root.current?.classList.add('flow-panning');
    gesture(e, (_ev, dx, dy) => setView({ ...v0, x: v0.x + dx, y: v0.y + dy }), (_ev, moved) => {
      root.current?.classList.remove('flow-panning');
      if (!moved) onSelect(null);
    });
  };

  const edges = def.edges.map((e) => {
    const a = byId.get(e.from), b = byId.get(e.to);
    if (!a || !b) return null;
    const d = edgePath(portPoint(a, e.outcome), inputPoint(b));
    return { e, d, selected: selection?.kind === 'edge' && selection.id === e.id };
  }).filter((x) => x !== null);
  const selectedEdge = edges.find((x) => x.selected);
  const wireFrom = wire && byId.get(wire.from);
  const wireTo = wire?.over ? byId.get(wire.over) : null;

  return html`<div class=${`flow-canvas ${wire ? 'flow-wiring' : ''}`} ref=${root} onPointerDown=${onPointerDown} data-testid="flow-canvas">
    <div class="flow-world" ref=${world}>
      <svg class="flow-edges" ref=${svg} width=${box.w + 2 * pad} height=${box.h + 2 * pad}
        viewBox=${`${box.x - pad} ${box.y - pad} ${box.w + 2 * pad} ${box.h + 2 * pad}`} aria-hidden="true">
        <defs>
          <marker id="flow-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M0,1 L9,5 L0,9 z" class="flow-arrow" /></marker>
          <marker id="flow-arrow-on" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M0,1 L9,5 L0,9 z" class="flow-arrow-on" /></marker>
        </defs>
        ${edges.map(({ e, d, selected }) => html`<g key=${e.id}>
          <path d=${d} class=${`flow-edge ${selected ? 'flow-edge-on' : ''}`} marker-end=${selected ? 'url(#flow-arrow-on)' : 'url(#flow-arrow)'} />
          <path d=${d} class="flow-edge-hit" data-testid="flow-edge" data-edge-id=${e.id} data-from=${e.from} data-outcome=${e.outcome} data-to=${e.to}
            onPointerDown=${(/** @type {PointerEvent} */ ev) => { ev.stopPropagation(); onSelect({ kind: 'edge', id: e.id }); }} />
        </g>`)}
        ${wire && wireFrom && html`<path class="flow-edge flow-edge-wire" marker-end="url(#flow-arrow-on)"
          d=${edgePath(portPoint(wireFrom, wire.outcome), wireTo ? inputPoint(wireTo) : { x: wire.x, y: wire.y })} />`}
      </svg>
      ${def.nodes.map((n) => html`<${NodeCard} key=${n.id} node=${n} selected=${selection?.kind === 'node' && selection.id === n.id}
        connected=${connected.get(n.id) ?? EMPTY} issues=${issuesOf.get(n.id) ?? NONE} target=${wire?.over === n.id} />`)}
      ${selectedEdge && !readOnly && html`<${EdgeDelete} d=${selectedEdge.d} onDelete=${() => onDeleteEdge(selectedEdge.e.id)} />`}
    </div>

    ${!readOnly && html`<div class="flow-palette" role="toolbar" aria-label=${t('flows.canvas.add')} data-testid="flow-palette">
      <div class="flow-palette-title">${t('flows.canvas.add')}</div>
      ${PALETTE.map((type) => html`<button type="button" class=${`flow-palette-item fp-${type}`} data-testid=${`add-${type}`}
        onClick=${() => {
          const el = root.current;
          const c = toWorld((el?.getBoundingClientRect().left ?? 0) + (el?.clientWidth ?? 600) / 2, (el?.getBoundingClientRect().top ?? 0) + (el?.clientHeight ?? 400) / 3);
          onAdd(type, { x: Math.round(c.x - 124 + (def.nodes.length % 5) * 16), y: Math.round(c.y + (def.nodes.length % 5) * 16) });
        }}>
        <span class="fp-icon"><${FlowIcon} name=${type} size=${15} /></span>${typeLabel(type)}</button>`)}
    </div>`}

    <div class="flow-tools" role="toolbar" aria-label=${t('flows.canvas.view')}>
      <button type="button" class="icon-btn" onClick=${() => zoomBy(1.2)} title=${t('flows.canvas.zoomIn')} aria-label=${t('flows.canvas.zoomIn')} data-testid="zoom-in"><${FlowIcon} name="zoomIn" /></button>
      <span class="flow-zoom-level" data-testid="zoom-level">${Math.round(view.k * 100)}%</span>
      <button type="button" class="icon-btn" onClick=${() => zoomBy(1 / 1.2)} title=${t('flows.canvas.zoomOut')} aria-label=${t('flows.canvas.zoomOut')} data-testid="zoom-out"><${FlowIcon} name="zoomOut" /></button>
      <button type="button" class="icon-btn" onClick=${fit} title=${t('flows.canvas.fit')} aria-label=${t('flows.canvas.fit')} data-testid="zoom-fit"><${FlowIcon} name="fit" /></button>
      ${!readOnly && html`<span class="flow-tools-sep"></span>
      <button type="button" class="btn btn-sm btn-ghost" onClick=${onLayout} data-testid="flow-layout"><${FlowIcon} name="layout" />${t('flows.canvas.layout')}</button>`}
    </div>
    ${def.nodes.length === 1 && !readOnly && html`<div class="flow-hint" data-testid="flow-hint">${t('flows.canvas.hint')}</div>`}
  </div>`;
}

const EMPTY = new Set();
/** @type {import('./types.js').Issue[]} */
const NONE = [];

/**
 * The × on a selected edge, at the middle of its curve.
 * @param {{ d: string, onDelete: () => void }} props
 */
function EdgeDelete({ d, onDelete }) {
  const ref = useRef(/** @type {HTMLButtonElement | null} */ (null));
  const m = pathMiddle(d);
  useLayoutEffect(() => {
    if (ref.current) ref.current.style.transform = `translate(${m.x - 12}px, ${m.y - 12}px)`;
  }, [m.x, m.y]);
  return html`<button type="button" class="edge-delete" ref=${ref} onClick=${onDelete} title=${t('flows.canvas.deleteEdge')}
    aria-label=${t('flows.canvas.deleteEdge')} data-testid="edge-delete"><${FlowIcon} name="trash" size=${13} /></button>`;
}
