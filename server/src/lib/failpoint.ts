import type { Deps } from '../deps.js';

/**
 * Crash-test hook: with NODE_ENV=test and ATENDO_FAILPOINT naming this point, the process dies here as
 * if killed (exit 137). Inert in any other environment.
 */
export function failpoint(name: string, deps: Deps): void {
  if (deps.config.NODE_ENV === 'test' && process.env.ATENDO_FAILPOINT === name) process.exit(137);
}
