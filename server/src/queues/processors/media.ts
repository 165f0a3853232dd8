import type { Deps } from '../../deps.js';

/** Placeholder until the media processor lands. */
export function startMediaProcessor(_deps: Deps): { stop(): Promise<void> } {
  return { stop: async () => {} };
}
