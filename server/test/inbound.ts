import crypto from 'node:crypto';
import { startMetaSimulator, type MetaSimulator } from '../../scripts/meta-simulator/simulator.js';
import { activateLicense } from '../src/commands/licenseActivation.js';
import { PASSWORD, startLicenseServiceProcess, startTestAppliance, type LicenseServiceProcess, type TestAppliance } from './support.js';

/** Shared set-up of the inbound tests (webhooks, ingest, reliability): a licensed appliance, Meta's simulator, an admin. */
export interface InboundWorld {
  service: LicenseServiceProcess;
  sim: MetaSimulator;
  app: TestAppliance;
  adminCookie: string;
  /** A WhatsApp number; with `businessAccountId` its WABA (at the simulator too), which account webhooks are addressed to. */
  addWhatsApp(o?: { teamId?: string | null; displayPhoneNumber?: string; businessAccountId?: string }): Promise<TestConnection>;
  addInstagram(o?: { teamId?: string | null }): Promise<TestConnection>;
  close(): Promise<void>;
}

export interface TestConnection {
  id: string;
  channel: 'whatsapp' | 'instagram';
  externalId: string;
  accessToken: string;
  appSecret: string;
  verifyToken: string;
  webhookUrl: string;
}

const digits = (n: number) => Array.from({ length: n }, (_, i) => (i === 0 ? crypto.randomInt(1, 10) : crypto.randomInt(0, 10))).join('');
const secret = () => crypto.randomBytes(16).toString('hex');

export async function startInboundWorld(o: { env?: Record<string, string> } = {}): Promise<InboundWorld> {
  const service = await startLicenseServiceProcess();
  const sim = await startMetaSimulator();
  const app = await startTestAppliance({ licenseUrl: service.url, trustedKeys: service.trustedKeys, graphUrl: sim.url, env: o.env });
  await activateLicense(app.deps, (await service.issueLicense({ limits: { users: 50, connections: 20 } })).key);
  await app.addUser({ email: 'admin@loja.com.br', role: 'admin' });
  const adminCookie = (await app.login('admin@loja.com.br', PASSWORD)).cookie;

  const add = async (channel: 'whatsapp' | 'instagram', teamId: string | null | undefined, extra: Record<string, unknown>) => {
    const c = { externalId: digits(15), accessToken: `EAAG${secret()}`, appSecret: secret(), verifyToken: secret() };
    const body = channel === 'whatsapp'
      ? { channel, name: `WA ${c.externalId.slice(-4)}`, phoneNumberId: c.externalId, ...extra }
      : { channel, name: `IG ${c.externalId.slice(-4)}`, accountId: c.externalId };
    const res = await app.api('POST', '/api/connections', {
      cookie: adminCookie,
      body: { ...body, accessToken: c.accessToken, appSecret: c.appSecret, verifyToken: c.verifyToken, ...(teamId ? { teamId } : {}) },
    });
    if (res.status !== 201) throw new Error(`connection: ${res.status} ${res.text}`);
    if (channel === 'whatsapp') sim.addWhatsAppNumber({ phoneNumberId: c.externalId, accessToken: c.accessToken, ...(extra.businessAccountId ? { wabaId: String(extra.businessAccountId) } : {}) });
    else sim.addInstagramAccount({ accountId: c.externalId, accessToken: c.accessToken });
    return { ...c, id: res.body.id as string, channel, webhookUrl: `${app.url}/webhooks/${channel}/${res.body.id}` };
  };

  return {
    service, sim, app, adminCookie,
    addWhatsApp: (x = {}) => add('whatsapp', x.teamId, {
      ...(x.displayPhoneNumber ? { displayPhoneNumber: x.displayPhoneNumber } : {}), ...(x.businessAccountId ? { businessAccountId: x.businessAccountId } : {}),
    }),
    addInstagram: (x = {}) => add('instagram', x.teamId, {}),
    close: async () => {
      await app?.close();
      await sim?.close();
      await service?.close();
    },
  };
}

/** Polls until `fn` gives a truthy value (returned), or fails after `timeoutMs`. */
export async function waitFor<T>(fn: () => Promise<T> | T, timeoutMs = 10_000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const newPhoneNumberId = () => digits(15);
