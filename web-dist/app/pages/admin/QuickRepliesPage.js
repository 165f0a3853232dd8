import { html } from 'htm/preact';

/** Placeholder until the admin console lands. */
export function QuickRepliesPage() {
  return html`<section class="page"><h1>QuickReplies</h1></section>`;
}
