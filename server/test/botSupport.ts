import crypto from 'node:crypto';
import { postWebhook, waButtonReply, waEnvelope, waListReply, waMessagesValue, waText } from '../../scripts/meta-simulator/webhooks.js';
import type { SimSent } from '../../scripts/meta-simulator/simulator.js';
import type { FlowDefinition, FlowNode, FlowTrigger } from '../src/bots/flowDefinition.js';
import type { WorkerProcess } from '../src/processes/worker.js';
import { startInboundWorld, waitFor, type InboundWorld, type TestConnection } from './inbound.js';

/**
 * The bot tests' world: a licensed appliance with its worker (and so the bot subscriber), Meta's
 * simulator, one WhatsApp connection, and customers who write to it through signed webhooks.
 */
export interface BotWorld extends InboundWorld {
  wa: TestConnection;
  /** The worker started with the world (tests may stop it; app.close() stops every worker started). */
  worker: WorkerProcess;
  /** Creates a flow through the API, publishes its draft and switches it live; returns its id. */
  flow(o: { name?: string; trigger?: FlowTrigger; definition: FlowDefinition; priority?: number; isFallback?: boolean; exitKeywords?: string[]; settings?: object; status?: 'live' | 'test'; testPhone?: string }): Promise<string>;
  customer(): Customer;
}

export interface Customer {
  phone: string;
  say(text: string, o?: { timestamp?: number }): Promise<void>;
  tap(reply: { id: string; title: string }): Promise<void>;
  pick(reply: { id: string; title: string }): Promise<void>;
  /** What the bot sent this customer, in order (simulator's record). */
  received(): SimSent[];
  /** Waits until the customer has received `n` messages in all; returns them. */
  waitFor(n: number, what?: string): Promise<SimSent[]>;
  conversation(): Promise<{ id: string; human_since: Date | null; bot_session_id: string | null; assignee_id: string | null; status: string; team_id: string | null }>;
  /** The customer's sessions, newest first. */
  sessions(): Promise<Array<{ id: string; status: string; reason: string | null; node_id: string; variables: Record<string, unknown>; version_id: string; due_at: Date | null }>>;
  /** Waits until every message the customer sent was taken by the bot (bot_inputs), so "nothing was sent" means something. */
  settled(): Promise<void>;
}

let seq = 0;
/** A Brazilian mobile number no other customer of this test process has (10,000 of them per millisecond-window). */
export const phoneNumber = () => `55119${String(Date.now() % 1e4).padStart(4, '0')}${String(seq++ % 1e4).padStart(4, '0')}`;

export async function startBotWorld(o: { env?: Record<string, string> } = {}): Promise<BotWorld> {
  const w = await startInboundWorld(o);
  const wa = await w.addWhatsApp();
  const worker = await w.app.startWorker();
  const api = (method: string, route: string, body?: unknown) => w.app.api(method, route, { cookie: w.adminCookie, body });
  const db = () => w.app.deps.db;

  const flow: BotWorld['flow'] = async (f) => {
    const created = await api('POST', '/api/flows', {
      name: f.name ?? `Fluxo ${crypto.randomBytes(3).toString('hex')}`, trigger: f.trigger ?? { type: 'no_human' }, draft: f.definition,
      ...(f.priority !== undefined ? { priority: f.priority } : {}), ...(f.isFallback ? { isFallback: true } : {}),
      ...(f.exitKeywords ? { exitKeywords: f.exitKeywords } : {}), ...(f.settings ? { settings: f.settings } : {}),
    });
    if (created.status !== 201) throw new Error(`flow: ${created.status} ${created.text}`);
    const published = await api('POST', `/api/flows/${created.body.id}/publish`);
    if (published.status !== 200 && published.status !== 201) throw new Error(`publish: ${published.status} ${published.text}`);
    const status = await api('POST', `/api/flows/${created.body.id}/status`, { status: f.status ?? 'live', ...(f.testPhone ? { testPhone: f.testPhone } : {}) });
    if (status.status !== 200) throw new Error(`status: ${status.status} ${status.text}`);
    return created.body.id;
  };

  const customer = (): Customer => {
    const phone = phoneNumber();
    const sentIds: string[] = [];
    const post = async (message: object) => {
      sentIds.push((message as { id: string }).id);
      const res = await postWebhook(wa.webhookUrl, waEnvelope([{ changes: [{ value: waMessagesValue({ phoneNumberId: wa.externalId, messages: [message] }), field: 'messages' }] }]), wa.appSecret);
      if (res.status !== 200) throw new Error(`webhook: ${res.status} ${res.text}`);
    };
    const received = () => w.sim.sent.filter((s) => s.to === phone);
    const conversation = async () => waitFor(() => db()('conversations as c').join('contacts as ct', 'ct.id', 'c.contact_id')
      .where('ct.external_id', phone).orderBy('c.created_at', 'desc').first('c.id', 'c.human_since', 'c.bot_session_id', 'c.assignee_id', 'c.status', 'c.team_id'), 10_000, 'the conversation');
    return {
      phone,
      say: (text, x = {}) => post(waText(phone, text, x)),
      tap: (reply) => post(waButtonReply(phone, reply)),
      pick: (reply) => post(waListReply(phone, reply)),
      received,
      waitFor: (n, what) => waitFor(() => (received().length >= n ? received() : null), 15_000, what ?? `${n} bot messages to ${phone}`),
      conversation,
      sessions: async () => {
        const c = await conversation();
        return db()('bot_sessions').where({ conversation_id: c.id }).orderBy('started_at', 'desc').select('*');
      },
      settled: async () => {
        await waitFor(async () => {
          const stored = await db()('messages').whereIn('provider_message_id', sentIds).select('id');
          if (stored.length < sentIds.length) return null;
          const taken = await db()('bot_inputs').whereIn('message_id', stored.map((m) => m.id)).whereNot('outcome', 'pending').count<{ n: string }[]>('* as n');
          return Number(taken[0]!.n) === sentIds.length || null;
        }, 15_000, 'the bot to take every customer message');
        // The bot's messages are queued in the same step: give the send worker its moment.
        await waitFor(async () => !(await db()('messages').where({ status: 'queued', origin: 'bot' }).first('id')) || null, 15_000, 'bot sends');
      },
    };
  };
  return { ...w, wa, worker, flow, customer };
}

/** Builds a definition from nodes placed in a column and edges written as 'from.outcome>to'. */
export function flowOf(nodes: Array<Omit<FlowNode, 'position'> & { position?: { x: number; y: number } }>, edges: string[]): FlowDefinition {
  return {
    nodes: nodes.map((n, i) => ({ position: { x: 0, y: i * 120 }, ...n }) as FlowNode),
    edges: edges.map((e, i) => {
      const m = /^([\w-]+)\.([\w-]+)>([\w-]+)$/.exec(e);
      if (!m) throw new Error(`edge ${e}`);
      return { id: `e${i}`, from: m[1]!, outcome: m[2]!, to: m[3]! };
    }),
  };
}

/** What a sent message showed: its text (text body or interactive body) and its choices' titles. */
export function shownText(s: SimSent): string {
  const b = s.body;
  return b.type === 'text' ? b.text.body : b.type === 'interactive' ? b.interactive.body.text : JSON.stringify(b);
}
