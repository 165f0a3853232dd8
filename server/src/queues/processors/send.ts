import type { Deps } from '../../deps.js';

/** Placeholder until the send processor lands. */
export function startSendProcessor(_deps: Deps): { stop(): Promise<void> } {
  return { stop: async () => {} };
}
