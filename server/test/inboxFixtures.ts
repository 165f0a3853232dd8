import crypto from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { activateLicense } from '../src/commands/licenseActivation.js';
import { updateContact, upsertContact } from '../src/repositories/contacts.js';
import { findOrOpenConversation, noteMessage, updateConversation } from '../src/repositories/conversations.js';
import { insertMessage } from '../src/repositories/messages.js';
import { PASSWORD, startLicenseServiceProcess, startTestAppliance, type LicenseServiceProcess, type TestAppliance } from './support.js';

/**
 * The inbox tests' world: two teams, a supervisor and attendants per team, an admin, and WhatsApp
 * connections made through the API. Conversations are built with the messaging repositories, the same
 * calls ingest makes, so these tests do not depend on the webhook path.
 */
export interface InboxWorld {
  app: TestAppliance;
  licenseId: string;
  teamA: string;
  teamB: string;
  users: Record<'admin' | 'supA' | 'att1' | 'att2' | 'attB', { id: string; cookie: string }>;
  connection(phoneNumberId: string): Promise<string>;
}

export async function startInboxWorld(service: LicenseServiceProcess): Promise<InboxWorld> {
  const lic = await service.issueLicense({ limits: { users: 20, connections: 5 } });
  const app = await startTestAppliance({ licenseUrl: service.url, trustedKeys: service.trustedKeys });
  await activateLicense(app.deps, lic.key);
  const adminId = await app.addUser({ email: 'admin@loja.com.br', role: 'admin' });
  const admin = (await app.login('admin@loja.com.br', PASSWORD)).cookie;
  const team = async (name: string) => (await app.api('POST', '/api/teams', { cookie: admin, body: { name } })).body.id as string;
  const teamA = await team('Vendas');
  const teamB = await team('Suporte');
  const user = async (email: string, role: 'supervisor' | 'attendant', teamIds: string[]) => {
    const id = await app.addUser({ email, role, teamIds });
    return { id, cookie: (await app.login(email, PASSWORD)).cookie };
  };
  const users = {
    admin: { id: adminId, cookie: admin },
    supA: await user('sup.a@loja.com.br', 'supervisor', [teamA]),
    att1: await user('att1@loja.com.br', 'attendant', [teamA]),
    att2: await user('att2@loja.com.br', 'attendant', [teamA]),
    attB: await user('att.b@loja.com.br', 'attendant', [teamB]),
  };
  const connection = async (phoneNumberId: string) => {
    const res = await app.api('POST', '/api/connections', {
      cookie: admin,
      body: { channel: 'whatsapp', name: `Loja ${phoneNumberId}`, phoneNumberId, accessToken: `EAAG-${phoneNumberId}`, appSecret: 'app-secret-0123456789', verifyToken: 'verify-me-please' },
    });
    if (res.status !== 201) throw new Error(`connection: ${res.text}`);
    return res.body.id as string;
  };
  return { app, licenseId: lic.licenseId, teamA, teamB, users, connection };
}

let seq = 0;
const base = Date.UTC(2026, 10, 1, 12);

/** A customer's conversation with one inbound message at `at` (default: later than every earlier call). */
export async function makeConversation(
  app: TestAppliance,
  o: {
    connectionId: string; teamId: string | null; assigneeId?: string | null; status?: 'open' | 'resolved';
    name?: string; phone?: string; tags?: string[]; at?: Date;
  },
): Promise<{ id: string; contactId: string }> {
  const db = app.deps.db;
  const at = o.at ?? new Date(base + ++seq * 60_000);
  const phone = o.phone ?? `55119${String(10_000_000 + crypto.randomInt(89_999_999))}`;
  const contact = await upsertContact(db, { connectionId: o.connectionId, externalId: phone, matchKey: phone, profileName: o.name ?? null, fromCustomer: true, at: new Date() });
  if (o.tags) await updateContact(db, contact.id, { tags: o.tags });
  const { conversation } = await findOrOpenConversation(db, { connectionId: o.connectionId, contactId: contact.id, teamId: o.teamId, at });
  await insertMessage(db, {
    conversation_id: conversation.id, connection_id: o.connectionId, direction: 'in', origin: 'customer', type: 'text',
    body: 'oi, tudo bem?', status: 'received', at, provider_message_id: `wamid.${crypto.randomBytes(8).toString('hex')}`,
  });
  await noteMessage(db, conversation.id, { at, preview: 'oi, tudo bem?', inbound: true });
  if (o.assigneeId || o.status === 'resolved') {
    await updateConversation(db, conversation.id, {
      assignee_id: o.assigneeId ?? null,
      ...(o.status === 'resolved' ? { status: 'resolved', resolved_at: at } : {}),
    });
  }
  return { id: conversation.id, contactId: contact.id };
}

/** Every event a socket receives, in order, with a way to wait for one. */
export function record(socket: Socket) {
  const events: Array<{ event: string; data: any }> = [];
  socket.onAny((event: string, data: unknown) => events.push({ event, data }));
  return {
    events,
    /** Events about one conversation (conversation:* by id, message:* by conversationId). */
    about: (id: string) => events.filter((e) => e.data?.id === id || e.data?.conversation?.id === id || e.data?.message?.conversationId === id),
    async waitFor(pred: (e: { event: string; data: any }) => boolean, ms = 3000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const hit = events.find(pred);
        if (hit) return hit;
        if (Date.now() > deadline) throw new Error(`no matching event; got ${events.map((e) => e.event).join(', ')}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type ConversationSpec = Omit<Parameters<typeof makeConversation>[1], 'connectionId'> & { connectionId?: string };

/**
 * The queue tests' start: a license service, the inbox world, two connections (numbers from
 * `numberPrefix`), and `mk`, which records a named conversation in `ids` (on the first connection unless told).
 */
export async function startQueueFixture(numberPrefix: string, ids: Record<string, string>) {
  const service = await startLicenseServiceProcess();
  const w = await startInboxWorld(service);
  const conn1 = await w.connection(`${numberPrefix}000000001`);
  const conn2 = await w.connection(`${numberPrefix}000000002`);
  const mk = async (k: string, o: ConversationSpec) => {
    ids[k] = (await makeConversation(w.app, { connectionId: conn1, ...o })).id;
  };
  return { service, w, conn1, conn2, mk };
}
