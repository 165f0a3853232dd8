import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import forge from 'node-forge';
import { createApp } from '../src/app.js';
import { buildDeps, closeDeps } from '../src/bootstrap.js';
import { loadConfig } from '../src/config.js';
import type { Deps } from '../src/deps.js';
import { generateSigningKey } from '../src/lib/keyring.js';
import { createLogger } from '#kit/logger.js';
import { activationRequest, heartbeatRequest, type Fingerprint, type Usage } from '#protocol/applianceRequests.js';
import { SIGNATURE_HEADER } from '#protocol/requestSigning.js';
import { startRedis, type RunningRedis } from '../../scripts/services/redis.js';
import { cloneTestDatabase } from '../../scripts/services/testDatabases.js';

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: any;
  text: string;
}

/** A plain HTTP call; `localAddress` picks the source IP (any 127.x.y.z works on Linux loopback). */
export function call(
  method: string,
  url: string,
  opts: { body?: unknown; raw?: string | Buffer; headers?: Record<string, string>; localAddress?: string } = {},
): Promise<HttpResult> {
  const payload = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  const headers: Record<string, string> = { ...opts.headers };
  if (payload !== undefined) {
    headers['content-type'] ??= 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, localAddress: opts.localAddress, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try { body = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text });
      });
    });
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

export interface TestClock {
  now(): Date;
  advance(ms: number): void;
}

function testClock(): TestClock {
  let offset = 0;
  return { now: () => new Date(Date.now() + offset), advance: (ms) => { offset += ms; } };
}

export interface TestService {
  url: string;
  deps: Deps;
  clock: TestClock;
  adminToken: string;
  /** Calls an admin route with the admin token. */
  admin(method: string, route: string, body?: unknown): Promise<HttpResult>;
  close(): Promise<void>;
}

/** Starts the real license service on loopback with its own database, Redis and signing key. */
export async function startTestService(env: Record<string, string> = {}): Promise<TestService> {
  const database = await cloneTestDatabase('licenseService');
  const redis: RunningRedis = await startRedis();
  const keysDir = fs.mkdtempSync(path.join(process.env.ATENDO_TEST_TMP ?? os.tmpdir(), 'keys-'));
  generateSigningKey(keysDir);
  const adminToken = crypto.randomBytes(24).toString('base64url');
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    REDIS_URL: redis.url,
    ADMIN_TOKENS: `tester:${crypto.createHash('sha256').update(adminToken).digest('hex')}`,
    SIGNING_KEYS_DIR: keysDir,
    LOG_LEVEL: 'silent',
    ...env,
  });
  const clock = testClock();
  const deps = buildDeps(config, { log: createLogger('silent', 'test'), now: clock.now });
  const server = http.createServer(createApp(deps).callback());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    deps,
    clock,
    adminToken,
    admin: (method, route, body) =>
      call(method, `${url}/admin/v1${route}`, { body, headers: { authorization: `Bearer ${adminToken}` } }),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await closeDeps(deps);
      await redis.stop();
      await database.drop();
      fs.rmSync(keysDir, { recursive: true, force: true });
    },
  };
}

export const defaultLimits = { users: 5, connections: 2, messagesPerMonth: 10_000, campaignsPerMonth: 4 };
export const defaultFeatures = { instagram: true, chatbot: true, campaigns: false, api: false };

let cnpjSeq = 0;
/** A fresh valid CNPJ, formatted (clients are unique by tax id): random root, a counter, check digits. */
export function newCnpj(): string {
  const root = `${String(crypto.randomInt(10_000)).padStart(4, '0')}${String(++cnpjSeq % 10_000).padStart(4, '0')}0001`;
  const digit = (d: string) => {
    const weights = d.length === 12 ? [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2] : [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
    const r = [...d].reduce((sum, c, i) => sum + Number(c) * weights[i]!, 0) % 11;
    return r < 2 ? 0 : 11 - r;
  };
  const d13 = root + digit(root);
  const all = d13 + digit(d13);
  return `${all.slice(0, 2)}.${all.slice(2, 5)}.${all.slice(5, 8)}/${all.slice(8, 12)}-${all.slice(12)}`;
}

/** A plan, a client and a license: what most protocol tests start from. */
export async function issueTestLicense(
  svc: TestService,
  opts: { boundIp?: string; validDays?: number; limits?: Partial<typeof defaultLimits> } = {},
): Promise<{ key: string; licenseId: string; planId: string; clientId: string }> {
  const code = `p-${crypto.randomBytes(4).toString('hex')}`;
  const plan = await svc.admin('POST', '/plans', { code, name: 'Pro', limits: { ...defaultLimits, ...opts.limits }, features: defaultFeatures });
  if (plan.status !== 201) throw new Error(`plan: ${plan.text}`);
  const client = await svc.admin('POST', '/clients', { name: 'Padaria Pão Quente', email: 'dono@padaria.com.br', taxId: newCnpj() });
  if (client.status !== 201) throw new Error(`client: ${client.text}`);
  const lic = await svc.admin('POST', '/licenses', {
    clientId: client.body.id, planId: plan.body.id, validDays: opts.validDays ?? 365, ...(opts.boundIp ? { boundIp: opts.boundIp } : {}),
  });
  if (lic.status !== 201) throw new Error(`license: ${lic.text}`);
  return { key: lic.body.key, licenseId: lic.body.id, planId: plan.body.id, clientId: client.body.id };
}

/** A simulated appliance: its own key pair (node-forge, as the real one) and machine fingerprint. */
export class TestAppliance {
  readonly privateKey: crypto.KeyObject;
  readonly publicKeyPem: string;
  readonly fingerprint: Fingerprint;
  installationId = '';

  constructor(
    private readonly svc: TestService,
    readonly localAddress = '127.0.0.1',
    fingerprint?: Partial<Fingerprint>,
  ) {
    const pair = forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
    this.privateKey = crypto.createPrivateKey(forge.pki.privateKeyToPem(pair.privateKey));
    this.publicKeyPem = forge.pki.publicKeyToPem(pair.publicKey);
    this.fingerprint = {
      machineId: crypto.randomBytes(16).toString('hex'),
      hostname: 'vps-atendo',
      macs: ['52:54:00:12:34:56'],
      cpu: 'AMD EPYC 7763',
      ...fingerprint,
    };
  }

  async activate(licenseKey: string, opts: { localAddress?: string } = {}): Promise<HttpResult> {
    const req = activationRequest({
      licenseKey, publicKeyPem: this.publicKeyPem, privateKey: this.privateKey, fingerprint: this.fingerprint,
      hostname: this.fingerprint.hostname, version: '1.0.0', now: this.svc.clock.now(),
    });
    const res = await this.send('/v1/activate', req, opts.localAddress);
    if (res.status === 200) this.installationId = res.body.installationId;
    return res;
  }

  heartbeatRequest(usage: Partial<Usage> = {}, opts: { fingerprint?: Fingerprint; nonce?: string } = {}) {
    return heartbeatRequest({
      installationId: this.installationId, privateKey: this.privateKey, fingerprint: opts.fingerprint ?? this.fingerprint,
      version: '1.0.0', usage: { users: 1, connections: 0, messagesThisMonth: 0, campaignsThisMonth: 0, ...usage },
      now: this.svc.clock.now(), nonce: opts.nonce,
    });
  }

  heartbeat(usage: Partial<Usage> = {}, opts: { localAddress?: string; fingerprint?: Fingerprint } = {}): Promise<HttpResult> {
    return this.send('/v1/heartbeat', this.heartbeatRequest(usage, opts), opts.localAddress);
  }

  send(route: string, req: { body: string; signature: string }, localAddress?: string): Promise<HttpResult> {
    return call('POST', `${this.svc.url}${route}`, {
      raw: req.body,
      headers: { [SIGNATURE_HEADER]: req.signature },
      localAddress: localAddress ?? this.localAddress,
    });
  }
}

/** The trusted key set an appliance would ship with, for this test service. */
export function trustedKeysOf(svc: TestService): Map<string, crypto.KeyObject> {
  return new Map(svc.deps.keyring.all.map((k) => [k.kid, crypto.createPublicKey(k.publicKeyPem)]));
}
