/**
 * The messaging benchmark's load: pre-built, pre-signed WhatsApp webhooks (one text message each from a
 * customer picked at random) and an open-loop sender that POSTs the k-th at start + k/rate whatever
 * happened before. Ack latency counts from that due time, so a receiver that falls behind shows it
 * (no coordinated omission); requests wait in the keep-alive agent when all its sockets are busy.
 */
import http from 'node:http';
import { signBody, waEnvelope, waMessagesValue, waText } from '../../meta-simulator/webhooks.js';
import { Samples } from '../lib/stats.js';

export interface BenchConnection {
  id: string;
  phoneNumberId: string;
  appSecret: string;
  /** wa_ids of this connection's customers. */
  customers: string[];
}

export interface PreparedRequest {
  seq: number;
  connection: number;
  path: string;
  body: Buffer;
  signature: string;
}

export interface PreparedPhase {
  rate: number;
  /** Epoch ms of request 0 (the bodies carry their due time, so the plan is fixed before they are built). */
  startEpoch: number;
  requests: PreparedRequest[];
  warmupCount: number;
  buildMs: number;
}

const nextPick = (n: number) => Math.floor(Math.random() * n);

/**
 * Builds and signs every request of a phase before it starts (signing during the phase would load the
 * generator). Body text `bench <seq> <dueEpochMs>` lets the dashboards' process time each delivery.
 */
export function preparePhase(o: {
  connections: BenchConnection[];
  rate: number;
  warmupMs: number;
  measureMs: number;
  firstSeq: number;
  leadMs: number;
  /** Who sends the k-th message (default: a random customer of a random connection). */
  pick?: (k: number) => { connection: number; from: string };
  /** The message itself (default: a text `bench <seq> <dueEpochMs>`). */
  message?: (from: string, seq: number, due: number) => object;
}): PreparedPhase {
  const started = performance.now();
  const warmupCount = Math.round((o.rate * o.warmupMs) / 1000);
  const total = warmupCount + Math.round((o.rate * o.measureMs) / 1000);
  const startEpoch = Date.now() + o.leadMs;
  const requests: PreparedRequest[] = new Array(total);
  for (let k = 0; k < total; k++) {
    const picked = o.pick?.(k);
    const ci = picked ? picked.connection : nextPick(o.connections.length);
    const c = o.connections[ci]!;
    const from = picked ? picked.from : c.customers[nextPick(c.customers.length)]!;
    const seq = o.firstSeq + k;
    const due = startEpoch + (k * 1000) / o.rate;
    const payload = waEnvelope([{
      changes: [{
        value: waMessagesValue({
          phoneNumberId: c.phoneNumberId,
          contacts: [{ waId: from, name: `Cliente ${from.slice(-4)}` }],
          messages: [o.message ? o.message(from, seq, due) : waText(from, `bench ${seq} ${Math.round(due)}`, { timestamp: due / 1000 })],
        }),
      }],
    }]);
    const body = Buffer.from(JSON.stringify(payload));
    requests[k] = { seq, connection: ci, path: `/webhooks/whatsapp/${c.id}`, body, signature: signBody(body, c.appSecret) };
  }
  return { rate: o.rate, startEpoch, requests, warmupCount, buildMs: performance.now() - started };
}

/**
 * Prepares a phase whose planned start leaves time to build it (estimated from a small trial), so the due
 * times written into the bodies are not stale when the phase starts.
 */
export function prepareAhead(o: Omit<Parameters<typeof preparePhase>[0], 'leadMs'>): PreparedPhase {
  const trial = preparePhase({ ...o, rate: 1000, warmupMs: 0, measureMs: 200, firstSeq: 0, leadMs: 0 });
  const perRequestMs = trial.buildMs / Math.max(1, trial.requests.length);
  const count = (o.rate * (o.warmupMs + o.measureMs)) / 1000;
  let leadMs = Math.round(count * perRequestMs * 1.5) + 400;
  for (;;) {
    const phase = preparePhase({ ...o, leadMs });
    if (Date.now() < phase.startEpoch - 50) return phase;
    leadMs *= 2; // the build overran its planned start
  }
}

export interface AckResult {
  /** Latencies (ms from due time to the end of the response) of the requests due in the measured window. */
  latencies: Samples;
  /** Responses completed inside the measured window (2xx). */
  okInWindow: number;
  /** Non-2xx or network failures of measured requests, by kind. */
  errors: Map<string, number>;
  /** Seqs that were acknowledged (2xx), warm-up included. */
  acked: Set<number>;
  /** Largest number of requests outstanding at once (sent or waiting for a socket of the agent). */
  maxOutstanding: number;
  /** Latest a request was handed to http.request after its due time (generator lag). */
  maxDispatchLagMs: number;
  windowStartMono: number;
  windowEndMono: number;
}

const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Runs a prepared phase open-loop against 127.0.0.1:port. The measured window is the time the
 * non-warm-up requests are due in.
 */
export async function runOpenLoop(o: {
  port: number;
  agent: http.Agent;
  phase: PreparedPhase;
  shouldStop: () => boolean;
}): Promise<AckResult> {
  const { phase } = o;
  // Wait for the planned start (epoch), then run on the monotonic clock.
  const lead = phase.startEpoch - Date.now();
  if (lead > 0) await new Promise((r) => setTimeout(r, lead));
  const t0 = performance.now() - Math.max(0, Date.now() - phase.startEpoch);
  const interval = 1000 / phase.rate;
  const windowStartMono = t0 + phase.warmupCount * interval;
  const windowEndMono = t0 + phase.requests.length * interval;
  const res: AckResult = {
    latencies: new Samples(), okInWindow: 0, errors: new Map(), acked: new Set(), maxOutstanding: 0, maxDispatchLagMs: 0,
    windowStartMono, windowEndMono,
  };
  let outstanding = 0;
  let drained: (() => void) | null = null;

  const fire = (k: number, due: number) => {
    const r = phase.requests[k]!;
    const measured = k >= phase.warmupCount;
    outstanding++;
    res.maxOutstanding = Math.max(res.maxOutstanding, outstanding);
    let done = false;
    const finish = (status: number, code: string | null) => {
      if (done) return;
      done = true;
      const end = performance.now();
      outstanding--;
      const ok = status >= 200 && status < 300;
      if (ok) {
        res.acked.add(r.seq);
        if (end >= windowStartMono && end <= windowEndMono) res.okInWindow++;
      }
      if (measured) {
        if (ok) res.latencies.push(end - due);
        else {
          const key = status === 0 ? `network ${code}` : `HTTP ${status}${code ? ` ${code}` : ''}`;
          res.errors.set(key, (res.errors.get(key) ?? 0) + 1);
        }
      }
      if (outstanding === 0 && drained) drained();
    };
    const req = http.request({
      host: '127.0.0.1', port: o.port, method: 'POST', path: r.path, agent: o.agent,
      headers: {
        'content-type': 'application/json', 'content-length': r.body.length, 'user-agent': 'facebookexternalua',
        'x-hub-signature-256': r.signature,
      },
    }, (response) => {
      const status = response.statusCode ?? 0;
      if (status >= 200 && status < 300) {
        response.on('end', () => finish(status, null));
        response.resume();
        return;
      }
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () => {
        let code: string | null = null;
        try { code = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { error?: { code?: string } }).error?.code ?? null; } catch { /* not JSON */ }
        finish(status, code);
      });
      response.on('error', (err: NodeJS.ErrnoException) => finish(0, err.code ?? err.message));
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => finish(0, err.code ?? err.message));
    req.end(r.body);
  };

  let k = 0;
  while (k < phase.requests.length && !o.shouldStop()) {
    const now = performance.now();
    for (let due = t0 + k * interval; due <= now && k < phase.requests.length; due = t0 + ++k * interval) {
      res.maxDispatchLagMs = Math.max(res.maxDispatchLagMs, now - due);
      fire(k, due);
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  if (outstanding > 0) {
    await Promise.race([
      new Promise<void>((r) => { drained = r; }),
      new Promise((r) => setTimeout(r, REQUEST_TIMEOUT_MS + 5_000)),
    ]);
  }
  return res;
}
