/**
 * Every kind of background job, in one table: its payload, the rule that names its job (so a second
 * enqueue of the same work is a no-op), and its retries. Jobs carry ids only: the database holds the
 * truth, so a job lost with Redis is found again by a sweeper and a job run twice finds its work done.
 * A new kind is a row here and a processor in processors/start.ts; the worker refuses to start while a
 * kind has no processor.
 */
export interface JobPayloads {
  /** Stored webhook bodies wait (webhook_events): drain them. A wake-up, coalesced by its producer. */
  ingest: Record<string, never>;
  /** An outbound message to hand to Meta. */
  send: { messageId: string };
  /** An inbound attachment to download before Meta's URL expires. */
  media: { messageId: string };
  /** A flow's webhook node to call; `steps` pins the session step it belongs to. */
  botWebhook: { sessionId: string; steps: number };
}

export type JobKind = keyof JobPayloads;

export interface JobKindSpec<P> {
  /** The job's id, or null for an anonymous job. */
  jobId(payload: P): string | null;
  /** Attempts after the first; bee-queue waits `backoffMs`, doubling, between them. */
  retries: number;
  backoffMs: number;
  /** Take back jobs of a worker that died mid-job (bee-queue's stall check). */
  retakeStalled: boolean;
}

export const JOB_KINDS: { [K in JobKind]: JobKindSpec<JobPayloads[K]> } = {
  ingest: { jobId: () => null, retries: 3, backoffMs: 1_000, retakeStalled: true },
  // The send's claim and retries live on the message row (commands/deliverMessage.ts); its sweeper
  // re-queues sends whose job was lost or stalled.
  send: { jobId: (p) => p.messageId, retries: 0, backoffMs: 0, retakeStalled: false },
  // Three attempts; the last one records the failure on the message (processors/media.ts).
  media: { jobId: (p) => `media:${p.messageId}`, retries: 2, backoffMs: 1_000, retakeStalled: true },
  // Not retried: a failed call takes the node's error edge; a lost job, the session's safety timer.
  botWebhook: { jobId: (p) => `botwh:${p.sessionId}:${p.steps}`, retries: 0, backoffMs: 0, retakeStalled: false },
};

export const JOB_KIND_NAMES = Object.keys(JOB_KINDS) as JobKind[];
