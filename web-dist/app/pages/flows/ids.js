/**
 * A short random id for nodes, edges, options and rules: the contract allows 1-64 of A-Z, a-z, 0-9, _ and -.
 * @param {string} prefix
 */
export function newId(prefix) {
  const bytes = new Uint8Array(6);
  crypto.getRandomValues(bytes);
  return `${prefix}_${Array.from(bytes, (b) => (b % 36).toString(36)).join('')}`;
}
