import fs from 'node:fs';
import os from 'node:os';
import si from 'systeminformation';
import type { Fingerprint } from '../../../license-service/protocol/applianceRequests.js';

let cached: Promise<Fingerprint> | null = null;

/** What identifies this machine to the license service: machine id, hostname, MAC addresses, CPU. */
export function machineFingerprint(): Promise<Fingerprint> {
  cached ??= (async () => {
    const [ids, cpu, nets] = await Promise.all([si.uuid(), si.cpu(), si.networkInterfaces()]);
    const list = Array.isArray(nets) ? nets : [nets];
    const macs = list
      .filter((n) => !n.internal && n.mac && n.mac !== '00:00:00:00:00:00' && !n.virtual)
      .map((n) => n.mac.toLowerCase())
      .sort();
    const machineId = ids.os || readMachineId() || 'unknown';
    return { machineId, hostname: os.hostname(), macs: [...new Set(macs)].slice(0, 16), cpu: `${cpu.manufacturer} ${cpu.brand}`.trim().slice(0, 200) };
  })();
  return cached;
}

function readMachineId(): string | null {
  try {
    return fs.readFileSync('/etc/machine-id', 'utf8').trim();
  } catch {
    return null;
  }
}
