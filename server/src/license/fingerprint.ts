import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import si from 'systeminformation';
import type { Fingerprint } from '#protocol/applianceRequests.js';

/**
 * What identifies this machine to the license service: machine id, hostname, MAC addresses, CPU.
 * Taken once, at the first activation, and kept in DATA_DIR/license/fingerprint.json: the web and worker
 * processes (separate containers, each with its own hostname) then report the same machine, and an image
 * upgrade does not look like a clone. A copied data dir on another machine still differs in IP and key use.
 */
export async function installationFingerprint(dataDir: string): Promise<Fingerprint> {
  const file = path.join(dataDir, 'license', 'fingerprint.json');
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as Fingerprint;
  const fingerprint = await readMachine();
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, JSON.stringify(fingerprint), { mode: 0o600 });
  return fingerprint;
}

async function readMachine(): Promise<Fingerprint> {
  const [ids, cpu, nets] = await Promise.all([si.uuid(), si.cpu(), si.networkInterfaces()]);
  const list = Array.isArray(nets) ? nets : [nets];
  const macs = list
    .filter((n) => !n.internal && n.mac && n.mac !== '00:00:00:00:00:00' && !n.virtual)
    .map((n) => n.mac.toLowerCase())
    .sort();
  const machineId = ids.os || readMachineId() || 'unknown';
  return { machineId, hostname: os.hostname(), macs: [...new Set(macs)].slice(0, 16), cpu: `${cpu.manufacturer} ${cpu.brand}`.trim().slice(0, 200) };
}

function readMachineId(): string | null {
  try {
    return fs.readFileSync('/etc/machine-id', 'utf8').trim();
  } catch {
    return null;
  }
}
