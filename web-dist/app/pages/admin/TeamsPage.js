import { html } from 'htm/preact';

/** Placeholder until the admin console lands. */
export function TeamsPage() {
  return html`<section class="page"><h1>Teams</h1></section>`;
}
