/**
 * Variables in a flow's text: `{{nome}}` is a flow variable, `{{contato.nome}}`, `{{contato.telefone}}`
 * and `{{contato.<campo>}}` are the contact's (name, phone, custom fields). Spaces inside the braces are
 * allowed; an unknown or empty variable renders as nothing (the editor's validation flags unknown ones).
 */
const VARIABLE = /\{\{\s*([a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)?)\s*\}\}/gi;

export interface TemplateScope {
  variables: Record<string, unknown>;
  contact: { name: string | null; phone: string | null; fields: Record<string, unknown> };
}

export function renderText(text: string, scope: TemplateScope): string {
  return text.replace(VARIABLE, (_m, ref: string) => {
    const v = lookup(ref, scope);
    return v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  });
}

export function lookup(ref: string, scope: TemplateScope): unknown {
  const [head, field] = ref.toLowerCase().split('.');
  if (field === undefined) return scope.variables[head!];
  if (head !== 'contato' && head !== 'contact') return undefined;
  if (field === 'nome' || field === 'name') return scope.contact.name;
  if (field === 'telefone' || field === 'phone') return scope.contact.phone;
  return scope.contact.fields[field];
}

/** The variable references a text uses, as written ('nome', 'contato.cpf'), lowercased. */
export function variablesIn(text: string): string[] {
  return [...text.matchAll(VARIABLE)].map((m) => m[1]!.toLowerCase());
}
