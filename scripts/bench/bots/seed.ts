/**
 * The bots benchmark's license and flow, written straight through the repositories.
 *
 * License: the benchmark makes its own lease signing key (the appliance trusts it through
 * ATENDO_DEV_TRUSTED_KEYS_DIR, as the demo and tests do) and stores a lease it signed, for a plan with
 * the `chatbot` feature and room for everything the run sends. The appliance verifies it like one from
 * the license service; the heartbeat to the (absent) service fails, which only makes the state `warning`.
 *
 * Flow: start → a menu (question, option, 3 options) → per option a second question (3 options) → each
 * of its options back to the menu. Every node's options have the ids o1, o2, o3, so any answer o1–o3 is
 * valid wherever a customer stands: each customer message is answered with one question and the session
 * stays live. Each question has a long answer timeout with reminders, so the timer phase can move due
 * times to one instant and a reminder is what a firing sends.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { LEASE_FORMAT, signLease, type Lease } from '#protocol/lease.js';
import type { SigningKey } from '../../../license-service/src/lib/keyring.js';
import { FlowDefinition, type FlowNode } from '../../../server/src/bots/flowDefinition.js';
import { validateFlow } from '../../../server/src/bots/validateFlow.js';
import { insertFlow, insertVersion, setFlowState } from '../../../server/src/repositories/flows.js';
import { saveLease } from '../../../server/src/repositories/licenseState.js';

const DAY = 86_400_000;

export async function licenseAppliance(db: Knex, key: SigningKey, now = new Date()): Promise<void> {
  const installationId = crypto.randomUUID();
  const installationKeyId = crypto.randomBytes(16).toString('hex');
  const lease: Lease = {
    format: LEASE_FORMAT,
    licenseId: crypto.randomUUID(),
    client: { id: crypto.randomUUID(), name: 'Atendo bench' },
    plan: {
      id: crypto.randomUUID(), code: 'bench', name: 'Bench', version: 1,
      limits: { users: 1000, connections: 100, messagesPerMonth: 100_000_000, campaignsPerMonth: 1000 },
      features: { instagram: true, chatbot: true, campaigns: true, api: true },
    },
    boundIp: '127.0.0.1',
    installationId, installationKeyId,
    licenseExpiresAt: new Date(now.getTime() + 365 * DAY).toISOString(),
    issuedAt: now.toISOString(),
    notAfter: new Date(now.getTime() + 7 * DAY).toISOString(),
    seq: 1,
    nonce: crypto.randomBytes(16).toString('hex'),
    serviceTime: now.toISOString(),
    heartbeatIntervalSeconds: 3600,
    gracePeriodSeconds: 7 * 86_400,
  };
  const envelope = signLease(lease, key);
  const stored = await saveLease(db, { installationId, installationKeyId, envelope: JSON.stringify(envelope), seq: 1, clockOffsetMs: 0, serviceTime: now });
  if (!stored) throw new Error('the bench lease was not stored');
}

export const OPTION_IDS = ['o1', 'o2', 'o3'] as const;
export const OPTION_TITLES: Record<(typeof OPTION_IDS)[number], string> = { o1: 'Pedidos', o2: 'Pagamento', o3: 'Falar com alguém' };
export const REMINDER_TEXT = 'Ainda está aí? Escolha uma opção.';

export function benchFlow(): FlowDefinition {
  const options = OPTION_IDS.map((id) => ({ id, title: OPTION_TITLES[id] }));
  const question = (id: string, text: string, y: number): FlowNode => ({
    id, type: 'question', position: { x: 0, y },
    data: { text, answerType: 'option', options, timeout: { seconds: 3600, reminders: 3, reminderText: REMINDER_TEXT } },
  });
  const nodes: FlowNode[] = [
    { id: 'start', type: 'start', position: { x: 0, y: 0 }, data: {} },
    question('menu', 'Olá! Como podemos ajudar?', 120),
    question('qa', 'Pedidos: o que deseja?', 240),
    question('qb', 'Pagamento: o que deseja?', 360),
    question('qc', 'Atendimento: o que deseja?', 480),
  ];
  const edges: string[] = ['start.next>menu', 'menu.o1>qa', 'menu.o2>qb', 'menu.o3>qc'];
  for (const q of ['qa', 'qb', 'qc']) for (const o of OPTION_IDS) edges.push(`${q}.${o}>menu`);
  return FlowDefinition.parse({ nodes, edges: edges.map((e, i) => { const [from, rest] = e.split('.'); const [outcome, to] = rest!.split('>'); return { id: `e${i}`, from, outcome, to }; }) });
}

/** Creates the flow, publishes its one version and switches it live: from now on every customer message is the bot's. */
export async function publishBenchFlow(db: Knex, createdBy: string | null): Promise<{ flowId: string; versionId: string }> {
  const definition = benchFlow();
  const errors = validateFlow(definition, { teamIds: new Set(), userIds: new Set(), allowHttpLoopback: false }).filter((i) => i.severity === 'error');
  if (errors.length) throw new Error(`the bench flow does not validate: ${errors.map((e) => `${e.nodeId ?? ''} ${e.code}`).join(', ')}`);
  const flowId = await insertFlow(db, {
    name: 'Bench menu', connectionIds: [], trigger: { type: 'no_human' }, priority: 100, isFallback: false, exitKeywords: ['sair'],
    settings: { burstMs: 2000, maxNodeVisits: 100 }, draft: definition, createdBy,
  });
  const version = await db.transaction((trx) => insertVersion(trx, { flowId, definition, publishedBy: createdBy, at: new Date() }));
  await setFlowState(db, flowId, { publishedVersionId: version.id, status: 'live' });
  return { flowId, versionId: version.id };
}
