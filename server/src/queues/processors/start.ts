import type { Deps } from '../../deps.js';
import { startIngestProcessor } from './ingest.js';
import { startMediaProcessor } from './media.js';
import { startSendProcessor } from './send.js';

/** Starts every queue processor of the worker process; the returned function stops them all. */
export function startProcessors(deps: Deps): () => Promise<void> {
  const running = [startIngestProcessor(deps), startSendProcessor(deps), startMediaProcessor(deps)];
  return async () => {
    await Promise.allSettled(running.map((r) => r.stop()));
  };
}
