import { html } from 'htm/preact';

/** @param {{ id?: string }} props */
export function InboxPage({ id }) {
  return html`<section class="page"><h1>Inbox ${id}</h1></section>`;
}
