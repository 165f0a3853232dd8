/**
 * Brazilian tax ids are checked by their check digits: CPF (11 digits) and CNPJ (14 characters, where
 * since July 2026 the first 12 may be letters — each character counts as its char code minus 48).
 * Other countries' ids are accepted as given (letters, digits and . / - only).
 */
export type TaxIdCheck = { ok: true; normalized: string } | { ok: false; message: string };

export function checkTaxId(input: string): TaxIdCheck {
  const compact = input.toUpperCase().replace(/[.\-/\s]/g, '');
  if (/^\d{11}$/.test(compact)) {
    return validCpf(compact) ? { ok: true, normalized: compact } : { ok: false, message: 'invalid CPF (check digits)' };
  }
  if (/^[0-9A-Z]{12}\d{2}$/.test(compact)) {
    return validCnpj(compact) ? { ok: true, normalized: compact } : { ok: false, message: 'invalid CNPJ (check digits)' };
  }
  if (/^[0-9A-Za-z.\-/ ]{3,40}$/.test(input.trim())) return { ok: true, normalized: input.trim() };
  return { ok: false, message: 'not a valid tax id' };
}

/**
 * The form two tax ids are compared in (one client per tax id): upper case, letters and digits only. For
 * Brazilian ids it is checkTaxId's normalised form; '11.222.333/0001-81' and '11222333000181' are one id,
 * and so are 'PT 123456789' and 'pt-123456789'.
 */
export function taxIdKey(taxId: string): string {
  return taxId.toUpperCase().replace(/[^0-9A-Z]/g, '');
}

export function validCpf(d: string): boolean {
  if (/^(\d)\1{10}$/.test(d)) return false;
  const digit = (len: number) => {
    let sum = 0;
    for (let i = 0; i < len; i++) sum += Number(d[i]) * (len + 1 - i);
    const r = (sum * 10) % 11;
    return r === 10 ? 0 : r;
  };
  return digit(9) === Number(d[9]) && digit(10) === Number(d[10]);
}

export function validCnpj(c: string): boolean {
  if (/^(\d)\1{13}$/.test(c)) return false;
  const val = (ch: string) => ch.charCodeAt(0) - 48;
  const digit = (len: number) => {
    const weights = len === 12 ? [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2] : [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
    let sum = 0;
    for (let i = 0; i < len; i++) sum += val(c[i]!) * weights[i]!;
    const r = sum % 11;
    return r < 2 ? 0 : 11 - r;
  };
  return digit(12) === Number(c[12]) && digit(13) === Number(c[13]);
}
