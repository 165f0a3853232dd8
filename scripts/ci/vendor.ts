/**
 * The vendor's side of the Docker end-to-end (issue #14 §2), run by scripts/test-docker.ts inside a
 * network namespace of its own that plays "the internet": the license service (with its own PostgreSQL
 * and Redis) and Meta's Graph API (the simulator). The appliance's containers reach it through the host's
 * routing and Docker's masquerade, so the license service sees one address for the whole stack, the
 * host's end of the link, as it would see a VPS's public IP.
 *
 *   ip netns exec NS node --import tsx scripts/ci/vendor.ts --dir D --host IP --license-port P --graph-port G --keys K
 *
 * Leases are signed with the keys in K (the test vendor keys the CI appliance image trusts). Once both
 * answer it writes D/ready.json: the license service URL, the admin token, the simulator URL, and a
 * license key issued for a plan with every feature (bound at activation). SIGTERM stops everything.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startMetaSimulator } from '../meta-simulator/simulator.js';
import { createDatabase, startPostgres } from '../services/postgres.js';
import { startRedis } from '../services/redis.js';

const { values: v } = parseArgs({
  options: { dir: { type: 'string' }, host: { type: 'string' }, 'license-port': { type: 'string' }, 'graph-port': { type: 'string' }, keys: { type: 'string' } },
});
if (!v.dir || !v.host || !v['license-port'] || !v['graph-port'] || !v.keys) throw new Error('usage: vendor.ts --dir D --host IP --license-port P --graph-port G --keys K');
const dir = path.resolve(v.dir);
fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
const host = v.host;
const serviceUrl = `http://${host}:${v['license-port']}`;

const pg = await startPostgres({ dataDir: path.join(dir, 'pg'), password: crypto.randomBytes(12).toString('hex') });
const redis = await startRedis({ dataDir: path.join(dir, 'redis') });
await createDatabase(pg.url(), 'license_service');
const adminToken = crypto.randomBytes(24).toString('base64url');
const service = spawn(process.execPath, ['--import', 'tsx', path.resolve('license-service/src/entry/web.ts')], {
  env: {
    PATH: process.env.PATH ?? '', NODE_ENV: 'development', HOST: host, PORT: v['license-port'], DATABASE_URL: pg.url('license_service'),
    REDIS_URL: redis.url, SIGNING_KEYS_DIR: path.resolve(v.keys), LOG_LEVEL: 'warn',
    ADMIN_TOKENS: `ci:${crypto.createHash('sha256').update(adminToken).digest('hex')}`,
  },
  stdio: ['ignore', fs.openSync(path.join(dir, 'license-service.log'), 'a'), fs.openSync(path.join(dir, 'license-service.log'), 'a')],
});
const sim = await startMetaSimulator({ host, port: Number(v['graph-port']) });

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  service.kill('SIGTERM');
  await sim.close().catch(() => {});
  await redis.stop().catch(() => {});
  await pg.stop().catch(() => {});
  process.exit(0);
};
for (const sig of ['SIGTERM', 'SIGINT'] as const) { process.removeAllListeners(sig); process.on(sig, () => void stop()); }
service.once('exit', (code) => { if (!stopping) { process.stderr.write(`vendor: the license service exited (${code}); see ${dir}/license-service.log\n`); void stop(); } });

for (const deadline = Date.now() + 60_000; ;) {
  if (await fetch(`${serviceUrl}/ready`).then((r) => r.ok, () => false)) break;
  if (Date.now() > deadline) throw new Error(`the license service did not get ready; see ${dir}/license-service.log`);
  await new Promise((r) => setTimeout(r, 200));
}
const admin = async (method: string, route: string, body?: unknown) => {
  const res = await fetch(`${serviceUrl}/admin/v1${route}`, { method, headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
  const json = await res.json() as any;
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${JSON.stringify(json)}`);
  return json;
};
const plan = await admin('POST', '/plans', {
  code: 'ci-docker', name: 'Profissional', limits: { users: 10, connections: 3, messagesPerMonth: 50_000, campaignsPerMonth: 10 },
  features: { instagram: true, chatbot: true, campaigns: true, api: true },
});
const client = await admin('POST', '/clients', { name: 'Padaria Pão Quente', email: 'dono@padaria.example.com' });
const license = await admin('POST', '/licenses', { clientId: client.id, planId: plan.id, validDays: 365 });
fs.writeFileSync(path.join(dir, 'ready.json'), JSON.stringify({ serviceUrl, adminToken, graphUrl: sim.url, licenseKey: license.key, licenseId: license.id }, null, 2), { mode: 0o600 });
process.stdout.write(`vendor: license service ${serviceUrl}, Graph API ${sim.url}\n`);
