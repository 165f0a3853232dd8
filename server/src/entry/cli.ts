import { vendorKeysOrExit } from './vendorKeys.js';
import { runCli } from '../processes/cli.js';

runCli(process.argv.slice(2), vendorKeysOrExit()).then((code) => process.exit(code), (err) => {
  process.stderr.write(`atendo: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
