import { installerCommand } from './invocation.js';

/**
 * An installer failure the admin can act on: a stable code, what went wrong, and the next thing to try.
 * `undo` asks the step engine to take back what this run changed (a definitive refusal such as a revoked
 * license leaves nothing half-installed); without it the state is kept so the next run resumes.
 */
export class InstallerError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly hint: string,
    readonly opts: { undo?: boolean; exitCode?: number } = {},
  ) {
    super(message);
  }
}

export const usageError = (message: string, hint = `run \`${installerCommand()} help\` for the commands and options`) =>
  new InstallerError('usage', message, hint, { exitCode: 2 });

/** A value that must come from a flag because nobody can be asked. */
export const flagNeeded = (what: string, flag: string) =>
  new InstallerError('input_needed', `${what} is needed and there is no terminal to ask on`, `pass ${flag}`, { exitCode: 2 });
