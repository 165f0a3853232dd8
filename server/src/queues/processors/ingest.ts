import type { Deps } from '../../deps.js';

/** Placeholder until the ingest processor lands. */
export function startIngestProcessor(_deps: Deps): { stop(): Promise<void> } {
  return { stop: async () => {} };
}
