import { vendorTrustedKeys, type TrustedKeys } from '../license/trust.js';

/** Production trust: only the vendor keys compiled into this build (license/vendor-keys). */
export function vendorKeysOrExit(): TrustedKeys {
  const keys = vendorTrustedKeys();
  if (keys.size === 0) {
    process.stderr.write('atendo: this build carries no vendor license key (server/src/license/vendorKeys.ts); it cannot verify leases\n');
    process.exit(78);
  }
  return keys;
}
