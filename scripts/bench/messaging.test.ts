/**
 * Smoke test of the messaging benchmark: a --quick run (real PostgreSQL, Redis, appliance web and worker
 * processes, a dozen dashboard sockets, the bare-Koa baseline) must finish, store and push every message,
 * and report figures. It checks the benchmark works, not the machine's speed: no latency or throughput is asserted.
 */
import { runQuickBench, smokeTest as test } from './lib/quickRun.js';

test('bench:messaging --quick stores and pushes every message and reports both pipeline and baseline', async (t) => {
  t.timeout(90_000);
  const { code, out, err } = await runQuickBench('messaging');
  t.is(code, 0, err.slice(-3000));

  const r = JSON.parse(out) as {
    pipeline: Array<{
      rate: number; ackedPerSecond: number; errorCount: number; storedPerSecond: number; undelivered: number;
      deliveriesPerMessage: number; expectedDeliveriesPerMessage: number; socket: { n: number; p99: number };
      drained: boolean; cpu: { parties: Array<{ name: string; cores: number }> } | null;
    }>;
    baseline: Array<{ rate: number; ackedPerSecond: number; errorCount: number }> | null;
    targets: Array<{ name: string; pass: boolean | null }>;
  };
  t.deepEqual(r.pipeline.map((p) => p.rate), [100, 200]);
  for (const p of r.pipeline) {
    t.is(p.errorCount, 0, `pipeline ${p.rate}/s errors`);
    t.true(p.drained, `pipeline ${p.rate}/s drained`);
    t.is(p.undelivered, 0, `pipeline ${p.rate}/s: every acknowledged message reached a socket`);
    t.true(p.socket.n > 0 && Number.isFinite(p.socket.p99));
    // Every socket in the audience got each message once: the push follows the visibility rule exactly.
    t.true(Math.abs(p.deliveriesPerMessage - p.expectedDeliveriesPerMessage) < 0.05,
      `deliveries per message ${p.deliveriesPerMessage} vs audience ${p.expectedDeliveriesPerMessage}`);
    // Figures are reported, never judged here: a busy machine may sustain less, and that is the bench's to say.
    t.true(Number.isFinite(p.storedPerSecond) && p.storedPerSecond > 0, `pipeline ${p.rate}/s reports its stored rate`);
    t.true(Number.isFinite(p.ackedPerSecond) && p.ackedPerSecond > 0, `pipeline ${p.rate}/s reports its ack rate`);
    if (process.platform === 'linux') t.deepEqual(p.cpu?.parties.map((x) => x.name), ['web', 'worker', 'postgres', 'redis', 'dashboard sockets', 'load generator']);
  }
  t.deepEqual(r.baseline?.map((p) => p.rate), [100, 200]);
  for (const p of r.baseline ?? []) t.is(p.errorCount, 0);
  t.is(r.targets.length, 3);
});
