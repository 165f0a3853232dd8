import { html } from 'htm/preact';
import { useEffect, useRef } from 'preact/hooks';
import { t } from '../lib/i18n.js';
import { Icon } from './Icon.js';

/**
 * A dialog over the page: Escape or the × closes it, focus moves into it and back when it closes.
 * @param {{ title: string, onClose: () => void, children: any, wide?: boolean, testid?: string }} props
 */
export function Modal({ title, onClose, children, wide, testid }) {
  const ref = useRef(/** @type {HTMLDivElement | null} */ (null));
  useEffect(() => {
    const before = /** @type {HTMLElement | null} */ (document.activeElement);
    const first = ref.current?.querySelector('input, select, textarea, button:not(.modal-x)');
    /** @type {HTMLElement | null | undefined} */ (first)?.focus();
    /** @param {KeyboardEvent} e */
    const onKey = (e) => { if (e.key === 'Escape') onClose(); };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      before?.focus?.();
    };
  }, []);
  return html`<div class="modal-backdrop" onClick=${(/** @type {MouseEvent} */ e) => e.target === e.currentTarget && onClose()}>
    <div class=${`modal ${wide ? 'modal-wide' : ''}`} role="dialog" aria-modal="true" aria-label=${title} ref=${ref} data-testid=${testid}>
      <header class="modal-head">
        <h2>${title}</h2>
        <button type="button" class="icon-btn modal-x" onClick=${onClose} aria-label=${t('common.close')}><${Icon} name="x" /></button>
      </header>
      <div class="modal-body">${children}</div>
    </div>
  </div>`;
}
