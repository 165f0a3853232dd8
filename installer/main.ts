/**
 * atendo-installer: installs, upgrades, backs up, restores and diagnoses an Atendo appliance.
 *   node --import tsx installer/main.ts <command> [options]     (npm run installer -- <command>)
 * The bootstrap one-liner (installer/bootstrap.sh) runs the compiled form on a fresh VPS.
 */
import { run } from './src/cli.js';

process.exitCode = await run(process.argv.slice(2));
