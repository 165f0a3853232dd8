import { html } from 'htm/preact';

/** Placeholder until the admin console lands. */
export function UsersPage() {
  return html`<section class="page"><h1>Users</h1></section>`;
}
