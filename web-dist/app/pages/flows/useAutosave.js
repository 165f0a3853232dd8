import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../../lib/api.js';

/** @typedef {'saved' | 'dirty' | 'saving' | 'error'} SaveState */

/**
 * Debounced PATCH /api/flows/:id: changes are merged while the person works and sent 700 ms after the
 * last one, one request at a time (a change made during a save goes in the next). `flush()` sends now
 * and resolves once everything asked so far is saved (before publishing or previewing).
 * @param {string} flowId
 * @param {(saved: import('./types.js').Flow) => void} onSaved
 */
export function useAutosave(flowId, onSaved) {
  const [state, setState] = useState(/** @type {SaveState} */ ('saved'));
  const pending = useRef(/** @type {Record<string, unknown>} */ ({}));
  const timer = useRef(/** @type {ReturnType<typeof setTimeout> | undefined} */ (undefined));
  const chain = useRef(/** @type {Promise<void>} */ (Promise.resolve()));
  const failed = useRef(/** @type {unknown} */ (null));
  const saved = useRef(onSaved);
  saved.current = onSaved;

  /** @returns {Promise<void>} */
  const flush = () => {
    clearTimeout(timer.current);
    const patch = pending.current;
    if (!Object.keys(patch).length) return chain.current;
    pending.current = {};
    setState('saving');
    chain.current = chain.current.then(async () => {
      try {
        const flow = await api('PATCH', `/api/flows/${flowId}`, patch);
        failed.current = null;
        setState(Object.keys(pending.current).length ? 'dirty' : 'saved');
        saved.current(flow);
      } catch (err) {
        // Keep what failed, under anything newer, for the next try.
        pending.current = { ...patch, ...pending.current };
        failed.current = err;
        setState('error');
      }
    });
    return chain.current;
  };

  /** @param {Record<string, unknown>} patch @param {number} [delay] */
  const queue = (patch, delay = 700) => {
    Object.assign(pending.current, patch);
    setState('dirty');
    clearTimeout(timer.current);
    timer.current = setTimeout(() => void flush(), delay);
  };

  useEffect(() => {
    const onHide = () => { if (document.visibilityState === 'hidden') void flush(); };
    document.addEventListener('visibilitychange', onHide);
    return () => {
      document.removeEventListener('visibilitychange', onHide);
      void flush();
    };
  }, [flowId]);

  return { state, queue, flush, failed };
}
