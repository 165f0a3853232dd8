/**
 * CSV contact import benchmark (issue #13 §2/§7): `npm run bench:import -- [--rows N] [--runs R] [--json]`.
 *
 * Starts a real PostgreSQL (migrated) and Redis, the appliance's web process in this process (licensed
 * with a lease the bench signs), and an admin; writes a spreadsheet-like CSV of N rows (default 100,000: UTF-8 with a BOM, semicolons, Nome;
 * Telefone;Cidade;Valor, numbers in mixed forms, ~3% invalid, ~2% repeated, 5,000 already contacts) and
 * POSTs it to /api/contacts/import R times (default 3), each into a fresh WhatsApp connection except the
 * last, which re-imports into the first (every row merged). Reported: the median wall time of the
 * request (decode, parse, normalise, dedupe, upsert contacts, rows and consent, counts), rows per second,
 * the import's counts, and two baselines from the same run: the preview endpoint over the same body (HTTP,
 * decode and parse only) and a bare `insert … select generate_series` of N contacts in PostgreSQL.
 *
 * Loopback only; bounded (about a minute); torn down on success, failure or Ctrl-C.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '#kit/logger.js';
import { loadConfig } from '../../server/src/config.js';
import { hashPassword } from '../../server/src/lib/password.js';
import { trustedKeysFromPems } from '../../server/src/license/trust.js';
import { startWeb } from '../../server/src/processes/web.js';
import { generateSigningKey } from '../../license-service/src/lib/keyring.js';
import { licenseAppliance } from './bots/seed.js';
import { startServices } from './lib/appliance.js';
import { guardProcess, log, onTeardown, runAndReport, runAsScript } from './lib/teardown.js';

const PASSWORD = 'bench password 123';
const TARGET_S = 10;

interface Result {
  rows: number;
  bytes: number;
  runs: Array<{ seconds: number; into: 'new connection' | 'same connection'; counts: Record<string, number> }>;
  medianNewS: number;
  rowsPerSecond: number;
  reimportS: number;
  previewS: number;
  bareInsertS: number;
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2; };

/** Phone numbers as people type them, a few broken, a few repeated. */
function makeCsv(n: number, existing: string[]): Buffer {
  const cities = ['São Paulo', 'Florianópolis', 'Niterói', 'Belo Horizonte', 'Ribeirão Preto', 'Goiânia'];
  const lines = ['\uFEFFNome;Telefone;Cidade;Valor do boleto'];
  for (let i = 0; i < n; i++) {
    const local = `8${String(i).padStart(7, '0')}`;
    let phone: string;
    if (i % 33 === 7) phone = `12${i % 10}`; // invalid
    else if (i % 50 === 11) phone = `(11) 9${`8${String(i - 1).padStart(7, '0')}`.replace(/(\d{4})(\d{4})/, '$1-$2')}`; // the row before, again
    else if (i < existing.length) phone = existing[i]!;
    else if (i % 3 === 0) phone = `+55 11 9${local.slice(0, 4)}-${local.slice(4)}`;
    else if (i % 3 === 1) phone = `(11) 9${local.slice(0, 4)}-${local.slice(4)}`;
    else phone = `5511${local}`; // an old 8-digit mobile: gets its ninth digit
    lines.push(`"Cliente ${i}";${phone};${cities[i % cities.length]};"R$ ${(i % 500) + 10},${String(i % 100).padStart(2, '0')}"`);
  }
  return Buffer.from(lines.join('\r\n') + '\r\n', 'utf8');
}

async function run(o: { rows: number; runs: number }): Promise<Result> {
  const services = await startServices({ tmpPrefix: 'atendo-bench-import-', dbName: 'bench_import' });
  const db = services.db;
  // A lease the bench signs (bots/seed.ts), so the appliance is licensed and writable.
  const key = generateSigningKey(path.join(services.root, 'lease-keys'));
  await licenseAppliance(db, key);
  const web = await startWeb(loadConfig({
    NODE_ENV: 'production', HOST: '127.0.0.1', PORT: '0', PUBLIC_URL: 'http://atendo.bench', DATABASE_URL: services.databaseUrl, REDIS_URL: services.redis.url,
    DATA_DIR: path.join(services.root, 'data'), LICENSE_SERVICE_URL: 'http://127.0.0.1:9', LOG_LEVEL: 'silent', SESSION_SECRET: 'bench-session-secret-0123456789abcdef',
  }), { trustedKeys: trustedKeysFromPems([key.publicKeyPem]), log: createLogger('silent', 'bench'), heartbeats: false });
  onTeardown('web', () => web.stop());

  await db('users').insert({ email: 'admin@bench.test', name: 'Admin', role: 'admin', password_hash: await hashPassword(PASSWORD) });
  const login = await fetch(`${web.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@bench.test', password: PASSWORD }) });
  if (login.status !== 200) throw new Error(`login: ${login.status} ${await login.text()}`);
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const connection = async () => (await db('connections').insert({ channel: 'whatsapp', name: 'Bench', external_id: crypto.randomBytes(6).toString('hex'), secrets: 'x' }).returning('id'))[0].id as string;

  const first = await connection();
  // 5,000 contacts that exist before the import (customers who wrote already).
  const existing = Array.from({ length: 5_000 }, (_, i) => `5511${String(70_000_000 + i)}`);
  await db.raw(`insert into contacts (connection_id, external_id, match_key, name) select ?, k, k, 'Já cliente' from unnest(?::text[]) k`, [first, existing.map((e) => e.replace(/^5511/, '55119'))]);
  const csv = makeCsv(o.rows, existing);
  log(`CSV: ${o.rows.toLocaleString('en')} rows, ${(csv.length / 1e6).toFixed(1)} MB`);

  const post = async (route: string) => {
    const started = performance.now();
    const res = await fetch(`${web.url}${route}`, { method: 'POST', headers: { 'content-type': 'text/csv', cookie }, body: csv });
    const body = await res.json() as any;
    const seconds = (performance.now() - started) / 1000;
    if (!res.ok) throw new Error(`${route}: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
    return { seconds, body };
  };

  const previews: number[] = [];
  for (let i = 0; i < 3; i++) previews.push((await post('/api/contacts/import/preview')).seconds);

  const runs: Result['runs'] = [];
  for (let i = 0; i < o.runs; i++) {
    const into = i === 0 ? first : await connection();
    const { seconds, body } = await post(`/api/contacts/import?connectionId=${into}&tags=bench&consentBasis=legitimate_interest&filename=bench.csv`);
    runs.push({ seconds, into: 'new connection', counts: body.counts });
    log(`import ${i + 1}: ${seconds.toFixed(2)} s ${JSON.stringify(body.counts)}`);
  }
  const again = await post(`/api/contacts/import?connectionId=${first}&tags=bench2`);
  runs.push({ seconds: again.seconds, into: 'same connection', counts: again.body.counts });
  log(`re-import: ${again.seconds.toFixed(2)} s ${JSON.stringify(again.body.counts)}`);

  const bare = await connection();
  const t0 = performance.now();
  await db.raw(`insert into contacts (connection_id, external_id, match_key) select ?, '55119' || lpad(g::text, 8, '0'), '55119' || lpad(g::text, 8, '0') from generate_series(1, ?) g`, [bare, o.rows]);
  const bareInsertS = (performance.now() - t0) / 1000;

  const medianNewS = median(runs.filter((r) => r.into === 'new connection').map((r) => r.seconds));
  return {
    rows: o.rows, bytes: csv.length, runs, medianNewS, rowsPerSecond: Math.round(o.rows / medianNewS), reimportS: again.seconds,
    previewS: median(previews), bareInsertS,
  };
}

function report(r: Result): string {
  const c = r.runs[0]!.counts;
  return [
    '```',
    `bench:import — ${r.rows.toLocaleString('en')} CSV rows (${(r.bytes / 1e6).toFixed(1)} MB, UTF-8 BOM, ';'), POST /api/contacts/import on the real web process`,
    `import into a new connection: median ${r.medianNewS.toFixed(2)} s of ${r.runs.length - 1} (${r.runs.filter((x) => x.into === 'new connection').map((x) => x.seconds.toFixed(2)).join(', ')}) = ${r.rowsPerSecond.toLocaleString('en')} rows/s — target < ${TARGET_S} s: ${r.medianNewS < TARGET_S ? 'met' : 'MISSED'}`,
    `  counts (first run): total ${c.totalRows}, imported ${c.imported}, merged ${c.merged}, invalid ${c.invalid}, contacts ${c.contacts}`,
    `re-import of the same file into the same connection (every row merged): ${r.reimportS.toFixed(2)} s`,
    `baselines, same run: preview of the same body (HTTP + decode + parse) ${r.previewS.toFixed(2)} s; bare insert…select of ${r.rows.toLocaleString('en')} contacts ${r.bareInsertS.toFixed(2)} s`,
    '```',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { rows: { type: 'string', default: '100000' }, runs: { type: 'string', default: '3' }, json: { type: 'boolean', default: false } } });
  const rows = Number(values.rows);
  const runs = Number(values.runs);
  if (!(rows >= 1 && rows <= 100_000) || !(runs >= 1 && runs <= 10)) {
    process.stderr.write('--rows 1..100000, --runs 1..10\n');
    return 64;
  }
  guardProcess(240_000 + runs * 30_000);
  return runAndReport(() => run({ rows, runs }), report, values.json);
}

runAsScript(import.meta.url, main);
