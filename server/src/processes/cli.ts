import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { buildDeps, closeDeps } from '../bootstrap.js';
import { ConfigError, loadConfig } from '../config.js';
import { activateLicense } from '../commands/licenseActivation.js';
import { heartbeatNow } from '../license/heartbeatScheduler.js';
import { collectUsage } from '../commands/usage.js';
import { createFirstAdmin } from '../commands/users.js';
import { AppError } from '../errors.js';
import type { TrustedKeys } from '../license/trust.js';
import { presentLicense } from '../presenters/license.js';
import { password as passwordSchema } from '../routes/auth/schema.js';
import { migrateLatest } from '../../migrations/index.js';

const USAGE = `usage: atendo <command> [options]

  migrate                                   apply database migrations
  create-admin --email E --name N (--password-file F | --password-stdin)
                                            create the first admin (no default password exists)
  activate (--license-key KEY | --license-key-stdin) [--json]
                                            bind this appliance to its license
  license-status [--json]                   the license state, plan, usage and heartbeats
  heartbeat                                 send a license heartbeat now
`;

/** The appliance's operator commands (the installer calls them). Returns the exit code. */
export async function runCli(argv: string[], trustedKeys: TrustedKeys): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help') {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`atendo: ${err.message}\n`);
      return 78;
    }
    throw err;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      email: { type: 'string' }, name: { type: 'string' }, 'password-file': { type: 'string' },
      'password-stdin': { type: 'boolean' }, 'license-key': { type: 'string' }, 'license-key-stdin': { type: 'boolean' },
      json: { type: 'boolean' },
    },
    strict: true,
  });
  const deps = buildDeps(config, { trustedKeys, name: 'atendo-cli' });
  try {
    switch (command) {
      case 'migrate':
        await migrateLatest(deps.db);
        process.stdout.write('migrations applied\n');
        return 0;
      case 'create-admin': {
        if (!values.email || !values.name) throw usage('create-admin needs --email and --name');
        const password = readPassword(values['password-file'], values['password-stdin']);
        const checked = passwordSchema.safeParse(password);
        if (!checked.success) throw usage(`password: ${checked.error.issues[0]!.message}`);
        const res = await createFirstAdmin(deps, { email: values.email, name: values.name, password });
        process.stdout.write(res.created ? `admin ${values.email} created\n` : `admin ${values.email} already exists; nothing changed\n`);
        return 0;
      }
      case 'activate': {
        // From stdin the key stays out of `ps` (the installer passes it that way).
        const licenseKey = values['license-key-stdin'] ? fs.readFileSync(0, 'utf8').trim() : values['license-key'];
        if (!licenseKey) throw usage('activate needs --license-key or --license-key-stdin');
        const res = await activateLicense(deps, licenseKey);
        process.stdout.write(values.json ? `${JSON.stringify(res)}\n`
          : `activated for ${res.client.name}: plan ${res.plan.name}, expires ${res.licenseExpiresAt}, bound to ${res.boundIp}\n`);
        return 0;
      }
      case 'license-status': {
        const snap = await deps.license.snapshot();
        const view = presentLicense(snap, await collectUsage(deps, snap.now));
        process.stdout.write(values.json ? `${JSON.stringify(view, null, 2)}\n`
          : `state: ${view.state}${view.reason ? ` (${view.reason})` : ''}\nplan: ${view.plan?.name ?? '-'}\nexpires: ${view.licenseExpiresAt ?? '-'}\nlast heartbeat: ${view.lastHeartbeatAt ?? '-'}\n`);
        return 0;
      }
      case 'heartbeat': {
        await heartbeatNow(deps);
        deps.license.invalidate();
        const snap = await deps.license.snapshot();
        const ok = snap.stored?.lastErrorCode === null;
        process.stdout.write(ok ? 'ok\n' : `failed: ${snap.stored?.lastErrorCode}: ${snap.stored?.lastErrorMessage}\n`);
        return ok ? 0 : 1;
      }
      default:
        throw usage(`unknown command ${command}`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`atendo: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    if (err instanceof AppError) {
      process.stderr.write(values.json ? `${JSON.stringify({ error: { code: err.code, message: err.message } })}\n` : `error: ${err.code}: ${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    await closeDeps(deps);
  }
}

class UsageError extends Error {}
const usage = (m: string) => new UsageError(m);

/** Passwords never come from argv (visible to every user in `ps`): a file or standard input. */
function readPassword(file: string | undefined, stdin: boolean | undefined): string {
  if (file) return fs.readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  if (stdin) return fs.readFileSync(0, 'utf8').replace(/\r?\n$/, '');
  throw usage('give the password with --password-file FILE or --password-stdin');
}
