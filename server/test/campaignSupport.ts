import crypto from 'node:crypto';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { clockEnv } from '../../installer/src/runtime/clockEnv.js';
import { postWebhook, waEnvelope, waMessagesValue, waText } from '../../scripts/meta-simulator/webhooks.js';
import { activateLicense } from '../src/commands/licenseActivation.js';
import { startInboundWorld, waitFor, type InboundWorld, type TestConnection } from './inbound.js';

/** The campaign tests' world: a licensed appliance, Meta's simulator, one WhatsApp number, an approved template. */
export interface CampaignWorld extends InboundWorld {
  wa: TestConnection;
  /** The number's WhatsApp Business Account (connection and simulator). */
  wabaId: string;
  templateId: string;
  api(method: string, route: string, body?: unknown): Promise<{ status: number; body: any; text: string; headers: Record<string, any> }>;
  /** `n` contacts of the number with a tag of their own (and consent), returned in creation order. */
  contacts(n: number, o?: { consent?: boolean }): Promise<{ tag: string; ids: string[]; phones: string[] }>;
  /** A campaign to those contacts, created through the API (not started). */
  campaign(tag: string, extra?: Record<string, unknown>): Promise<string>;
  get(id: string): Promise<any>;
  /** Waits for the campaign to reach `status`. */
  until(id: string, status: string, timeoutMs?: number): Promise<any>;
  /** Simulator send times (ms) and recipients of accepted and refused calls to the number's /messages. */
  sendCalls(): Array<{ to: string; at: number }>;
  say(phone: string, text: string): Promise<void>;
  spawnWorker(env?: Record<string, string>): { kill(signal: NodeJS.Signals): void; exited: Promise<unknown>; output(): string };
}

let phoneSeq = 0;
const newPhone = () => `55119${String(70_000_000 + ((Date.now() + phoneSeq++ * 7919) % 29_999_999)).padStart(8, '0')}`;

export async function startCampaignWorld(o: { env?: Record<string, string> } = {}): Promise<CampaignWorld> {
  const w = await startInboundWorld(o);
  // A number with its WABA, so the simulator's template status and number quality webhooks are its own.
  const wa = await w.addWhatsApp({ businessAccountId: `10${Date.now()}`.slice(0, 15) });
  const wabaId = w.sim.wabaOf(wa.externalId);
  const db = () => w.app.deps.db;
  // Room for every test's campaigns and sends this month (the plan tests issue their own licenses).
  await activateLicense(w.app.deps, (await w.service.issueLicense({ limits: { users: 50, connections: 20, campaignsPerMonth: 1_000, messagesPerMonth: 1_000_000 } })).key);
  const body = 'Olá {{1}}, temos uma oferta para você!';
  // The template at Meta too: the simulator then checks every campaign send against it (status, parameter count).
  w.sim.addTemplate({ wabaId, name: 'oferta_natal', language: 'pt_BR', category: 'MARKETING', components: [{ type: 'BODY', text: body, example: { body_text: [['Ana']] } }] });
  const [tpl] = await db()('message_templates').insert({
    connection_id: wa.id, name: 'oferta_natal', language: 'pt_BR', category: 'MARKETING', status: 'APPROVED',
    components: JSON.stringify([{ type: 'BODY', text: body, example: { body_text: [['Ana']] } }]),
  }).returning('id');
  const api: CampaignWorld['api'] = (method, route, body) => w.app.api(method, route, { cookie: w.adminCookie, body }) as never;
  const used = new Set<string>();
  return {
    ...w, wa, wabaId, templateId: tpl.id, api,
    contacts: async (n, x = {}) => {
      const tag = `t${crypto.randomBytes(4).toString('hex')}`;
      const phones: string[] = [];
      while (phones.length < n) {
        const p = newPhone();
        if (!used.has(p)) { used.add(p); phones.push(p); }
      }
      const rows = await db()('contacts').insert(phones.map((p, i) => ({ connection_id: wa.id, external_id: p, match_key: p, name: `Cliente ${i + 1}`, tags: [tag] }))).returning('id');
      const ids = rows.map((r: { id: string }) => r.id);
      if (x.consent !== false) {
        await db()('consents').insert(ids.map((id: string) => ({ connection_id: wa.id, contact_id: id, legal_basis: 'consent', granted_at: new Date(), source: 'manual' })));
      }
      return { tag, ids, phones };
    },
    campaign: async (tag, extra = {}) => {
      const res = await api('POST', '/api/campaigns', {
        name: `Campanha ${tag}`, connectionId: wa.id, templateId: tpl.id,
        templateParams: { 'body.1': { kind: 'contact_field', field: 'first_name' } },
        audience: { kind: 'filter', tags: { any: [tag] } }, ...extra,
      });
      if (res.status !== 201) throw new Error(`campaign: ${res.status} ${res.text}`);
      return res.body.id;
    },
    get: async (id) => (await api('GET', `/api/campaigns/${id}`)).body,
    until: async (id, status, timeoutMs = 30_000) => {
      try {
        return await waitFor(async () => {
          const c = (await api('GET', `/api/campaigns/${id}`)).body;
          return c.status === status ? c : null;
        }, timeoutMs, `campaign ${status}`);
      } catch (err) {
        const c = (await api('GET', `/api/campaigns/${id}`)).body;
        const rows = await db()('campaign_recipients as r').leftJoin('messages as m', 'm.id', 'r.message_id').where('r.campaign_id', id).whereNotIn('r.status', ['sent'])
          .select('r.status', 'r.reason', 'r.error_code', 'm.status as m_status', 'm.next_attempt_at', 'm.claimed_until', 'm.attempts', 'm.error_code as m_error');
        throw new Error(`${(err as Error).message}: ${JSON.stringify({ status: c.status, pause: c.pauseReason, waiting: c.waiting, progress: c.progress, now: w.app.clock.now(), rows: rows.slice(0, 5) })}`);
      }
    },
    sendCalls: () => w.sim.calls.filter((c) => c.method === 'POST' && c.path.endsWith(`/${wa.externalId}/messages`) && c.body?.to).map((c) => ({ to: String(c.body.to), at: c.at })),
    say: async (phone, text) => {
      const res = await postWebhook(wa.webhookUrl, waEnvelope([{ changes: [{ value: waMessagesValue({ phoneNumberId: wa.externalId, contacts: [{ waId: phone }], messages: [waText(phone, text, { timestamp: Math.floor(w.app.clock.now().getTime() / 1000) })] }), field: 'messages' }] }]), wa.appSecret);
      if (res.status !== 200) throw new Error(`webhook ${res.status}`);
    },
    spawnWorker: (env = {}) => {
      let output = '';
      const child = spawn(process.execPath, ['--import', 'tsx', path.resolve('server/src/entry/dev.ts'), 'worker'], {
        env: { PATH: process.env.PATH ?? '', ...clockEnv(), ...w.app.env, ATENDO_DEV_TRUSTED_KEYS_DIR: w.service.keysDir, LOG_LEVEL: 'warn', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout!.on('data', (d) => { output = (output + d).slice(-4000); });
      child.stderr!.on('data', (d) => { output = (output + d).slice(-4000); });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      return { kill: (s) => { child.kill(s); }, exited, output: () => output };
    },
  };
}
