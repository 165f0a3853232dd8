import test from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './services/freePort.js';

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (err) { return (err as NodeJS.ErrnoException).code === 'EPERM'; }
}

/** Runs the README's demo until it prints READY; returns its output and a stopper. */
async function runDemo(dataDir: string, port: number, appPort: number, graphPort: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], {
    env: { ...process.env, DEMO_DATA_DIR: dataDir, DEMO_LICENSE_PORT: String(port), DEMO_APP_PORT: String(appPort), DEMO_GRAPH_PORT: String(graphPort), DEMO_CUSTOMER_EVERY_MS: '500', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so Ctrl-C can be sent as a terminal sends it: to every process of the group.
    detached: true,
  });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo did not get ready:\n${out}`)), 90_000);
    const check = () => { if (out.includes('READY')) { clearTimeout(timer); resolve(); } };
    child.stdout.on('data', check);
    void exited.then(() => { clearTimeout(timer); reject(new Error(`demo exited early:\n${out}`)); });
  });
  return { output: () => out, stop: async () => { process.kill(-child.pid!, 'SIGINT'); return exited; } };
}

test('the demo runs the license service and an appliance installed by the local runtime, stops on Ctrl-C and reuses its data', async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atendo-demo-'));
  const port = await freePort();
  const appPort = await freePort();
  const graphPort = await freePort();
  try {
    const first = await runDemo(dataDir, port, appPort, graphPort);
    const key = /Demo license key\s+(ATD-[0-9A-Z-]+)/.exec(first.output())?.[1];
    t.truthy(key, first.output());
    const adminToken = fs.readFileSync(path.join(dataDir, 'license-admin-token'), 'utf8').trim();
    const plans: any = await (await fetch(`http://127.0.0.1:${port}/admin/v1/plans`, { headers: { authorization: `Bearer ${adminToken}` } })).json();
    t.true(plans.items.some((p: any) => p.code === 'demo'));

    const password = fs.readFileSync(path.join(dataDir, 'admin-password'), 'utf8').trim();
    const login = await fetch(`http://127.0.0.1:${appPort}/api/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@demo.atendo.local', password }),
    });
    t.is(login.status, 200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    const license: any = await (await fetch(`http://127.0.0.1:${appPort}/api/license`, { headers: { cookie } })).json();
    t.is(license.state, 'active');
    t.is(license.plan.code, 'demo');
    // Simulated customers write through signed webhooks to the demo's WhatsApp connection: the inbox fills.
    let conversations: any = { items: [] };
    for (let i = 0; i < 60 && !conversations.items?.length; i++) {
      await new Promise((r) => setTimeout(r, 500));
      conversations = await (await fetch(`http://127.0.0.1:${appPort}/api/conversations?queue=all`, { headers: { cookie } })).json();
    }
    t.true(conversations.items.length > 0, 'a simulated customer\'s message reached the inbox');
    // The welcome flow is live and greets the new conversation with its menu; the number has business hours.
    const flows: any = await (await fetch(`http://127.0.0.1:${appPort}/api/flows`, { headers: { cookie } })).json();
    t.like(flows.items.find((f: any) => f.name === 'Boas-vindas'), { status: 'live', publishedVersion: { version: 1 } });
    const calendars: any = await (await fetch(`http://127.0.0.1:${appPort}/api/business-hours`, { headers: { cookie } })).json();
    t.is(calendars.items.length, 1);
    // The number's templates came from Meta (the simulator), and a draft campaign waits for the admin.
    const templates: any = await (await fetch(`http://127.0.0.1:${appPort}/api/templates?status=APPROVED`, { headers: { cookie } })).json();
    t.true(templates.items.some((x: any) => x.name === 'pedido_pronto'), JSON.stringify(templates).slice(0, 300));
    const campaigns: any = await (await fetch(`http://127.0.0.1:${appPort}/api/campaigns`, { headers: { cookie } })).json();
    t.like(campaigns.items.find((c: any) => c.name === 'Promoção do mês'), { status: 'draft' });
    let botSpoke = false;
    for (let i = 0; i < 60 && !botSpoke; i++) {
      const thread: any = await (await fetch(`http://127.0.0.1:${appPort}/api/conversations/${conversations.items[0].id}/messages`, { headers: { cookie } })).json();
      botSpoke = thread.items?.some((m: any) => m.origin === 'bot');
      if (!botSpoke) await new Promise((r) => setTimeout(r, 500));
    }
    t.true(botSpoke, 'the bot answered the first customer (a menu, or the out-of-office reply)');
    // The demo number is answered by a team with an attendant in it: logged in as them, the customers wait in their queue.
    const attendantPassword = fs.readFileSync(path.join(dataDir, 'attendant-password'), 'utf8').trim();
    t.regex(first.output(), /atendente@demo\.atendo\.local/);
    const asAttendant = await fetch(`http://127.0.0.1:${appPort}/api/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'atendente@demo.atendo.local', password: attendantPassword }),
    });
    t.is(asAttendant.status, 200);
    const attendantCookie = (asAttendant.headers.get('set-cookie') ?? '').split(';')[0]!;
    const waiting: any = await (await fetch(`http://127.0.0.1:${appPort}/api/conversations?queue=unassigned`, { headers: { cookie: attendantCookie } })).json();
    t.true(waiting.items?.length > 0, `the attendant sees the waiting customers: ${JSON.stringify(waiting)}`);
    const connections: any = await (await fetch(`http://127.0.0.1:${appPort}/api/connections`, { headers: { cookie } })).json();
    const teams: any = await (await fetch(`http://127.0.0.1:${appPort}/api/teams`, { headers: { cookie } })).json();
    const team = teams.items.find((x: any) => x.name === 'Atendimento');
    t.truthy(team);
    t.is(connections.items[0].teamId, team.id, 'the demo connection belongs to the demo team');
    // The dashboard is served by the appliance itself, with its modules.
    const page = await fetch(`http://127.0.0.1:${appPort}/inbox`);
    t.is(page.status, 200);
    t.regex(await page.text(), /<script type="importmap">/);
    t.is((await fetch(`http://127.0.0.1:${appPort}/vendor/preact.mjs`)).status, 200);
    t.is((await fetch(`http://127.0.0.1:${appPort}/app/main.js`)).status, 200);
    const runDir = path.join(dataDir, 'appliance', 'run');
    const pids = fs.readdirSync(runDir).filter((f) => f.endsWith('.pid')).map((f) => Number(fs.readFileSync(path.join(runDir, f), 'utf8')));
    t.true(pids.length >= 4, 'supervisor, web, worker and redis ran');
    t.is(await first.stop(), 0, 'Ctrl-C is a clean stop');
    t.true(first.output().includes(`stopped; data kept in ${dataDir}`), first.output());
    t.false(first.output().includes('did not stop'), 'every part stopped by itself, none waited for');
    t.deepEqual(fs.readdirSync(runDir).filter((f) => f.endsWith('.pid')), [], 'no pid file is left behind');
    for (const pid of pids) t.false(alive(pid), `pid ${pid} is gone`);
    await t.throwsAsync(fetch(`http://127.0.0.1:${port}/health`), undefined, 'the service is gone after Ctrl-C');
    await t.throwsAsync(fetch(`http://127.0.0.1:${appPort}/health`), undefined, 'and so is the appliance');
    t.false(fs.existsSync(path.join(dataDir, 'pg', 'postmaster.pid')), 'the service\'s PostgreSQL stopped');
    t.false(fs.existsSync(path.join(dataDir, 'appliance', 'pg', 'postmaster.pid')), 'and the appliance\'s');

    const second = await runDemo(dataDir, port, appPort, graphPort);
    t.true(second.output().includes(key!), 'the same license, from the same data');
    t.regex(second.output(), /already installed/, 'the installer finds its install and only starts it');
    const again = await fetch(`http://127.0.0.1:${appPort}/api/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@demo.atendo.local', password }),
    });
    const teamsAgain: any = await (await fetch(`http://127.0.0.1:${appPort}/api/teams`, { headers: { cookie: (again.headers.get('set-cookie') ?? '').split(';')[0]! } })).json();
    t.is(teamsAgain.items.filter((x: any) => x.name === 'Atendimento').length, 1, 'the team is made once');
    const flowsAgain: any = await (await fetch(`http://127.0.0.1:${appPort}/api/flows`, { headers: { cookie: (again.headers.get('set-cookie') ?? '').split(';')[0]! } })).json();
    t.is(flowsAgain.items.filter((f: any) => f.name === 'Boas-vindas').length, 1, 'the flow is made once');
    t.is(await second.stop(), 0);
    t.true(second.output().includes(`stopped; data kept in ${dataDir}`));
    t.false(second.output().includes('did not stop'));
  } finally {
    // Even when an assertion failed mid-way: the appliance runs detached, so stop it by its installer.
    if (fs.existsSync(path.join(dataDir, 'appliance', 'installer-state.json'))) {
      spawnSync(process.execPath, ['--import', 'tsx', 'installer/main.ts', 'stop', '--dir', path.join(dataDir, 'appliance')]);
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('npm ci has no install script left unreviewed (esbuild\'s is denied: it could download a binary)', (t) => {
  const res = spawnSync('npm', ['install-scripts', 'list', '--json'], { encoding: 'utf8', timeout: 60_000 });
  t.is(res.status, 0, res.stderr);
  t.deepEqual(JSON.parse(res.stdout).allowScripts, [], res.stdout);
  t.is(JSON.parse(fs.readFileSync('package.json', 'utf8')).allowScripts.esbuild, false);
});
