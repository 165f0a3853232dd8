import BeeQueue from 'bee-queue';
import type { Config } from '../config.js';

/**
 * The appliance's bee-queue queues. Jobs carry ids only: the database holds the truth (the webhook
 * inbox, the message row), so a job lost with Redis is found again by the worker's sweeper, and a job
 * run twice finds its work already done.
 *
 * - ingest: {} — stored webhook bodies wait (webhook_events): drain them into contacts, conversations, …
 * - send:   { messageId } — an outbound message to hand to Meta
 * - media:  { messageId } — an inbound attachment to download before Meta's URL expires
 */
export type IngestJob = Record<string, never>;
export interface SendJob { messageId: string }
export interface MediaJob { messageId: string }

export interface Queues {
  ingest: BeeQueue<IngestJob>;
  send: BeeQueue<SendJob>;
  media: BeeQueue<MediaJob>;
  close(): Promise<void>;
}

export function createQueues(config: Config, opts: { worker: boolean }): Queues {
  const settings: BeeQueue.QueueSettings = {
    prefix: 'atendo:bq',
    redis: { url: config.REDIS_URL } as BeeQueue.QueueSettings['redis'],
    isWorker: opts.worker,
    getEvents: false,
    sendEvents: false,
    activateDelayedJobs: opts.worker,
    removeOnSuccess: true,
    removeOnFailure: true,
    // Without events nothing would ever drop a saved job from the producer's in-memory map (a leak per job).
    storeJobs: false,
    // A worker killed mid-job leaves it "active"; another worker takes it back after this long.
    stallInterval: 5_000,
  };
  const ingest = new BeeQueue<IngestJob>('ingest', settings);
  const send = new BeeQueue<SendJob>('send', settings);
  const media = new BeeQueue<MediaJob>('media', settings);
  // bee-queue's connections reconnect by themselves; an error event without a listener would crash.
  for (const q of [ingest, send, media]) q.on('error', () => {});
  return {
    ingest,
    send,
    media,
    close: async () => {
      await Promise.allSettled([ingest.close(3_000), send.close(3_000), media.close(3_000)]);
    },
  };
}
