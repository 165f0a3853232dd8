import { z } from 'zod';
import { ConfigError, loadEnv } from '#kit/loadEnv.js';
import { isProxyEntry } from '#kit/sourceIp.js';

/** Reads and validates the environment once. The only place in the appliance that touches process.env. */
const timezone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as America/Sao_Paulo');

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

const schema = z.object({
  NODE_ENV: z.enum(['production', 'development', 'test']).default('production'),
  HOST: z.string().default('0.0.0.0'),
  /** 0 asks the kernel for any free port (tests). */
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Where people reach the dashboard; decides Secure cookies and which Origin may send mutations. */
  PUBLIC_URL: z.url().transform((u) => u.replace(/\/$/, '')),
  DATABASE_URL: z.url(),
  REDIS_URL: z.url(),
  /** The appliance's own files: the installation key pair (0600), media. Never inside database dumps. */
  DATA_DIR: z.string().min(1),
  LICENSE_SERVICE_URL: z.url().transform((u) => u.replace(/\/$/, '')),
  /** Month boundaries for the monthly quotas are in this zone. */
  APP_TIMEZONE: timezone.default('America/Sao_Paulo'),
  SESSION_TTL_HOURS: z.coerce.number().int().min(1).max(24 * 90).default(24 * 7),
  LOGIN_LIMIT_PER_IP: z.coerce.number().int().min(1).default(20),
  LOGIN_LIMIT_PER_ACCOUNT: z.coerce.number().int().min(1).default(5),
  LOGIN_WINDOW_SECONDS: z.coerce.number().int().min(1).default(15 * 60),
  /** How often each process checks whether the license heartbeat is due (one process sends it). */
  HEARTBEAT_TICK_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  TRUSTED_PROXIES: z.string().default('').transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .refine((list) => list.every(isProxyEntry), 'comma-separated IP addresses or CIDR ranges such as 172.18.0.0/16'),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(50 * 1024 * 1024).default(1024 * 1024),
  /**
   * Key for the session-token hashes (HMAC). Rotating it signs everyone out at once: the incident
   * lever the installer's rotate-secrets pulls. Without it, tokens are hashed with plain SHA-256.
   */
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** AES-256-GCM key for provider tokens at rest (connections), 32 bytes as 64 hex characters. */
  ENCRYPTION_KEY: z.string().regex(/^[0-9a-f]{64}$/i, 'must be 32 bytes as 64 hex characters').optional(),
  /** Meta's Graph API; the local simulator's URL in tests and the demo. */
  META_GRAPH_URL: z.url().default('https://graph.facebook.com').transform((u) => u.replace(/\/$/, '')),
  META_GRAPH_VERSION: z.string().regex(/^v\d+\.\d+$/, 'a Graph API version such as v23.0').default('v23.0'),
  /** Sends per second per connection unless the connection sets its own (Meta allows ~80/s per number). */
  SEND_RATE_PER_SECOND: z.coerce.number().int().min(1).max(1000).default(80),
  /** Largest media file downloaded from or uploaded to Meta, in bytes (Meta's own cap is 100 MB). */
  MEDIA_MAX_BYTES: z.coerce.number().int().min(1024).max(100 * 1024 * 1024).default(100 * 1024 * 1024),
  /**
   * Hosts Instagram attachment URLs may be fetched from: each entry is a domain, matching itself and its
   * subdomains, over https, resolving to public addresses only (lib/mediaUrlPolicy.ts has the whole rule;
   * META_GRAPH_URL's own origin — the simulator in tests and the demo — is always allowed).
   */
  MEDIA_URL_HOSTS: z.string().default('fbcdn.net,cdninstagram.com,fbsbx.com')
    .transform((s) => s.split(',').map((x) => x.trim().toLowerCase().replace(/\.$/, '')).filter(Boolean))
    .refine((list) => list.length > 0 && list.every((h) => HOSTNAME.test(h)), 'comma-separated host names such as fbcdn.net,cdninstagram.com'),
  /**
   * What a customer writes (the whole message, accent- and case-insensitive) to stop business-initiated
   * messages from that number: recorded in the opt-out ledger at once (audiences/optOut.ts).
   */
  OPT_OUT_KEYWORDS: z.string().default('SAIR,PARAR,STOP,CANCELAR')
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .refine((list) => list.length > 0 && list.every((k) => k.length <= 40), 'comma-separated words such as SAIR,PARAR,STOP,CANCELAR'),
  /** Template quick-reply button payloads (and reply-button ids) that mean "stop sending me this". */
  OPT_OUT_PAYLOADS: z.string().default('OPT_OUT,STOP')
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .refine((list) => list.every((k) => k.length <= 256), 'comma-separated button payloads such as OPT_OUT,STOP'),
  /** Parallel jobs per queue in each worker process. */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = z.infer<typeof schema>;

export { ConfigError };

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  return loadEnv(schema, env);
}
