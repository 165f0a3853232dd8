/**
 * The vendor's lease-signing public keys (SPKI PEM), compiled into the appliance. Production entry
 * points trust exactly these: they are code, not a file or a directory, so neither an environment
 * variable nor a mounted volume can add one.
 *
 * Release step: add the public half of the license service's signing key here
 * (`npm run license-admin -- keys generate` prints where it is), ship it, and only then switch the
 * service's SIGNING_KEY_ID to it. The repository holds none yet; until the vendor adds its production
 * key, production entry points refuse to start. Tests and the local demo bring their own keys.
 */
export const VENDOR_PUBLIC_KEYS: readonly string[] = [];
