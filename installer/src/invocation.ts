import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const INSTALLER_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * How to run this installer where it runs, for the next steps and hints it prints:
 * - installed by bootstrap.sh: `atendo-installer` (its shim in /usr/local/bin sets ATENDO_INSTALLER_COMMAND);
 * - in a checkout (installer/main.ts beside a package.json with the `installer` script): `npm run installer --`;
 * - anything else: `node <path of main>`, which always works.
 */
export function installerCommand(): string {
  const named = process.env.ATENDO_INSTALLER_COMMAND?.trim();
  if (named) return named;
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(INSTALLER_DIR, '..', 'package.json'), 'utf8'));
    if (fs.existsSync(path.join(INSTALLER_DIR, 'main.ts')) && pkg.scripts?.installer) return 'npm run installer --';
  } catch { /* not a checkout */ }
  const main = path.join(INSTALLER_DIR, fs.existsSync(path.join(INSTALLER_DIR, 'main.js')) ? 'main.js' : 'main.ts');
  return `node ${main}`;
}

/**
 * A command line to run `command` on the install in `dir`: `--dir` is added unless it is the default
 * /opt/atendo (a local install's .data/local is only the default together with --runtime local).
 */
export function commandFor(dir: string, command: string): string {
  const quoted = /^[\w./@%+=:,-]+$/.test(dir) ? dir : `'${dir.replace(/'/g, `'\\''`)}'`;
  const [name, ...rest] = command.split(' ');
  return [installerCommand(), name, ...(path.resolve(dir) === '/opt/atendo' ? [] : ['--dir', quoted]), ...rest].join(' ');
}
