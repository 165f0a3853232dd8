/**
 * Error codes of the appliance protocol. Every error answer is `{ "error": { "code", "message" } }`.
 * DEFINITIVE codes are the service's final word on a license: the appliance must not fall back to its
 * grace period for them. Anything else (network errors, 5xx, 429, unknown codes) is transient.
 */
export const DEFINITIVE_LICENSE_ERRORS = [
  'license_revoked',
  'license_suspended',
  'license_expired',
  'license_not_found',
  'ip_mismatch',
  'installation_superseded',
] as const;

export type DefinitiveLicenseError = (typeof DEFINITIVE_LICENSE_ERRORS)[number];

export function isDefinitiveLicenseError(code: string): code is DefinitiveLicenseError {
  return (DEFINITIVE_LICENSE_ERRORS as readonly string[]).includes(code);
}
