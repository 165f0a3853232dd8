import { signal } from '@preact/signals';
import { html } from 'htm/preact';

/** @typedef {{ id: number, text: string, kind: 'info'|'error'|'success' }} ToastItem */

/** @type {import('@preact/signals').Signal<ToastItem[]>} */
const toasts = signal([]);
let next = 1;

/**
 * Shows a short message at the bottom of the screen for a few seconds.
 * @param {string} text
 * @param {'info'|'error'|'success'} [kind]
 */
export function toast(text, kind = 'info') {
  const id = next++;
  toasts.value = [...toasts.value, { id, text, kind }].slice(-4);
  setTimeout(() => { toasts.value = toasts.value.filter((x) => x.id !== id); }, kind === 'error' ? 7000 : 3500);
}

export function Toasts() {
  return html`<div class="toasts" role="status" aria-live="polite">
    ${toasts.value.map((x) => html`<div key=${x.id} class=${`toast toast-${x.kind}`}>${x.text}</div>`)}
  </div>`;
}
