/**
 * The variables a flow's texts may use: those the flow itself fills (questions' save-to, set-field,
 * webhook mappings) and the contact's (bots/textTemplate.ts).
 * @param {import('./types.js').FlowDefinition} def
 * @returns {string[]}
 */
export function knownVariables(def) {
  const names = new Set();
  for (const n of def.nodes) {
    const d = n.data ?? {};
    if (n.type === 'question' && d.saveTo?.variable) names.add(d.saveTo.variable);
    if (n.type === 'set_field' && d.target?.variable) names.add(d.target.variable);
    if (n.type === 'webhook') for (const m of d.map ?? []) if (m.variable) names.add(m.variable);
  }
  return [...[...names].sort(), 'contato.nome', 'contato.telefone'];
}

/** A variable name as the contract takes it: a-z, 0-9 and _, starting with a letter or _. @param {string} s */
export const cleanVariable = (s) => s.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^a-z0-9_]+/g, '_').replace(/^[0-9]+/, '').slice(0, 40);
