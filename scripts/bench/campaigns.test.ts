/**
 * Smoke test of the campaign benchmark: a --quick run (real PostgreSQL, Redis, appliance web and worker
 * processes, the Meta simulator in its own process; 2,000 recipients, a kill -9 of the worker and a
 * restart) must finish and report every figure. It checks the benchmark works, not the machine's speed:
 * no rate, time or memory figure is asserted — only that nobody was sent twice, which is correctness.
 */
import { runQuickBench, smokeTest as test } from './lib/quickRun.js';

test('bench:campaigns --quick builds, paces, pauses, survives a kill -9 without a duplicate, and reports its figures', async (t) => {
  t.timeout(110_000);
  const { code, out, err } = await runQuickBench('campaigns');
  t.is(code, 0, err.slice(-3000));

  const r = JSON.parse(out) as {
    command: string;
    params: { recipients: number };
    baseline: { simulatorAcceptedPerSecond: number; bareInsertSelectS: number };
    build: { seconds: number; audience: number; pending: number };
    pacing: { sends: number; perSecond: number };
    pause: { lastSendAfterMs: number[] };
    kill: { sentAtKill: number; sendsAfterRestart: number };
    final: { duplicateSends: number; inDoubt: number; claimedUnresolved: number; sendsAtSimulator: number };
    rss: { first: { samples: number; growthMb: number } | null; restarted: { samples: number } | null };
    targets: Array<{ name: string; pass: boolean | null }>;
  };
  t.is(r.command, 'npm run bench:campaigns -- --quick --json');
  t.is(r.build.audience, r.params.recipients, 'the whole audience frozen');
  t.is(r.build.pending, r.params.recipients);
  t.true(Number.isFinite(r.build.seconds) && Number.isFinite(r.baseline.bareInsertSelectS));
  t.true(r.baseline.simulatorAcceptedPerSecond > 0, 'the simulator baseline reports');
  t.true(r.pacing.sends > 0 && Number.isFinite(r.pacing.perSecond), 'the pacing window saw sends');
  t.is(r.pause.lastSendAfterMs.length, 2);
  t.true(r.pause.lastSendAfterMs.every(Number.isFinite));
  t.true(r.kill.sentAtKill > 0);
  t.true(r.kill.sendsAfterRestart > 0, 'the restarted worker carried on');
  t.is(r.final.duplicateSends, 0, 'nobody sent twice across the kill -9');
  t.true(Number.isInteger(r.final.inDoubt) && Number.isInteger(r.final.claimedUnresolved));
  if (process.platform === 'linux') {
    t.true((r.rss.first?.samples ?? 0) > 0 && Number.isFinite(r.rss.first!.growthMb), 'worker RSS sampled');
    t.true((r.rss.restarted?.samples ?? 0) > 0);
  }
  t.is(r.targets.length, 5);
});
