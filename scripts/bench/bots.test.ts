/**
 * Smoke test of the chatbot runtime benchmark: a --quick run (real PostgreSQL, Redis, appliance web and
 * worker processes, the Meta simulator in its own process) must finish, answer every customer message with
 * exactly one bot reply, fire every timer once, and report its figures beside the plain inbound baseline.
 * It checks the benchmark works, not the machine's speed: no latency, rate or CPU figure is asserted.
 */
import { runQuickBench, smokeTest as test } from './lib/quickRun.js';

test('bench:bots --quick answers every message once, fires every timer and reports bot and plain figures', async (t) => {
  t.timeout(100_000);
  const { code, out, err } = await runQuickBench('bots');
  t.is(code, 0, err.slice(-3000));

  const r = JSON.parse(out) as {
    setup: { liveSessions: number };
    params: { conversations: number; timers: number };
    plain: Array<{ rate: number; errorCount: number; storedPerSecond: number; cpuMs: number | null }> | null;
    bots: Array<{
      rate: number; errorCount: number; turnsPerSecond: number; unanswered: number; extraReplies: number;
      reply: { n: number; p50: number; p99: number }; cpuMs: number | null; cpuRatio: number | null;
      cpu: { parties: Array<{ name: string }> } | null;
    }>;
    timers: { sessions: number; fired: number; sent: number; fireLateness: { n: number; max: number } } | null;
    doubles: { customersWithExtraReplies: number; conversationsWithExtraBotMessages: number; duplicateClientIds: number };
    targets: Array<{ name: string; pass: boolean | null; detail: string }>;
  };
  t.is(r.setup.liveSessions, r.params.conversations, 'every conversation has a live session before the bot phases');
  t.deepEqual(r.plain?.map((p) => p.rate), [10, 20]);
  for (const p of r.plain ?? []) {
    t.is(p.errorCount, 0, `plain ${p.rate}/s errors`);
    t.true(Number.isFinite(p.storedPerSecond) && p.storedPerSecond > 0, `plain ${p.rate}/s reports its stored rate`);
  }
  t.deepEqual(r.bots.map((p) => p.rate), [10, 20]);
  for (const p of r.bots) {
    t.is(p.errorCount, 0, `bots ${p.rate}/s errors`);
    // Every customer answer got its reply by the end of the drain, and no more than one.
    t.is(p.unanswered, 0, `bots ${p.rate}/s: every answer was answered`);
    t.is(p.extraReplies, 0, `bots ${p.rate}/s: no extra replies`);
    t.true(p.reply.n > 0 && Number.isFinite(p.reply.p99), `bots ${p.rate}/s reports webhook-to-send latency`);
    t.true(Number.isFinite(p.turnsPerSecond) && p.turnsPerSecond > 0, `bots ${p.rate}/s reports turns/s`);
    if (process.platform === 'linux') {
      t.deepEqual(p.cpu?.parties.map((x) => x.name), ['web', 'worker', 'postgres', 'redis', 'meta simulator', 'load generator']);
      t.true(p.cpuMs !== null && p.cpuRatio !== null, `bots ${p.rate}/s reports CPU per turn and its ratio to the plain message`);
    }
  }
  t.is(r.timers?.sessions, r.params.timers);
  t.is(r.timers?.fired, r.params.timers, 'every timer fired');
  t.is(r.timers?.sent, r.params.timers, 'every firing reached the simulator');
  t.deepEqual(r.doubles, { customersWithExtraReplies: 0, conversationsWithExtraBotMessages: 0, duplicateClientIds: 0 });
  t.is(r.targets.length, 4);
});
