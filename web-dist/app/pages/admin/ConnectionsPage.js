import { html } from 'htm/preact';

/** Placeholder until the admin console lands. */
export function ConnectionsPage() {
  return html`<section class="page"><h1>Connections</h1></section>`;
}
