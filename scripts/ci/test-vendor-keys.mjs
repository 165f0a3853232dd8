// Writes the *.public.pem of a directory into a staged copy of server/src/license/vendorKeys.ts (for a
// CI test build of the appliance image only; the checkout is never touched) and prints their hash.
// Usage: node test-vendor-keys.mjs <keys dir> <staged vendorKeys.ts>
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const [dir, file] = process.argv.slice(2);
const pems = fs.readdirSync(dir).filter((f) => f.endsWith('.public.pem')).sort().map((f) => fs.readFileSync(path.join(dir, f), 'utf8').trim() + '\n');
if (pems.length === 0) { console.error(`no *.public.pem in ${dir}`); process.exit(1); }
// The list as a whole (empty in the repository today): a CI build trusts the test keys only.
const LIST = /export const VENDOR_PUBLIC_KEYS: readonly string\[\] = \[[\s\S]*?\];/g;
const src = fs.readFileSync(file, 'utf8');
if ((src.match(LIST) ?? []).length !== 1) { console.error(`${file}: expected one "export const VENDOR_PUBLIC_KEYS: readonly string[] = [...];"`); process.exit(1); }
fs.writeFileSync(file, src.replace(LIST, `export const VENDOR_PUBLIC_KEYS: readonly string[] = ${JSON.stringify(pems)}; // CI test build`));
console.log(crypto.createHash('sha256').update(pems.join('')).digest('hex').slice(0, 16));
