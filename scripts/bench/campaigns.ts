/**
 * Campaign engine benchmark (issue #13 §3/§7): `npm run bench:campaigns -- [options]`.
 *
 * Real parts, as in production (scripts/bench/lib/appliance.ts): PostgreSQL, Redis, the appliance's web
 * and worker as separate processes, Meta's Graph API played by scripts/meta-simulator in its own process
 * (bots/simulator.ts), which reports each accepted send with the time it reached it. Licensed with a
 * lease the bench signs (bots/seed.ts). One WhatsApp number; N contacts with consent, seeded set-based
 * (one insert … select generate_series each); an approved template with one body parameter.
 *
 * The run, in order, one clock (this machine's):
 *  0. baseline, same run: the simulator alone, offered 1,000 sends/s straight from this process for 2 s
 *     (accepted per second at the simulator): the capacity the campaign's 80/s is measured against; and a
 *     bare `insert … select` of the same N contacts into an unindexed table (median of 3), the floor of
 *     the audience build.
 *  1. audience build: POST /api/campaigns/:id/start freezes the audience into campaign_recipients (one
 *     insert … select with the exclusion rules); the request's wall time, and the rows it wrote.
 *  2. pacing: the campaign at the number's configured rate (80/s) for --rate-test-seconds after a warm-up;
 *     sends per second counted at the simulator over the window (and the median of its 1-second buckets).
 *  3. pause: --pauses cycles of POST /pause → the last send the simulator receives after it (from the moment
 *     the request was sent), then POST /resume and a few seconds of sending; median and max.
 *  4. kill -9: a few seconds after the last resume the worker gets SIGKILL mid-run and a new worker starts;
 *     the campaign runs on for --after-kill-seconds (by default long enough for the send lease of the
 *     killed worker's claimed sends, 3 min, to run out, so they are judged: sent once, or failed
 *     send_in_doubt — never sent again), then it is cancelled. Duplicates are counted at the simulator:
 *     sends per recipient over the whole run, any above one.
 *  Worker RSS is sampled every second (/proc) for the first worker and the restarted one.
 *
 * Options:
 *   --recipients N          audience size (default 100000)
 *   --rate-test-seconds S   measured pacing window (default 60; after a 5 s warm-up)
 *   --pauses K              pause/resume cycles (default 3)
 *   --after-kill-seconds S  sending after the restart before the cancel (default 215: the 3-min lease + the sweep)
 *   --quick                 smoke run: 2,000 recipients, 4 s window, 2 pauses, 8 s after the kill
 *   --json                  print the result as JSON instead of the text block
 *
 * Loopback only; bounded by a watchdog; everything torn down on success, failure or Ctrl-C. 100,000 at 80/s
 * would take ~21 minutes: the campaign is cancelled after the kill phase, the figures need no more.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { generateSigningKey } from '../../license-service/src/lib/keyring.js';
import { hashPassword } from '../../server/src/lib/password.js';
import { SecretBox } from '../../server/src/lib/secretBox.js';
import { repoRoot, startAppliance, startServices, TSX } from './lib/appliance.js';
import { coresUsed, sampleCpu, type CoresUsed } from './lib/procCpu.js';
import { fmtInt, median } from './lib/stats.js';
import { guardProcess, log, onTeardown, sleep, startChild, wasInterrupted, type Child, runAndReport, runAsScript } from './lib/teardown.js';
import { licenseAppliance } from './bots/seed.js';
import { seedAppliance } from './messaging/seed.js';

const TARGET = { ratePerSecond: 80, rateTolerance: 0.05, rssGrowthMb: 50, pauseMs: 1000, buildS: 10, simulatorCapacity: 1000 } as const;
const PASSWORD = 'bench password 123';
const WARMUP_S = 5;

interface Options { recipients: number; rateTestSeconds: number; pauses: number; afterKillSeconds: number; quick: boolean; json: boolean; argv: string[] }

function readOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      recipients: { type: 'string' }, 'rate-test-seconds': { type: 'string' }, pauses: { type: 'string' }, 'after-kill-seconds': { type: 'string' },
      quick: { type: 'boolean', default: false }, json: { type: 'boolean', default: false }, help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write('usage: npm run bench:campaigns -- [--recipients 100000] [--rate-test-seconds 60] [--pauses 3] [--after-kill-seconds 215] [--quick] [--json]\n');
    process.exit(0);
  }
  const q = values.quick;
  const num = (name: string, v: string, min: number, max: number) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${name} must be a number from ${min} to ${max}`);
    return Math.round(n);
  };
  return {
    recipients: num('recipients', values.recipients ?? (q ? '2000' : '100000'), 100, 1_000_000),
    rateTestSeconds: num('rate-test-seconds', values['rate-test-seconds'] ?? (q ? '4' : '60'), 2, 1800),
    pauses: num('pauses', values.pauses ?? (q ? '2' : '3'), 1, 20),
    afterKillSeconds: num('after-kill-seconds', values['after-kill-seconds'] ?? (q ? '8' : '215'), 3, 1800),
    quick: q, json: values.json, argv,
  };
}

interface RssSeries { samples: number; firstMb: number; startMb: number; endMb: number; maxMb: number; growthMb: number; seconds: number }

interface Result {
  command: string;
  machine: { cpus: number; cpuModel: string; node: string; loadAvg1m: number };
  params: { recipients: number; ratePerSecond: number; rateTestSeconds: number; warmupSeconds: number; pauses: number; afterKillSeconds: number };
  baseline: { simulatorOffered: number; simulatorAcceptedPerSecond: number; bareInsertSelectS: number; bareInsertSelectRuns: number[] };
  build: { seconds: number; audience: number; pending: number; skipped: number; seedSeconds: number };
  pacing: { sends: number; seconds: number; perSecond: number; bucketMedian: number; bucketMin: number; bucketMax: number; deviation: number; cpu: CoresUsed | null };
  pause: { lastSendAfterMs: number[]; medianMs: number; maxMs: number; sendsAfterPause: number[] };
  kill: { sentAtKill: number; restartMs: number; sendsAfterRestart: number };
  final: {
    recipientsAtSimulator: number; sendsAtSimulator: number; duplicateRecipients: number; duplicateSends: number;
    statuses: Record<string, number>; inDoubt: number; claimedUnresolved: number; sentRowsNotAtSimulator: number; atSimulatorNotSentRows: number;
  };
  rss: { first: RssSeries | null; restarted: RssSeries | null };
  targets: Array<{ name: string; pass: boolean | null; detail: string }>;
}

/** VmRSS of a process in MB (null once it is gone). */
function rssMb(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

class RssSampler {
  private points: Array<{ at: number; mb: number }> = [];
  private timer: NodeJS.Timeout;
  constructor(readonly pid: number) {
    this.timer = setInterval(() => { const mb = rssMb(pid); if (mb !== null) this.points.push({ at: Date.now(), mb }); }, 1000);
    onTeardown(`rss sampler ${pid}`, async () => clearInterval(this.timer), () => clearInterval(this.timer));
  }

  stop(): void { clearInterval(this.timer); }

  /** Growth = median of the last 5 samples − median of 5 samples after `fromEpoch` (start-up and warm-up left out). */
  series(fromEpoch: number): RssSeries | null {
    const all = this.points;
    if (!all.length) return null;
    const after = all.filter((p) => p.at >= fromEpoch);
    const use = after.length >= 2 ? after : all;
    const start = median(use.slice(0, 5).map((p) => p.mb));
    const end = median(use.slice(-5).map((p) => p.mb));
    return {
      samples: all.length, firstMb: all[0]!.mb, startMb: start, endMb: end, maxMb: Math.max(...use.map((p) => p.mb)),
      growthMb: end - start, seconds: (use[use.length - 1]!.at - use[0]!.at) / 1000,
    };
  }
}

/** The simulator's process; every accepted send as (to, arrival epoch ms). */
class Simulator {
  url = '';
  readonly arrivals: Array<{ to: string; at: number }> = [];
  constructor(readonly proc: Child) {
    proc.child.on('message', (m: { type: string; items?: Array<string | number> }) => {
      if (m.type !== 'sends') return;
      const items = m.items ?? [];
      for (let i = 0; i + 1 < items.length; i += 2) this.arrivals.push({ to: items[i] as string, at: items[i + 1] as number });
    });
  }

  start(numbers: Array<{ phoneNumberId: string; accessToken: string }>): Promise<string> {
    return new Promise((resolve, reject) => {
      const onMsg = (m: { type: string; url?: string }) => {
        if (m.type === 'listening') { this.proc.child.off('message', onMsg); this.url = m.url!; resolve(m.url!); }
      };
      this.proc.child.on('message', onMsg);
      this.proc.child.once('exit', () => reject(new Error(`the simulator process exited:\n${this.proc.output()}`)));
      this.proc.child.send({ type: 'start', numbers });
    });
  }

  /** Arrivals reach us every 20 ms: wait a little so those up to `at` are in. */
  async settle(): Promise<void> { await sleep(120); }
  count(from: number, to: number, pred: (to: string) => boolean = () => true): number {
    let n = 0;
    for (const a of this.arrivals) if (a.at >= from && a.at < to && pred(a.to)) n++;
    return n;
  }
}

/** Open loop at `rate`/s for `seconds` straight to the simulator's /messages (the baseline). */
async function offerToSimulator(url: string, phoneNumberId: string, token: string, rate: number, seconds: number): Promise<void> {
  const u = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const total = rate * seconds;
  const start = Date.now() + 50;
  const pending: Promise<void>[] = [];
  for (let k = 0; k < total; k++) {
    const due = start + (k * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 1) await sleep(wait);
    const body = Buffer.from(JSON.stringify({ messaging_product: 'whatsapp', to: `5599${String(9_000_000_000 + k)}`, type: 'text', text: { body: 'baseline' } }));
    pending.push(new Promise<void>((resolve) => {
      const req = http.request({
        host: u.hostname, port: Number(u.port), method: 'POST', path: `/v23.0/${phoneNumberId}/messages`, agent,
        headers: { 'content-type': 'application/json', 'content-length': String(body.length), authorization: `Bearer ${token}` },
      }, (res) => { res.resume(); res.on('end', () => resolve()); res.on('error', () => resolve()); });
      req.on('error', () => resolve());
      req.end(body);
    }));
  }
  await Promise.all(pending);
  agent.destroy();
}

async function run(opts: Options): Promise<Result> {
  const loadAvg1m = os.loadavg()[0] ?? 0;
  const services = await startServices({ tmpPrefix: 'atendo-bench-campaigns-', dbName: 'atendo_bench_campaigns' });
  const { root, db, probe, postmaster, redisProc, tree, only } = services;
  const sessionSecret = crypto.randomBytes(32).toString('base64url');
  const encryptionKey = crypto.randomBytes(32).toString('hex');

  // ── seed: one number, N contacts with consent (set-based), an approved template, an admin, a lease
  const seeded = await seedAppliance(db, { teams: 1, users: 1, customersPerConnection: 1, sessionSecret, encryptionKey });
  const conn = seeded.connections[0]!;
  const keysDir = path.join(root, 'lease-keys');
  await licenseAppliance(db, generateSigningKey(keysDir));
  await db('users').insert({ email: 'admin@bench.test', name: 'Admin', role: 'admin', password_hash: await hashPassword(PASSWORD) });
  const seedStarted = performance.now();
  log(`seeding ${fmtInt(opts.recipients)} contacts with consent (set-based)…`);
  await db.raw(
    `insert into contacts (connection_id, external_id, match_key, name, tags)
     select ?, p, p, 'Cliente ' || g, array['bench'] from (select g, '55119' || lpad(g::text, 8, '0') as p from generate_series(1, ?) g) s`,
    [conn.id, opts.recipients],
  );
  await db.raw(
    `insert into consents (connection_id, contact_id, legal_basis, granted_at, source) select ?, id, 'consent', now(), 'import' from contacts where connection_id = ? and 'bench' = any(tags)`,
    [conn.id, conn.id],
  );
  await db.raw('analyze contacts; analyze consents');
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  const [tpl] = await db('message_templates').insert({
    connection_id: conn.id, name: 'oferta_bench', language: 'pt_BR', category: 'MARKETING', status: 'APPROVED',
    components: JSON.stringify([{ type: 'BODY', text: 'Olá {{1}}, temos uma oferta para você!', example: { body_text: [['Ana']] } }]),
  }).returning('id');
  const box = new SecretBox(encryptionKey);
  const token = (box.open((await db('connections').where({ id: conn.id }).first('secrets')).secrets, conn.id) as { accessToken: string }).accessToken;

  // ── the simulator in its own process, then the appliance pointed at it
  const simProc = startChild('meta simulator', process.execPath, [...TSX, 'scripts/bench/bots/simulator.ts'], { cwd: repoRoot, env: { PATH: process.env.PATH ?? '' }, ipc: true });
  const sim = new Simulator(simProc);
  const simUrl = await sim.start([{ phoneNumberId: conn.phoneNumberId, accessToken: token }]);

  // ── baseline 1: the simulator alone at 1,000/s
  log(`baseline: the simulator offered ${TARGET.simulatorCapacity}/s for 2 s…`);
  const b0 = Date.now();
  await offerToSimulator(simUrl, conn.phoneNumberId, token, TARGET.simulatorCapacity, 2);
  await sim.settle();
  const baselineSends = sim.arrivals.filter((a) => a.at >= b0 && a.to.startsWith('5599'));
  const span = baselineSends.length > 1 ? (Math.max(...baselineSends.map((a) => a.at)) - Math.min(...baselineSends.map((a) => a.at))) / 1000 : NaN;
  const simulatorAcceptedPerSecond = baselineSends.length > 1 ? (baselineSends.length - 1) / span : NaN;
  sim.arrivals.length = 0;

  // ── baseline 2: a bare insert … select of the same contacts (median of 3)
  await db.raw('create table bench_bare (campaign_id uuid, contact_id uuid, status text)');
  const bare: number[] = [];
  for (let i = 0; i < 3; i++) {
    await db.raw('truncate bench_bare');
    const t0 = performance.now();
    await db.raw(`insert into bench_bare select gen_random_uuid(), id, 'pending' from contacts where connection_id = ? and 'bench' = any(tags)`, [conn.id]);
    bare.push((performance.now() - t0) / 1000);
  }
  await db.raw('drop table bench_bare');

  const appliance = await startAppliance({ services, keysDir, encryptionKey, sessionSecret, cpuProfDir: null, env: { META_GRAPH_URL: simUrl, SEND_RATE_PER_SECOND: String(TARGET.ratePerSecond) } });
  const { web, webPort } = appliance;
  let worker = appliance.worker;
  const rssFirst = new RssSampler(worker.pid);
  const login = await fetch(`http://127.0.0.1:${webPort}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@bench.test', password: PASSWORD }) });
  if (login.status !== 200) throw new Error(`login: ${login.status} ${await login.text()}`);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  // fetch, not lib's request(): that one gives up after 10 s with status 0, and a large build may take longer.
  const api = async (method: string, route: string, body?: unknown) => {
    const r = await fetch(`http://127.0.0.1:${webPort}${route}`, {
      method, headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    if (r.status >= 300) throw new Error(`${method} ${route}: ${r.status} ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : null;
  };
  const alive = () => { for (const c of [web, worker, simProc]) if (c.exited()) throw new Error(`${c.name} died:\n${c.output()}`); if (wasInterrupted()) throw new Error('interrupted'); };

  const campaign = await api('POST', '/api/campaigns', {
    name: 'Bench', connectionId: conn.id, templateId: tpl.id, templateParams: { 'body.1': { kind: 'contact_field', field: 'first_name' } },
    audience: { kind: 'filter', tags: { any: ['bench'] } }, ratePerSecond: TARGET.ratePerSecond, requireConsent: true,
  });
  const id = campaign.id as string;

  // ── 1. audience build
  log(`starting the campaign: the audience of ${fmtInt(opts.recipients)} is frozen…`);
  const s0 = performance.now();
  const startedAt = Date.now();
  await api('POST', `/api/campaigns/${id}/start`, {});
  const buildSeconds = (performance.now() - s0) / 1000;
  const counts = (await probe.query(`select count(*)::int as audience, (count(*) filter (where status = 'pending'))::int as pending, (count(*) filter (where status = 'skipped'))::int as skipped
    from campaign_recipients where campaign_id = $1`, [id])).rows[0];

  // ── 2. pacing
  const windowStart = startedAt + WARMUP_S * 1000;
  const windowEnd = windowStart + opts.rateTestSeconds * 1000;
  log(`pacing: ${WARMUP_S} s warm-up, then ${opts.rateTestSeconds} s measured at the simulator…`);
  let cpuA: ReturnType<typeof sampleCpu> = null;
  while (Date.now() < windowStart) { alive(); await sleep(100); }
  cpuA = sampleCpu();
  while (Date.now() < windowEnd) { alive(); await sleep(250); }
  const cpuB = sampleCpu();
  await sim.settle();
  const sends = sim.count(windowStart, windowEnd);
  const buckets: number[] = [];
  for (let t = windowStart; t + 1000 <= windowEnd; t += 1000) buckets.push(sim.count(t, t + 1000));
  const perSecond = sends / opts.rateTestSeconds;
  const cpu = coresUsed(cpuA, cpuB, {
    web: tree(web.pid), worker: tree(worker.pid), postgres: tree(postmaster), redis: only(redisProc), 'meta simulator': tree(simProc.pid), bench: only(process.pid),
  });

  // ── 3. pause → last send
  const lastSendAfterMs: number[] = [];
  const sendsAfterPause: number[] = [];
  for (let i = 0; i < opts.pauses; i++) {
    alive();
    const p = Date.now();
    await api('POST', `/api/campaigns/${id}/pause`);
    await sleep(2500);
    await sim.settle();
    const after = sim.arrivals.filter((a) => a.at >= p);
    lastSendAfterMs.push(after.length ? Math.max(...after.map((a) => a.at)) - p : 0);
    sendsAfterPause.push(after.length);
    await api('POST', `/api/campaigns/${id}/resume`);
    await sleep(opts.quick ? 1500 : 3000);
  }

  // ── 4. kill -9 mid-run, restart
  await sleep(opts.quick ? 1000 : 2000);
  alive();
  await sim.settle();
  const sentAtKill = sim.arrivals.length;
  log(`kill -9 of the worker (pid ${worker.pid}) after ${fmtInt(sentAtKill)} sends; starting another…`);
  process.kill(worker.pid, 'SIGKILL');
  await new Promise<void>((resolve) => { if (worker.exited()) resolve(); else worker.child.once('exit', () => resolve()); });
  rssFirst.stop();
  const k0 = Date.now();
  worker = appliance.spawnWorker('appliance worker (restarted)');
  const rssRestarted = new RssSampler(worker.pid);
  // Ready once it sends again.
  let restartMs = NaN;
  for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
    alive();
    await sleep(100);
    if (sim.arrivals.some((a) => a.at > k0)) { restartMs = Math.min(...sim.arrivals.filter((a) => a.at > k0).map((a) => a.at)) - k0; break; }
  }
  const restartedAt = Date.now();
  log(`the restarted worker sends again after ${fmtInt(restartMs)} ms; running ${opts.afterKillSeconds} s before the cancel…`);
  while (Date.now() < k0 + opts.afterKillSeconds * 1000) { alive(); await sleep(500); }
  await api('POST', `/api/campaigns/${id}/cancel`);
  await sleep(2500);
  await sim.settle();
  rssRestarted.stop();
  const sendsAfterRestart = sim.count(k0, Date.now() + 1);

  // ── final counts: sends per recipient at the simulator, rows in the database
  const perRecipient = new Map<string, number>();
  for (const a of sim.arrivals) perRecipient.set(a.to, (perRecipient.get(a.to) ?? 0) + 1);
  let duplicateRecipients = 0;
  let duplicateSends = 0;
  for (const n of perRecipient.values()) if (n > 1) { duplicateRecipients++; duplicateSends += n - 1; }
  const statuses = Object.fromEntries((await probe.query(`select status, count(*)::int as n from campaign_recipients where campaign_id = $1 group by 1 order by 1`, [id])).rows.map((r) => [r.status, r.n]));
  const inDoubt = (await probe.query(`select count(*)::int as n from campaign_recipients where campaign_id = $1 and error_code = 'send_in_doubt'`, [id])).rows[0].n as number;
  const claimedUnresolved = (await probe.query(
    `select count(*)::int as n from messages where client_id like $1 and status = 'queued' and attempts > 0 and error_code is null`, [`campaign:${id}:%`])).rows[0].n as number;
  const sentPhones = new Set<string>((await probe.query(
    `select c.external_id from campaign_recipients r join contacts c on c.id = r.contact_id where r.campaign_id = $1 and r.status in ('sent', 'delivered', 'read')`, [id])).rows.map((r) => r.external_id));
  let sentRowsNotAtSimulator = 0;
  for (const p of sentPhones) if (!perRecipient.has(p)) sentRowsNotAtSimulator++;
  let atSimulatorNotSentRows = 0;
  for (const p of perRecipient.keys()) if (!sentPhones.has(p)) atSimulatorNotSentRows++;

  const first = rssFirst.series(windowStart);
  const restarted = rssRestarted.series(restartedAt + WARMUP_S * 1000);
  const deviation = perSecond / TARGET.ratePerSecond - 1;
  const pauseMedian = median(lastSendAfterMs);
  const targets: Result['targets'] = [
    { name: `audience build of ${fmtInt(opts.recipients)} < ${TARGET.buildS} s`, pass: buildSeconds < TARGET.buildS, detail: `${buildSeconds.toFixed(2)} s (bare insert…select ${median(bare).toFixed(2)} s)` },
    { name: `send rate within ${TARGET.rateTolerance * 100}% of ${TARGET.ratePerSecond}/s`, pass: Math.abs(deviation) <= TARGET.rateTolerance, detail: `${perSecond.toFixed(2)}/s (${(deviation * 100).toFixed(2)}%) over ${opts.rateTestSeconds} s` },
    { name: `worker RSS growth < ${TARGET.rssGrowthMb} MB`, pass: first ? first.growthMb < TARGET.rssGrowthMb && (!restarted || restarted.growthMb < TARGET.rssGrowthMb) : null,
      detail: first ? `${first.growthMb.toFixed(1)} MB over ${Math.round(first.seconds)} s (first worker)${restarted ? `, ${restarted.growthMb.toFixed(1)} MB over ${Math.round(restarted.seconds)} s (restarted)` : ''}` : 'no samples' },
    { name: `pause → last send < ${TARGET.pauseMs} ms`, pass: Math.max(...lastSendAfterMs) < TARGET.pauseMs, detail: `median ${Math.round(pauseMedian)} ms, max ${Math.round(Math.max(...lastSendAfterMs))} ms of ${lastSendAfterMs.length}` },
    { name: '0 duplicates after kill -9 and restart', pass: duplicateSends === 0, detail: `${duplicateSends} duplicate sends; ${inDoubt} in doubt (send_in_doubt)${claimedUnresolved ? `, ${claimedUnresolved} claimed by the killed worker still within their lease` : ''}` },
  ];
  return {
    command: `npm run bench:campaigns${opts.argv.length ? ` -- ${opts.argv.join(' ')}` : ''}`,
    machine: { cpus: os.availableParallelism(), cpuModel: os.cpus()[0]?.model ?? '?', node: process.version, loadAvg1m: Math.round(loadAvg1m * 100) / 100 },
    params: { recipients: opts.recipients, ratePerSecond: TARGET.ratePerSecond, rateTestSeconds: opts.rateTestSeconds, warmupSeconds: WARMUP_S, pauses: opts.pauses, afterKillSeconds: opts.afterKillSeconds },
    baseline: { simulatorOffered: TARGET.simulatorCapacity, simulatorAcceptedPerSecond, bareInsertSelectS: median(bare), bareInsertSelectRuns: bare },
    build: { seconds: buildSeconds, audience: counts.audience, pending: counts.pending, skipped: counts.skipped, seedSeconds },
    pacing: { sends, seconds: opts.rateTestSeconds, perSecond, bucketMedian: median(buckets), bucketMin: Math.min(...buckets), bucketMax: Math.max(...buckets), deviation, cpu },
    pause: { lastSendAfterMs, medianMs: pauseMedian, maxMs: Math.max(...lastSendAfterMs), sendsAfterPause },
    kill: { sentAtKill, restartMs, sendsAfterRestart },
    final: {
      recipientsAtSimulator: perRecipient.size, sendsAtSimulator: sim.arrivals.length, duplicateRecipients, duplicateSends, statuses, inDoubt, claimedUnresolved,
      sentRowsNotAtSimulator, atSimulatorNotSentRows,
    },
    rss: { first, restarted },
    targets,
  };
}

function report(r: Result): string {
  const mb = (s: RssSeries | null) => (s ? `${s.startMb.toFixed(1)} → ${s.endMb.toFixed(1)} MB (max ${s.maxMb.toFixed(1)}, at start-up ${s.firstMb.toFixed(1)}; ${s.samples} samples over ${Math.round(s.seconds)} s)` : 'n/a');
  const c = r.pacing.cpu;
  const lines = [
    '```',
    `bench:campaigns — ${r.command}`,
    `machine    ${r.machine.cpus} CPUs (${r.machine.cpuModel}), node ${r.machine.node}, load avg at start ${r.machine.loadAvg1m}; web, worker, PostgreSQL, Redis and the simulator share it`,
    `campaign   ${fmtInt(r.params.recipients)} recipients (contacts with consent, seeded set-based in ${r.build.seedSeconds.toFixed(1)} s), one number at ${r.params.ratePerSecond}/s, template with one body parameter`,
    `baseline   simulator alone offered ${fmtInt(r.baseline.simulatorOffered)}/s: accepted ${fmtInt(r.baseline.simulatorAcceptedPerSecond)}/s; bare insert…select of the contacts: median ${r.baseline.bareInsertSelectS.toFixed(2)} s (${r.baseline.bareInsertSelectRuns.map((x) => x.toFixed(2)).join(', ')})`,
    `build      POST /start froze ${fmtInt(r.build.audience)} rows (${fmtInt(r.build.pending)} pending, ${fmtInt(r.build.skipped)} skipped) in ${r.build.seconds.toFixed(2)} s`,
    `pacing     ${fmtInt(r.pacing.sends)} sends at the simulator in ${r.pacing.seconds} s after a ${r.params.warmupSeconds} s warm-up = ${r.pacing.perSecond.toFixed(2)}/s (${(r.pacing.deviation * 100).toFixed(2)}% vs ${r.params.ratePerSecond}/s); 1-s buckets median ${r.pacing.bucketMedian}, min ${r.pacing.bucketMin}, max ${r.pacing.bucketMax}`,
    c ? `cpu        ${c.parties.map((p) => `${p.name} ${p.cores.toFixed(2)}`).join(', ')} cores (machine busy ${c.machineBusy.toFixed(2)} of ${c.cores})` : 'cpu        n/a',
    `pause      POST /pause → last send at the simulator: ${r.pause.lastSendAfterMs.map((x) => `${Math.round(x)} ms`).join(', ')} (median ${Math.round(r.pause.medianMs)}); sends after the pause request: ${r.pause.sendsAfterPause.join(', ')}`,
    `kill -9    after ${fmtInt(r.kill.sentAtKill)} sends; the restarted worker sent again ${fmtInt(r.kill.restartMs)} ms after the kill, then ${fmtInt(r.kill.sendsAfterRestart)} sends before the cancel`,
    `result     ${fmtInt(r.final.sendsAtSimulator)} sends to ${fmtInt(r.final.recipientsAtSimulator)} recipients at the simulator: ${r.final.duplicateSends} duplicates (${r.final.duplicateRecipients} recipients); ` +
      `in doubt (send_in_doubt): ${r.final.inDoubt}; claimed by the killed worker and still within the lease: ${r.final.claimedUnresolved}`,
    `           rows ${Object.entries(r.final.statuses).map(([k, v]) => `${k} ${fmtInt(v)}`).join(', ')}; at the simulator but not sent in the rows: ${r.final.atSimulatorNotSentRows}; sent rows not at the simulator: ${r.final.sentRowsNotAtSimulator}`,
    `worker RSS first ${mb(r.rss.first)}`,
    `           restarted ${mb(r.rss.restarted)}`,
  ];
  for (const [i, t] of r.targets.entries()) lines.push(`${i === 0 ? 'targets' : '       '}    ${t.name}: ${t.pass === null ? 'N/A' : t.pass ? 'met' : 'MISSED'} — ${t.detail}`);
  lines.push('```');
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  let opts: Options;
  try {
    opts = readOptions(argv);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 64;
  }
  guardProcess(240_000 + (WARMUP_S + opts.rateTestSeconds + opts.pauses * 8 + opts.afterKillSeconds + 30) * 1000 + opts.recipients * 2);
  return runAndReport(() => run(opts), report, opts.json);
}

runAsScript(import.meta.url, main);
