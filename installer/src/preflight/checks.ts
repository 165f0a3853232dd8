import crypto from 'node:crypto';
import dns from 'node:dns/promises';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import si from 'systeminformation';
import { $ } from 'zx';
import { fetchJson } from '../net.js';
import type { RuntimeKind } from '../options.js';
import { which } from '../runtime/hostTools.js';
import { compareVersions } from '../versions.js';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  id: string;
  title: string;
  status: CheckStatus;
  detail: string;
  /** What to do about it, for warn and fail. */
  fix?: string;
}

export interface PreflightInput {
  runtime: RuntimeKind;
  licenseServiceUrl: string;
  domain?: string;
  /** Ports the stack will listen on: 80/443 (docker) or the appliance's port (local). */
  ports: number[];
  /** Ports our own running install already holds (a repair): not a conflict. */
  ownPorts?: number[];
  dir: string;
}

/** Minimums for a VPS (docker runtime); the local runtime only warns. */
export const MINIMUM = { cpus: 2, memoryGb: 2, recommendedMemoryGb: 4, diskGb: 10, recommendedDiskGb: 20, docker: '24.0.0', compose: '2.20.0', dockerWorks: '20.10.0' };
export const SUPPORTED_OS = ['ubuntu 22.04', 'ubuntu 24.04', 'debian 12'];

const result = (id: string, title: string, status: CheckStatus, detail: string, fix?: string): CheckResult =>
  ({ id, title, status, detail, ...(fix ? { fix } : {}) });

/**
 * Every check runs, whatever the others found, and nothing is changed: the admin sees every problem at
 * once, each with what to do about it. `doctor` runs the same list.
 */
export async function runPreflight(input: PreflightInput): Promise<CheckResult[]> {
  const vps = input.runtime === 'docker';
  const checks: Promise<CheckResult | CheckResult[]>[] = [
    checkRoot(vps),
    checkOs(vps),
    checkResources(vps, input.dir),
    ...input.ports.map((p) => checkPort(p, input.ownPorts ?? [])),
    vps ? checkDocker() : checkLocalTools(),
    checkLicenseService(input.licenseServiceUrl).then(async (reach) => {
      const who = reach.status === 'ok' ? await checkWhoami(input.licenseServiceUrl) : result('public_ip', 'Public IP', 'skip', 'license service not reachable');
      const ip = who.status === 'ok' ? who.detail : null;
      const domain = input.domain ? await checkDomain(input.domain, ip, vps && input.ports.includes(80) && !(input.ownPorts ?? []).includes(80)) : [];
      return [reach, who, ...domain];
    }),
  ];
  return (await Promise.all(checks)).flat();
}

async function checkRoot(required: boolean): Promise<CheckResult> {
  const root = process.getuid?.() === 0;
  if (root) return result('root', 'Running as root', 'ok', 'yes');
  return required
    ? result('root', 'Running as root', 'fail', 'not root', 'run it with sudo')
    : result('root', 'Running as root', 'skip', 'not needed by the local runtime');
}

async function checkOs(required: boolean): Promise<CheckResult[]> {
  const release = (() => {
    try { return fs.readFileSync(process.env.ATENDO_OS_RELEASE ?? '/etc/os-release', 'utf8'); } catch { return ''; }
  })();
  const field = (k: string) => new RegExp(`^${k}="?([^"\\n]*)"?$`, 'm').exec(release)?.[1] ?? '';
  const os = `${field('ID')} ${field('VERSION_ID')}`.trim() || process.platform;
  const supported = SUPPORTED_OS.includes(os);
  const arch = process.arch;
  const out: CheckResult[] = [];
  out.push(supported ? result('os', 'Operating system', 'ok', os)
    : result('os', 'Operating system', required ? 'fail' : 'warn', os || 'unknown', `use one of: ${SUPPORTED_OS.join(', ')}`));
  out.push(arch === 'x64' || arch === 'arm64' ? result('arch', 'CPU architecture', 'ok', arch)
    : result('arch', 'CPU architecture', 'fail', arch, 'use an x86_64 or arm64 server'));
  return out;
}

async function checkResources(vps: boolean, dir: string): Promise<CheckResult[]> {
  const [cpu, mem, disks] = await Promise.all([si.cpu(), si.mem(), si.fsSize()]);
  const gb = (n: number) => n / 1024 ** 3;
  const below = (s: CheckStatus): CheckStatus => (vps ? s : 'warn');
  const out: CheckResult[] = [];
  const cores = cpu.cores;
  out.push(cores >= MINIMUM.cpus ? result('cpu', 'CPUs', 'ok', `${cores}`)
    : result('cpu', 'CPUs', below('warn'), `${cores}`, `${MINIMUM.cpus} or more CPUs keep the inbox responsive under load`));
  const ram = gb(mem.total);
  out.push(ram >= MINIMUM.recommendedMemoryGb ? result('memory', 'Memory', 'ok', `${ram.toFixed(1)} GB`)
    : ram >= MINIMUM.memoryGb ? result('memory', 'Memory', 'warn', `${ram.toFixed(1)} GB`, `${MINIMUM.recommendedMemoryGb} GB is recommended`)
      : result('memory', 'Memory', below('fail'), `${ram.toFixed(1)} GB`, `at least ${MINIMUM.memoryGb} GB is needed; choose a bigger VPS plan`));
  // The filesystem that holds the install dir (the longest mount point that is a prefix of it).
  let target = dir;
  while (!fs.existsSync(target)) target = target.slice(0, target.lastIndexOf('/')) || '/';
  const disk = disks.filter((d) => target.startsWith(d.mount)).sort((a, b) => b.mount.length - a.mount.length)[0];
  if (!disk) {
    out.push(result('disk', 'Free disk', 'warn', 'unknown', 'check free space with df -h'));
  } else {
    const free = gb(disk.available);
    out.push(free >= MINIMUM.recommendedDiskGb ? result('disk', 'Free disk', 'ok', `${free.toFixed(1)} GB on ${disk.mount}`)
      : free >= MINIMUM.diskGb ? result('disk', 'Free disk', 'warn', `${free.toFixed(1)} GB on ${disk.mount}`, `${MINIMUM.recommendedDiskGb} GB leaves room for media and backups`)
        : result('disk', 'Free disk', below('fail'), `${free.toFixed(1)} GB on ${disk.mount}`, `free space or grow the disk to at least ${MINIMUM.diskGb} GB`));
  }
  return out;
}

/** A port is free when we can listen on it ourselves, on every address. */
export async function checkPort(port: number, own: number[]): Promise<CheckResult> {
  const id = `port_${port}`;
  const title = `Port ${port} free`;
  if (own.includes(port)) return result(id, title, 'ok', 'used by this Atendo install');
  const free = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
    const srv = net.createServer();
    srv.once('error', (err) => resolve(err as NodeJS.ErrnoException));
    srv.listen({ port, host: '0.0.0.0', exclusive: true }, () => srv.close(() => resolve(null)));
  });
  if (!free) return result(id, title, 'ok', 'free');
  const holder = await portHolder(port);
  return result(id, title, 'fail', free.code === 'EADDRINUSE' ? `in use${holder ? ` by ${holder}` : ''}` : free.message,
    free.code === 'EADDRINUSE' ? `stop what listens on port ${port} (see: ss -ltnp 'sport = :${port}') or choose another` : 'run as root to use ports below 1024');
}

async function portHolder(port: number): Promise<string | null> {
  if (!which('ss')) return null;
  const out = await $({ quiet: true, nothrow: true })`ss -Hltnp ${`sport = :${port}`}`;
  return /users:\(\("([^"]+)"/.exec(out.stdout)?.[1] ?? null;
}

async function checkDocker(): Promise<CheckResult[]> {
  if (!which('docker')) {
    return [result('docker', 'Docker Engine', 'fail', 'not installed', 'run the bootstrap one-liner, which installs Docker Engine with the compose plugin')];
  }
  const engine = await $({ quiet: true, nothrow: true, timeout: '10s' })`docker version --format ${'{{.Server.Version}}'}`;
  const compose = await $({ quiet: true, nothrow: true, timeout: '10s' })`docker compose version --short`;
  const ev = engine.stdout.trim();
  const cv = compose.stdout.trim().replace(/^v/, '');
  return [
    engine.exitCode !== 0 || !ev ? result('docker', 'Docker Engine', 'fail', 'not running', 'start it: systemctl enable --now docker')
      : compareVersions(ev, MINIMUM.dockerWorks) < 0 ? result('docker', 'Docker Engine', 'fail', ev, `upgrade Docker Engine to ${MINIMUM.docker} or newer`)
        // Debian 12's own docker.io (20.10, patched by Debian) runs the stack; Docker itself no longer maintains it.
        : compareVersions(ev, MINIMUM.docker) < 0 ? result('docker', 'Docker Engine', 'warn', `${ev} (works; older than ${MINIMUM.docker}, which Docker maintains)`, `upgrade Docker Engine to ${MINIMUM.docker} or newer when you can`)
        : result('docker', 'Docker Engine', 'ok', ev),
    compose.exitCode !== 0 || !cv ? result('compose', 'Docker Compose', 'fail', 'plugin missing', 'apt-get install docker-compose-plugin')
      : compareVersions(cv, MINIMUM.compose) < 0 ? result('compose', 'Docker Compose', 'fail', cv, `upgrade the compose plugin to ${MINIMUM.compose} or newer`)
        : result('compose', 'Docker Compose', 'ok', cv),
  ];
}

async function checkLocalTools(): Promise<CheckResult[]> {
  const tool = (bin: string, pkg: string) => (which(bin) ? result(`tool_${bin}`, bin, 'ok', which(bin)!)
    : result(`tool_${bin}`, bin, process.getuid?.() === 0 ? 'warn' : 'fail', 'missing', `apt-get install ${pkg}${process.getuid?.() === 0 ? ' (the installer will do it)' : ''}`));
  return [tool('redis-server', 'redis-server'), tool('pg_dump', 'postgresql-client')];
}

async function checkLicenseService(url: string): Promise<CheckResult> {
  try {
    const res = await fetchJson(`${url}/health`, { timeoutMs: 5000, attempts: 2 });
    if (res.status === 200) return result('license_service', 'License service reachable', 'ok', url);
    return result('license_service', 'License service reachable', 'fail', `${url} answered ${res.status}`, 'check --license-service-url');
  } catch (err) {
    return result('license_service', 'License service reachable', 'fail', (err as Error).message,
      'allow outbound HTTPS from this server (firewall, proxy) and check --license-service-url');
  }
}

async function checkWhoami(url: string): Promise<CheckResult> {
  try {
    const res = await fetchJson(`${url}/v1/whoami`, { timeoutMs: 5000, attempts: 2 });
    if (res.status === 200 && typeof res.body?.ip === 'string') {
      return result('public_ip', 'Public IP (as the license service sees it)', 'ok', res.body.ip);
    }
    return result('public_ip', 'Public IP (as the license service sees it)', 'fail', `unexpected answer ${res.status}`, 'check --license-service-url');
  } catch (err) {
    return result('public_ip', 'Public IP (as the license service sees it)', 'fail', (err as Error).message, 'check outbound network');
  }
}

/**
 * The domain must point at this server (its A/AAAA records include the public IP), and port 80 on it
 * must reach this machine: a token served from a temporary listener is fetched back through the domain.
 */
async function checkDomain(domain: string, ip: string | null, probePort80: boolean): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  let addresses: string[] = [];
  try {
    addresses = (await dns.lookup(domain, { all: true })).map((a) => a.address);
  } catch (err) {
    out.push(result('dns', `DNS of ${domain}`, 'fail', (err as NodeJS.ErrnoException).code ?? 'no answer',
      `create an A record for ${domain} pointing to ${ip ?? 'this server\'s public IP'} at your DNS provider, wait for it to propagate, then run again`));
    return out;
  }
  if (!ip) out.push(result('dns', `DNS of ${domain}`, 'warn', addresses.join(', '), 'could not compare: the public IP is unknown'));
  else if (addresses.includes(ip)) out.push(result('dns', `DNS of ${domain}`, 'ok', `${addresses.join(', ')}`));
  else {
    out.push(result('dns', `DNS of ${domain}`, 'fail', `points to ${addresses.join(', ')}, not ${ip}`,
      `change the A record of ${domain} to ${ip} (and remove other A/AAAA records), then run again`));
  }
  if (!probePort80) return out;
  const token = crypto.randomBytes(16).toString('hex');
  const path = `/.well-known/atendo-preflight/${token}`;
  const srv = http.createServer((req, res) => {
    res.writeHead(req.url === path ? 200 : 404, { 'content-type': 'text/plain' });
    res.end(req.url === path ? token : '');
  });
  const listening = await new Promise<boolean>((resolve) => {
    srv.once('error', () => resolve(false));
    srv.listen(80, '0.0.0.0', () => resolve(true));
  });
  if (!listening) return out; // the port check already says why
  try {
    const res = await fetch(`http://${domain}${path}`, { signal: AbortSignal.timeout(8000), redirect: 'manual' });
    const body = await res.text();
    out.push(body === token ? result('http_reach', `http://${domain} reaches this server`, 'ok', 'token fetched back')
      : result('http_reach', `http://${domain} reaches this server`, 'fail', `answered ${res.status} from elsewhere`,
        `port 80 of ${domain} is served by another machine or proxy; point the domain here and open port 80`));
  } catch (err) {
    out.push(result('http_reach', `http://${domain} reaches this server`, 'fail', (err as Error).message,
      'open port 80 (and 443) in the VPS firewall / security group; Let\'s Encrypt needs it'));
  } finally {
    await new Promise((r) => srv.close(r));
  }
  return out;
}
