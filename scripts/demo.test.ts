import test from 'ava';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './services/freePort.js';

/** Runs the README's demo until it prints READY; returns its output and a stopper. */
async function runDemo(dataDir: string, port: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], {
    env: { ...process.env, DEMO_DATA_DIR: dataDir, DEMO_LICENSE_PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
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
  return { output: () => out, stop: async () => { child.kill('SIGINT'); return exited; } };
}

test('the demo starts the license service with a seeded license, stops on Ctrl-C and reuses its data', async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atendo-demo-'));
  const port = await freePort();
  try {
    const first = await runDemo(dataDir, port);
    const key = /Demo license key\s+(ATD-[0-9A-Z-]+)/.exec(first.output())?.[1];
    t.truthy(key, first.output());
    const token = fs.readFileSync(path.join(dataDir, 'license-admin-token'), 'utf8').trim();
    const plans: any = await (await fetch(`http://127.0.0.1:${port}/admin/v1/plans`, { headers: { authorization: `Bearer ${token}` } })).json();
    t.true(plans.items.some((p: any) => p.code === 'demo'));
    await first.stop();
    await t.throwsAsync(fetch(`http://127.0.0.1:${port}/health`), undefined, 'the service is gone after Ctrl-C');
    t.false(fs.existsSync(path.join(dataDir, 'pg', 'postmaster.pid')), 'PostgreSQL stopped');

    const second = await runDemo(dataDir, port);
    t.true(second.output().includes(key!), 'the same license, from the same data');
    await second.stop();
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
