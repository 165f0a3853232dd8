import { html } from 'htm/preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { toast } from '../../components/Toast.js';
import { api, ApiError } from '../../lib/api.js';
import { errorText } from '../../lib/errors.js';
import { plural, t } from '../../lib/i18n.js';
import { loadDirectory } from '../../state/directory.js';
import { isRestricted } from '../../state/license.js';
import { me } from '../../state/session.js';
import { LoadError, Loading } from '../admin/common.js';
import { Canvas } from './Canvas.js';
import { FlowIcon } from './icons.js';
import { newId } from './ids.js';
import { autoLayout, needsLayout } from './layout.js';
import { NodeSettings } from './NodeSettings.js';
import { outcomesOf } from './outcomes.js';
import { defaultData, summary, typeLabel } from './nodeTypes.js';
import { PreviewPanel } from './PreviewPanel.js';
import { SessionsPanel } from './SessionsPanel.js';
import { StatusSwitch } from './StatusSwitch.js';
import { TriggerPanel } from './TriggerPanel.js';
import { useAutosave } from './useAutosave.js';
import { knownVariables } from './variables.js';
import { localizeIssues } from './issues.js';
import { VersionsPanel } from './VersionsPanel.js';

/** @type {import('./types.js').FlowDefinition} */
const EMPTY_FLOW = { nodes: [{ id: 'start', type: 'start', position: { x: 0, y: 0 }, data: {} }], edges: [] };
/** Fields of a flow the server owns: taken from its answers without touching what is being edited. */
const SERVER_FIELDS = /** @type {const} */ (['publishedVersion', 'draftChanged', 'status', 'testPhone', 'sessionCounts', 'updatedAt']);

/**
 * The visual editor of one flow: the canvas in the middle, the selected node's settings (or the flow's
 * trigger) on the right with the preview, versions and sessions beside them, and publishing on top.
 * The draft autosaves; validation comes from the server after each save and shows on the nodes.
 * @param {{ id: string }} props
 */
export function FlowEditorPage({ id }) {
  const [flow, setFlow] = useState(/** @type {import('./types.js').Flow | null} */ (null));
  const [loadError, setLoadError] = useState(/** @type {unknown} */ (null));
  const [def, setDefState] = useState(/** @type {import('./types.js').FlowDefinition} */ (EMPTY_FLOW));
  const defRef = useRef(def);
  const [connections, setConnections] = useState(/** @type {{ id: string, name: string, channel: string }[]} */ ([]));
  const [rawIssues, setIssues] = useState(/** @type {import('./types.js').Issue[]} */ ([]));
  const [validation, setValidation] = useState(/** @type {'ok' | 'unavailable'} */ ('ok'));
  const [selection, setSelection] = useState(/** @type {import('./Canvas.js').Selection} */ (null));
  const [tab, setTab] = useState(/** @type {'settings' | 'preview' | 'versions' | 'sessions'} */ ('settings'));
  const [fitSignal, setFitSignal] = useState(0);
  const [versionsKey, setVersionsKey] = useState(0);
  const [publishing, setPublishing] = useState(false);
  // Supervisors read flows (versions, sessions, preview); admins build them. Restricted is read-only for all.
  const readOnly = isRestricted() || me.value?.role !== 'admin';

  /** @param {import('./types.js').Flow} f */
  const takeServerFields = (f) => setFlow((prev) => {
    if (!prev) return prev;
    const next = { ...prev };
    for (const k of SERVER_FIELDS) if (k in f) /** @type {any} */ (next)[k] = f[k];
    return next;
  });
  const loadIssues = async () => {
    try {
      const r = await api('GET', `/api/flows/${id}/validation`);
      setIssues(r.issues ?? []);
      setValidation('ok');
    } catch (err) {
      if (err instanceof ApiError && err.status === 404 && err.code !== 'flow_not_found') setValidation('unavailable');
    }
  };
  const save = useAutosave(id, (f) => { takeServerFields(f); void loadIssues(); });

  useEffect(() => {
    let live = true;
    void loadDirectory();
    api('GET', '/api/connections').then((r) => live && setConnections(r.items ?? r ?? []), () => {});
    api('GET', `/api/flows/${id}`).then((f) => {
      if (!live) return;
      let d = f.draft?.nodes?.length ? f.draft : EMPTY_FLOW;
      if (needsLayout(d)) {
        d = autoLayout(d);
        save.queue({ draft: d }, 0);
      }
      defRef.current = d;
      setDefState(d);
      setFlow(f);
      setFitSignal((n) => n + 1);
      void loadIssues();
    }, (err) => live && setLoadError(err));
    return () => { live = false; };
  }, [id]);

  /** @param {import('./types.js').FlowDefinition} next @param {boolean} [persist] */
  const setDef = (next, persist = true) => {
    defRef.current = next;
    setDefState(next);
    if (persist) save.queue({ draft: next });
  };
  /** @param {Partial<import('./types.js').Flow>} patch */
  const patchFlow = (patch) => {
    setFlow((prev) => (prev ? { ...prev, ...patch } : prev));
    save.queue(patch);
  };

  /** @param {string} nodeId */
  const deleteNode = (nodeId) => {
    const d = defRef.current;
    const node = d.nodes.find((n) => n.id === nodeId);
    if (!node || node.type === 'start') return;
    setDef({ nodes: d.nodes.filter((n) => n.id !== nodeId), edges: d.edges.filter((e) => e.from !== nodeId && e.to !== nodeId) });
    setSelection(null);
  };
  /** @param {string} edgeId */
  const deleteEdge = (edgeId) => {
    const d = defRef.current;
    setDef({ ...d, edges: d.edges.filter((e) => e.id !== edgeId) });
    setSelection(null);
  };

  // Delete or Backspace removes the selected node or edge (not while typing in a field).
  useEffect(() => {
    /** @param {KeyboardEvent} e */
    const onKey = (e) => {
      if (readOnly || !selection || (e.key !== 'Delete' && e.key !== 'Backspace')) return;
      const el = /** @type {HTMLElement} */ (e.target);
      if (el.closest('input, textarea, select, [contenteditable], .modal')) return;
      e.preventDefault();
      if (selection.kind === 'edge') deleteEdge(selection.id);
      else deleteNode(selection.id);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [selection, readOnly]);

  const variables = useMemo(() => knownVariables(def), [def]);
  const issues = useMemo(() => localizeIssues(rawIssues, def), [rawIssues, def]);
  const errors = issues.filter((i) => i.severity === 'error');
  const warnings = issues.filter((i) => i.severity === 'warning');

  const publish = async () => {
    setPublishing(true);
    try {
      await save.flush();
      if (save.failed.current) throw save.failed.current;
      const r = await api('POST', `/api/flows/${id}/publish`);
      if (r.flow) takeServerFields(r.flow);
      const n = r.version?.version ?? r.flow?.publishedVersion?.version;
      toast(t('flows.publish.done', { n: n ?? '' }), 'success');
      setVersionsKey((k) => k + 1);
      void loadIssues();
    } catch (err) {
      if (err instanceof ApiError && err.code === 'flow_invalid') {
        const found = /** @type {any} */ (err.details)?.details?.issues ?? /** @type {any} */ (err.details)?.issues;
        if (Array.isArray(found)) setIssues(found);
        toast(t('flows.publish.invalid'), 'error');
      } else {
        toast(errorText(err), 'error');
      }
    } finally {
      setPublishing(false);
    }
  };

  if (loadError) return html`<section class="page"><${LoadError} error=${loadError} onRetry=${() => location.reload()} /></section>`;
  if (!flow) return html`<section class="page"><${Loading} /></section>`;

  const selectedNode = selection?.kind === 'node' ? def.nodes.find((n) => n.id === selection.id) ?? null : null;
  const nothingToPublish = !!flow.publishedVersion && !flow.draftChanged && save.state === 'saved';
  /** @param {string | null} nodeId */
  const nodeLabel = (nodeId) => {
    const n = def.nodes.find((x) => x.id === nodeId);
    return n ? `${typeLabel(n.type)}: ${summary(n).slice(0, 40)}` : '—';
  };

  return html`<section class="flow-editor" data-testid="page-flow-editor" data-flow-id=${flow.id}>
    <header class="flow-bar">
      <a href="/flows" class="icon-btn" aria-label=${t('flows.editor.back')} title=${t('flows.editor.back')} data-testid="flow-back">←</a>
      <div class="flow-bar-name">
        <input type="text" class="flow-name" value=${flow.name} maxlength="100" aria-label=${t('flows.name')} disabled=${readOnly} data-testid="flow-name"
          onInput=${(/** @type {Event} */ e) => { const v = /** @type {HTMLInputElement} */ (e.currentTarget).value; if (v.trim()) patchFlow({ name: v }); }} />
        <span class=${`flow-save flow-save-${save.state}`} data-testid="save-state" data-state=${save.state}>${t(/** @type {any} */ (`flows.save.${save.state}`))}</span>
      </div>
      <div class="flow-bar-right">
        ${validation === 'unavailable'
          ? html`<span class="badge" title=${t('flows.issues.unavailableHint')}>${t('flows.issues.unavailable')}</span>`
          : errors.length
            ? html`<button type="button" class="link-btn small flow-issues-btn" data-testid="issue-count" data-errors=${errors.length}
                onClick=${() => { const n = errors.find((i) => i.nodeId)?.nodeId; if (n) { setSelection({ kind: 'node', id: n }); setTab('settings'); } }}>
                ${t('flows.issues.show')}</button>`
            : warnings.length
              ? html`<span class="badge badge-amber" data-testid="issue-count" data-errors="0" title=${t('flows.issues.warningsHint')}>${plural(warnings.length, 'flows.issues.warnings.one', 'flows.issues.warnings.other')}</span>`
              : html`<span class="badge badge-green" data-testid="issue-count" data-errors="0">${t('flows.issues.none')}</span>`}
        <${StatusSwitch} flow=${flow} readOnly=${readOnly} onChanged=${(f) => takeServerFields(f)} />
        <button type="button" class="btn btn-primary" data-testid="flow-publish" data-errors=${errors.length}
          disabled=${readOnly || publishing || errors.length > 0 || nothingToPublish}
          title=${errors.length ? t('flows.publish.blocked') : undefined} onClick=${publish}>
          ${publishing && html`<span class="spinner spinner-sm"></span>`}
          ${errors.length ? t('flows.publish.withErrors', { errors: plural(errors.length, 'flows.issues.errors.one', 'flows.issues.errors.other') })
            : nothingToPublish ? t('flows.publish.published', { n: flow.publishedVersion?.version ?? '' }) : t('flows.publish.button')}</button>
      </div>
    </header>
    <div class="flow-body">
      <${Canvas} def=${def} issues=${issues} selection=${selection} readOnly=${readOnly} fitSignal=${fitSignal}
        onSelect=${(/** @type {import('./Canvas.js').Selection} */ s) => { setSelection(s); if (s?.kind === 'node') setTab('settings'); }}
        onMove=${(/** @type {string} */ nodeId, /** @type {{ x: number, y: number }} */ pos) => setDef({ ...defRef.current, nodes: defRef.current.nodes.map((n) => (n.id === nodeId ? { ...n, position: pos } : n)) }, false)}
        onMoveEnd=${() => save.queue({ draft: defRef.current })}
        onConnect=${(/** @type {string} */ from, /** @type {string} */ outcome, /** @type {string} */ to) => {
          const d = defRef.current;
          setDef({ ...d, edges: [...d.edges.filter((e) => !(e.from === from && e.outcome === outcome)), { id: newId('e'), from, outcome, to }] });
        }}
        onDeleteEdge=${deleteEdge}
        onAdd=${(/** @type {import('./types.js').NodeType} */ type, /** @type {{ x: number, y: number }} */ position) => {
          const node = { id: newId('n'), type, position, data: defaultData(type) };
          setDef({ ...defRef.current, nodes: [...defRef.current.nodes, node] });
          setSelection({ kind: 'node', id: node.id });
          setTab('settings');
        }}
        onLayout=${() => { setDef(autoLayout(defRef.current)); setFitSignal((n) => n + 1); }} />
      <aside class="flow-side" aria-label=${t('flows.editor.side')}>
        <div class="flow-tabs" role="tablist">
          ${(/** @type {const} */ ([['settings', 'settings'], ['preview', 'play'], ['versions', 'history'], ['sessions', 'activity']])).map(([k, icon]) => html`
            <button type="button" role="tab" aria-selected=${tab === k} class=${tab === k ? 'on' : ''} onClick=${() => setTab(k)} data-testid=${`tab-${k}`}>
              <${FlowIcon} name=${icon} size=${15} />${t(/** @type {any} */ (`flows.tab.${k}`))}</button>`)}
        </div>
        <div class="flow-side-body">
          ${tab === 'settings' && (selectedNode
            ? html`<${NodeSettings} key=${selectedNode.id} node=${selectedNode} variables=${variables} readOnly=${readOnly}
                issues=${issues.filter((i) => i.nodeId === selectedNode.id)}
                onChange=${(/** @type {Record<string, any>} */ data) => {
                  const d = defRef.current;
                  const nodes = d.nodes.map((n) => (n.id === selectedNode.id ? { ...n, data } : n));
                  // Edges from outcomes that no longer exist (a removed option) go with them.
                  const node = nodes.find((n) => n.id === selectedNode.id);
                  const outs = node ? outcomesOf(node) : [];
                  setDef({ nodes, edges: d.edges.filter((e) => e.from !== selectedNode.id || outs.includes(e.outcome)) });
                }}
                onDelete=${() => deleteNode(selectedNode.id)} />`
            : html`<${TriggerPanel} flow=${flow} connections=${connections} readOnly=${readOnly} onPatch=${patchFlow} />
                <${FlowIssues} issues=${issues.filter((i) => !i.nodeId)} />`)}
          ${tab === 'preview' && html`<${PreviewPanel} flowId=${flow.id} beforeRun=${save.flush} />`}
          ${tab === 'versions' && html`<${VersionsPanel} flowId=${flow.id} reloadKey=${versionsKey} readOnly=${readOnly}
            onRestored=${(/** @type {import('./types.js').Flow} */ f) => takeServerFields(f)} />`}
          ${tab === 'sessions' && html`<${SessionsPanel} flow=${flow} nodeLabel=${nodeLabel} />`}
        </div>
      </aside>
    </div>
  </section>`;
}

/**
 * Issues about the flow as a whole (no node), under the trigger settings.
 * @param {{ issues: import('./types.js').Issue[] }} props
 */
function FlowIssues({ issues }) {
  if (!issues.length) return null;
  return html`<ul class="fs-issues fs-issues-flow" data-testid="flow-issues">
    ${issues.map((i) => html`<li class=${`fs-issue-${i.severity}`}>${i.message}</li>`)}</ul>`;
}
