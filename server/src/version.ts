import fs from 'node:fs';

/** The appliance's version, from the repository's package.json (one source of truth). */
export const APPLIANCE_VERSION: string = JSON.parse(
  fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
).version;
