import { backup } from './commands/backup.js';
import { doctor } from './commands/doctor.js';
import { install } from './commands/install.js';
import { logs } from './commands/logs.js';
import { restore } from './commands/restore.js';
import { rotateSecrets } from './commands/rotateSecrets.js';
import { start, stop } from './commands/startStop.js';
import { status } from './commands/status.js';
import { supportBundle } from './commands/supportBundle.js';
import { uninstall } from './commands/uninstall.js';
import { upgrade } from './commands/upgrade.js';
import { createContext, type Ctx } from './context.js';
import { StepFailed } from './engine.js';
import { InstallerError } from './errors.js';
import { installerCommand } from './invocation.js';
import { COMMAND_SPECS, commandHelp, globalHelp, parseOptions, type CommandName } from './options.js';

const COMMANDS: Record<Exclude<CommandName, 'help'>, (ctx: Ctx) => Promise<number>> = {
  install, upgrade, backup, restore, status, logs, doctor, 'support-bundle': supportBundle, uninstall,
  'rotate-secrets': rotateSecrets, start, stop,
};

/**
 * Runs one command; returns the exit code. A failure always ends with what failed, why, and the next
 * thing to try, in the last lines of the output (never "scroll up"), and the log file's path.
 */
export async function run(argv: string[]): Promise<number> {
  let ctx: Ctx | null = null;
  try {
    const opts = parseOptions(argv);
    if (opts.command === 'help') {
      process.stdout.write(opts.helpFor ? commandHelp(opts.helpFor, installerCommand()) : globalHelp(installerCommand()));
      return 0;
    }
    // A read-only command (status, logs, doctor) writes nothing, not even its own log line.
    ctx = createContext(opts, { readOnly: COMMAND_SPECS[opts.command].readOnly });
    ctx.log.write(`atendo-installer ${argv.map((a) => ctx!.masker.mask(a)).join(' ')}`);
    return await COMMANDS[opts.command](ctx);
  } catch (err) {
    const failedStep = err instanceof StepFailed ? err.step : null;
    const e = err instanceof StepFailed ? err.cause : err;
    const mask = (s: string) => (ctx ? ctx.masker.mask(s) : s);
    if (e instanceof InstallerError) {
      const lines = [
        '',
        failedStep ? `✗ Failed at step "${failedStep.title}" (${failedStep.id}): ${e.message}` : `✗ ${e.message}`,
        `  code: ${e.code}`,
        `  next: ${e.hint}`,
        e.opts.undo ? '  what this run had changed was undone' : failedStep ? '  run the same command again to resume from this step' : '',
        ctx?.log.enabled ? `  log:  ${ctx.log.file}` : '',
      ].filter(Boolean);
      ctx?.log.write(lines.join('\n'));
      process.stderr.write(`${mask(lines.join('\n'))}\n`);
      return e.opts.exitCode ?? 1;
    }
    const message = (e as Error)?.stack ?? String(e);
    ctx?.log.write(`unexpected error: ${message}`);
    process.stderr.write(`${mask(`\n✗ unexpected error: ${(e as Error)?.message ?? e}\n  next: ${ctx?.log.enabled ? `see the log (${ctx.log.file}) and ` : ''}report it with ${installerCommand()} support-bundle`)}\n`);
    return 1;
  }
}
