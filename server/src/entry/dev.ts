/**
 * Development and local-demo entry: the same processes as production, trusting the lease keys in
 * ATENDO_DEV_TRUSTED_KEYS_DIR (a local license service's *.public.pem). This file is not part of the
 * production image (compose/ Dockerfile excludes entry/dev.ts), so no configuration of a production
 * appliance can make it trust another key.
 *
 *   node --import tsx server/src/entry/dev.ts web|worker|cli [args…]
 */
import fs from 'node:fs';
import path from 'node:path';
import { trustedKeysFromPems } from '../license/trust.js';
import { runCli } from '../processes/cli.js';
import { runProcess } from '../processes/runProcess.js';
import { startWeb } from '../processes/web.js';
import { startWorker } from '../processes/worker.js';

const dir = process.env.ATENDO_DEV_TRUSTED_KEYS_DIR;
if (!dir || !fs.existsSync(dir)) {
  process.stderr.write('atendo dev: set ATENDO_DEV_TRUSTED_KEYS_DIR to a directory of *.public.pem lease keys\n');
  process.exit(78);
}
const trustedKeys = trustedKeysFromPems(
  fs.readdirSync(dir).filter((f) => f.endsWith('.public.pem')).map((f) => fs.readFileSync(path.join(dir, f), 'utf8')),
);
const [role, ...args] = process.argv.slice(2);
if (role === 'web') void runProcess('atendo-web', (config) => startWeb(config, { trustedKeys }));
else if (role === 'worker') void runProcess('atendo-worker', (config) => startWorker(config, { trustedKeys }));
else if (role === 'cli') runCli(args, trustedKeys).then((code) => process.exit(code));
else {
  process.stderr.write('usage: dev.ts web|worker|cli [args…]\n');
  process.exit(2);
}
