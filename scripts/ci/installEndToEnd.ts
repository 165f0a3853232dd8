/**
 * `install --runtime docker` end to end against a real engine (issue #14 §2, first part), called by
 * scripts/test-docker.ts once the images are built.
 *
 * The vendor (license service and Meta's Graph API, scripts/ci/vendor.ts) runs in a network namespace of
 * its own, linked to the host by a veth pair: the appliance's containers reach it through Docker's
 * masquerade, so the license service sees the host's end of the link as the server's public IP, and the
 * key is bound to that address at activation, as on a VPS. Then the installer, from this checkout, as a
 * client admin runs it: preflight, secrets, rendered files, PostgreSQL and Redis healthy, migrations,
 * activation, web, worker and Caddy healthy, first admin. Through Caddy: the admin logs in, adds a
 * WhatsApp number, a signed webhook is stored and reaches a dashboard socket, and the reply reaches the
 * simulator. `install` again changes nothing. `uninstall --purge` leaves nothing behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io } from 'socket.io-client';
import { postWebhook, waEnvelope, waMessagesValue, waText } from '../meta-simulator/webhooks.js';
import { freePort } from '../services/freePort.js';

export interface Harness {
  root: string;
  run(cmd: string, args: string[], opts?: { quiet?: boolean; env?: NodeJS.ProcessEnv; input?: string }): Promise<{ code: number; out: string }>;
  timed<T>(name: string, fn: () => Promise<T>): Promise<T>;
  check(name: string, ok: boolean, detail?: string): boolean;
  waitFor(fn: () => Promise<boolean>, timeoutMs: number): Promise<boolean>;
  onCleanup(fn: (() => Promise<unknown>) | null): void;
}

const PHONE_NUMBER_ID = '109000000000001';
const CUSTOMER = '5511987650001';

/** A private link for the vendor: host end .1, namespace end .2, in a /30 picked by our pid. */
function link() {
  const n = process.pid % 250;
  const id = String(process.pid % 100_000);
  return { ns: `atendo-ci-vendor-${id}`, hostIf: `avh${id}`, nsIf: `avn${id}`, hostIp: `10.213.${n}.1`, vendorIp: `10.213.${n}.2` };
}

export async function installEndToEnd(h: Harness, o: { version: string; imagePrefix: string; vendorKeysDir: string }): Promise<void> {
  const l = link();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'atendo-ci-install-'));
  // PostgreSQL runs as its own user (we are root): it must be able to reach its data dir under here.
  fs.chmodSync(work, 0o755);
  const dir = path.join(work, 'opt-atendo');
  const project = `atendo-ci-install-${process.pid}`;
  const sh = (cmd: string) => h.run('bash', ['-c', cmd], { quiet: true });
  let vendor: ChildProcess | null = null;
  const installer = (args: string[]) => h.run(process.execPath, ['--import', 'tsx', path.join(h.root, 'installer/main.ts'), ...args, '--dir', dir], { quiet: true });
  const compose = (args: string[]) => h.run('docker', ['compose', '--project-name', project, '--project-directory', dir, '-f', path.join(dir, 'compose.yaml'), '--env-file', path.join(dir, '.env'), ...args], { quiet: true });

  const teardown = async () => {
    if (fs.existsSync(path.join(dir, 'compose.yaml'))) await compose(['down', '--volumes', '--remove-orphans', '--timeout', '10']);
    vendor?.kill('SIGTERM');
    if (vendor && vendor.exitCode === null) await new Promise((r) => { vendor!.once('exit', r); setTimeout(r, 15_000); });
    await sh(`ip netns del ${l.ns} 2>/dev/null; ip link del ${l.hostIf} 2>/dev/null; true`);
    fs.rmSync(work, { recursive: true, force: true });
  };
  h.onCleanup(teardown);
  try {
    // ── the vendor's own network
    const net = await sh([
      `ip netns add ${l.ns}`, `ip link add ${l.hostIf} type veth peer name ${l.nsIf}`, `ip link set ${l.nsIf} netns ${l.ns}`,
      `ip addr add ${l.hostIp}/30 dev ${l.hostIf}`, `ip link set ${l.hostIf} up`,
      `ip -n ${l.ns} addr add ${l.vendorIp}/30 dev ${l.nsIf}`, `ip -n ${l.ns} link set ${l.nsIf} up`, `ip -n ${l.ns} link set lo up`,
    ].join(' && '));
    if (!h.check('the vendor\'s network namespace and link', net.code === 0, net.out.trim())) return;
    const vendorDir = path.join(work, 'vendor');
    const licensePort = 8080;
    const graphPort = 4600;
    vendor = spawn('ip', ['netns', 'exec', l.ns, process.execPath, '--import', 'tsx', 'scripts/ci/vendor.ts', '--dir', vendorDir, '--host', l.vendorIp,
      '--license-port', String(licensePort), '--graph-port', String(graphPort), '--keys', o.vendorKeysDir], { cwd: h.root, stdio: ['ignore', 'pipe', 'pipe'] });
    let vendorOut = '';
    vendor.stdout!.on('data', (d) => { vendorOut += d; });
    vendor.stderr!.on('data', (d) => { vendorOut += d; });
    const readyFile = path.join(vendorDir, 'ready.json');
    const up = await h.timed('install: the vendor (license service, Graph API) up', () => h.waitFor(async () => fs.existsSync(readyFile), 90_000));
    if (!h.check('the license service and the simulator answer from their namespace', up, vendorOut.trim().split('\n').slice(-25).join('\n'))) return;
    const v = JSON.parse(fs.readFileSync(readyFile, 'utf8')) as { serviceUrl: string; graphUrl: string; licenseKey: string };
    const simUrl = v.graphUrl;

    // ── the client admin's install
    const httpPort = await freePort();
    const httpsPort = await freePort();
    const passwordFile = path.join(work, 'admin-password');
    const password = crypto.randomBytes(12).toString('base64url');
    fs.writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
    const email = 'dona@padaria.example.com';
    const installArgs = [
      'install', '--runtime', 'docker', '--yes', '--license-key', v.licenseKey, '--license-service-url', v.serviceUrl,
      '--admin-email', email, '--admin-name', 'Dona Maria', '--admin-password-file', passwordFile,
      '--version', o.version, '--image', `${o.imagePrefix}/appliance`, '--project-name', project,
      '--http-port', String(httpPort), '--https-port', String(httpsPort), '--graph-url', simUrl,
    ];
    const first = await h.timed('install: install --runtime docker', () => installer(installArgs));
    if (!h.check('install --runtime docker: preflight, secrets, stack, migrations, activation, app, first admin', first.code === 0, first.out.trim().split('\n').slice(-8).join(' | '))) {
      h.check('(the install\'s log)', false, (fs.existsSync(path.join(dir, 'logs', 'installer.log')) ? fs.readFileSync(path.join(dir, 'logs', 'installer.log'), 'utf8') : '').split('\n').slice(-25).join('\n'));
      return;
    }
    h.check('the license is bound to the server\'s public IP as the vendor sees it', first.out.includes(`bound to ${l.hostIp}`), first.out.match(/bound to \S+/)?.[0] ?? '');
    const env = fs.readFileSync(path.join(dir, '.env'), 'utf8');
    h.check('.env is 0600 and holds the install\'s own settings', (fs.statSync(path.join(dir, '.env')).mode & 0o777) === 0o600
      && env.includes(`ATENDO_PROJECT=${project}`) && env.includes(`ATENDO_HTTP_PORT=${httpPort}`) && env.includes(`PUBLIC_URL=http://${l.hostIp}:${httpPort}`));
    const status = await installer(['status', '--json']);
    let st: any = null;
    try { st = JSON.parse(status.out); } catch { /* judged below */ }
    h.check('status --json answers with the install\'s state', status.code === 0 && st !== null, status.out.trim().slice(0, 400));

    // ── through Caddy, as the dashboard and Meta would
    const base = `http://${l.hostIp}:${httpPort}`;
    const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: base }, body: JSON.stringify({ email, password }) });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    if (!h.check('the first admin logs in through Caddy', login.status === 200 && cookie.length > 0, `status ${login.status}`)) return;
    const api = async (method: string, route: string, body?: unknown) => {
      const r = await fetch(`${base}/api${route}`, { method, headers: { cookie, origin: base, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
      return { status: r.status, body: await r.json().catch(() => null) as any };
    };
    const accessToken = `EAAG${crypto.randomBytes(12).toString('hex')}`;
    const appSecret = crypto.randomBytes(16).toString('hex');
    await fetch(`${simUrl}/_sim/whatsapp-numbers`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phoneNumberId: PHONE_NUMBER_ID, accessToken, displayPhoneNumber: '+55 11 4000-0009' }) });
    const conn = await api('POST', '/connections', { channel: 'whatsapp', name: 'WhatsApp Padaria', phoneNumberId: PHONE_NUMBER_ID, accessToken, appSecret, verifyToken: 'ci-verify-token' });
    if (!h.check('a WhatsApp number is added', conn.status === 201, JSON.stringify(conn.body).slice(0, 300))) return;
    const webhookUrl = String(conn.body.webhookUrl);
    h.check('its webhook URL is the public one, through Caddy', webhookUrl.startsWith(`${base}/webhooks/whatsapp/`), webhookUrl);

    const socket = io(base, { transports: ['websocket'], extraHeaders: { cookie, origin: base }, reconnection: false, forceNew: true });
    const arrived = new Promise<any>((resolve) => socket.on('message:new', (e: any) => resolve(e)));
    const connected = await new Promise<boolean>((resolve) => { socket.once('connect', () => resolve(true)); socket.once('connect_error', () => resolve(false)); setTimeout(() => resolve(false), 10_000); });
    h.check('a dashboard socket connects through Caddy (websocket)', connected);
    const text = 'Bom dia! Vocês abrem no feriado?';
    const hook = await postWebhook(webhookUrl, waEnvelope([{ changes: [{ value: waMessagesValue({ phoneNumberId: PHONE_NUMBER_ID, contacts: [{ waId: CUSTOMER, name: 'Joana' }], messages: [waText(CUSTOMER, text)] }) }] }]), appSecret);
    h.check('a signed webhook through Caddy is acknowledged', hook.status === 200, `${hook.status} ${hook.text.slice(0, 200)}`);
    const live = await Promise.race([arrived, new Promise((r) => setTimeout(() => r(null), 15_000))]) as any;
    h.check('the stored message reaches the dashboard socket', live?.message?.body === text, JSON.stringify(live ?? 'nothing within 15 s').slice(0, 200));
    socket.close();
    const list = await api('GET', '/conversations?queue=all&status=all');
    const conversation = list.body?.items?.[0];
    h.check('the conversation is stored', list.status === 200 && list.body.items.length === 1, JSON.stringify(list.body).slice(0, 200));
    if (conversation) {
      const reply = await api('POST', `/conversations/${conversation.id}/messages`, { clientId: crypto.randomUUID(), type: 'text', text: 'Abrimos sim, das 8h às 12h!' });
      h.check('the attendant\'s reply is accepted', reply.status === 201 || reply.status === 202, `${reply.status} ${JSON.stringify(reply.body).slice(0, 200)}`);
      let sent: any[] = [];
      const reached = await h.waitFor(async () => {
        sent = await (await fetch(`${simUrl}/_sim/sent`)).json() as any[];
        return sent.some((s) => s.to === CUSTOMER && s.body?.text?.body === 'Abrimos sim, das 8h às 12h!');
      }, 20_000);
      h.check('the reply reaches Meta (the simulator) from the worker container', reached, `${sent.length} sends at the simulator`);
    }

    // ── install again: a repair that finds nothing to repair
    const before = { files: ['.env', 'compose.yaml', 'Caddyfile'].map((f) => fs.readFileSync(path.join(dir, f), 'utf8')), containers: (await compose(['ps', '-q'])).out.trim().split('\n').sort() };
    const second = await h.timed('install: install again', () => installer(installArgs));
    const after = { files: ['.env', 'compose.yaml', 'Caddyfile'].map((f) => fs.readFileSync(path.join(dir, f), 'utf8')), containers: (await compose(['ps', '-q'])).out.trim().split('\n').sort() };
    h.check('install run twice changes nothing the second time (files, containers)', second.code === 0
      && JSON.stringify(before) === JSON.stringify(after) && /already installed/.test(second.out), second.out.trim().split('\n').slice(-4).join(' | '));

    // ── uninstall --purge leaves no container, volume or network of the project
    const gone = await installer(['uninstall', '--purge', '--yes']);
    const left = await sh(`docker ps -aq --filter label=com.docker.compose.project=${project}; docker volume ls -q --filter label=com.docker.compose.project=${project}; docker network ls -q --filter label=com.docker.compose.project=${project}`);
    h.check('uninstall --purge removes the stack and its data', gone.code === 0 && left.out.trim() === '', `${gone.out.trim().split('\n').slice(-2).join(' | ')} / left: ${left.out.trim()}`);
  } finally {
    await h.timed('install: teardown', teardown);
    h.onCleanup(null);
  }
}
