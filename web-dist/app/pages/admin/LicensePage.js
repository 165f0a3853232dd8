import { html } from 'htm/preact';

/** Placeholder until the admin console lands. */
export function LicensePage() {
  return html`<section class="page"><h1>License</h1></section>`;
}
