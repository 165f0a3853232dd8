/**
 * Meta's limits on what a WhatsApp message may carry, by how the options go out (bots/prompt.ts on the
 * server sends them the same way): up to 3 options as reply buttons, 4 to 10 as a list, more as a
 * numbered text.
 */
export const LIMITS = {
  text: 4096,
  bodyWithOptions: 1024,
  buttonTitle: 20,
  rowTitle: 24,
  rowDescription: 72,
  listButton: 20,
};

/** @param {number} count @returns {'none'|'buttons'|'list'|'numbered'} */
export function optionsMode(count) {
  if (!count) return 'none';
  if (count <= 3) return 'buttons';
  if (count <= 10) return 'list';
  return 'numbered';
}

/** The most characters an option's title may have in this mode (null when unlimited here). @param {number} count */
export function titleLimit(count) {
  const mode = optionsMode(count);
  return mode === 'buttons' ? LIMITS.buttonTitle : mode === 'list' ? LIMITS.rowTitle : 100;
}

/** The body's limit: shorter when the message carries buttons or a list. @param {number} count */
export const bodyLimit = (count) => (count && count <= 10 ? LIMITS.bodyWithOptions : LIMITS.text);
