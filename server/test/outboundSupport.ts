import { activateLicense } from '../src/commands/licenseActivation.js';
import { upsertContact } from '../src/repositories/contacts.js';
import { findOrOpenConversation, noteMessage } from '../src/repositories/conversations.js';
import type { OutboundMessageRow } from '../src/repositories/messages.js';
import { startMetaSimulator, type MetaSimulator } from '../../scripts/meta-simulator/simulator.js';
import { PASSWORD, startLicenseServiceProcess, startTestAppliance, type LicenseServiceProcess, type TestAppliance } from './support.js';

/** An activated appliance with an admin, a running worker, and the Meta simulator as its Graph API. */
export interface OutboundWorld {
  service: LicenseServiceProcess;
  sim: MetaSimulator;
  app: TestAppliance;
  admin: string;
  licenseId: string;
  planId: string;
  close(): Promise<void>;
}

export async function startOutboundWorld(limits: Record<string, number> = {}): Promise<OutboundWorld> {
  const service = await startLicenseServiceProcess();
  const sim = await startMetaSimulator();
  const app = await startTestAppliance({ licenseUrl: service.url, trustedKeys: service.trustedKeys, graphUrl: sim.url });
  const lic = await service.issueLicense({ limits: { connections: 5, ...limits } });
  await activateLicense(app.deps, lic.key);
  await app.addUser({ email: 'admin@loja.com.br', role: 'admin' });
  const admin = (await app.login('admin@loja.com.br', PASSWORD)).cookie;
  await app.startWorker();
  return {
    service, sim, app, admin, licenseId: lic.licenseId, planId: lic.planId,
    close: async () => {
      await app.close();
      await sim.close();
      await service.close();
    },
  };
}

/** A WhatsApp connection made through the API, with its number known to the simulator. */
export async function whatsappConnection(w: OutboundWorld, phoneNumberId: string, extra: Record<string, unknown> = {}): Promise<string> {
  const accessToken = `EAAG-token-${phoneNumberId}`;
  w.sim.addWhatsAppNumber({ phoneNumberId, accessToken });
  const res = await w.app.api('POST', '/api/connections', {
    cookie: w.admin,
    body: { channel: 'whatsapp', name: `Loja ${phoneNumberId.slice(-3)}`, phoneNumberId, accessToken, appSecret: 'app-secret-0123456789', verifyToken: 'verify-me-please', ...extra },
  });
  if (res.status !== 201) throw new Error(`connection: ${res.text}`);
  return res.body.id;
}

/**
 * A customer who wrote `lastInboundAgoMs` ago (the service window runs from then): contact, open
 * conversation and its window, as ingest would leave them.
 */
export async function conversationWith(w: OutboundWorld, connectionId: string, customerId: string, lastInboundAgoMs = 60_000): Promise<string> {
  const db = w.app.deps.db;
  const contact = await upsertContact(db, { connectionId, externalId: customerId, matchKey: customerId, profileName: 'Cliente', fromCustomer: true, at: new Date() });
  const at = new Date(w.app.clock.now().getTime() - lastInboundAgoMs);
  const { conversation } = await findOrOpenConversation(db, { connectionId, contactId: contact.id, teamId: null, at });
  await noteMessage(db, conversation.id, { at, preview: 'oi', inbound: true });
  return conversation.id;
}

export const messageRow = (w: OutboundWorld, id: string): Promise<OutboundMessageRow> => w.app.deps.db('messages').where({ id }).first();

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const waitForStatus = (w: OutboundWorld, id: string, status: string, timeoutMs?: number) =>
  waitFor(`message ${id} to be ${status}`, async () => {
    const row = await messageRow(w, id);
    return row?.status === status ? row : null;
  }, timeoutMs);

export const sendText = (w: OutboundWorld, conversationId: string, text: string, extra: Record<string, unknown> = {}, cookie = w.admin) =>
  w.app.api('POST', `/api/conversations/${conversationId}/messages`, { cookie, body: { type: 'text', text, ...extra } });

/** Graph calls that sent (or tried to send) a message to this customer. */
export const sendCallsTo = (w: OutboundWorld, to: string) =>
  w.sim.calls.filter((c) => c.method === 'POST' && /\/messages$/.test(c.path) && (c.body?.to === to || c.body?.recipient?.id === to));

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
