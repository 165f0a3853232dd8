import { z } from 'zod';
import { ConfigError, loadEnv } from '#kit/loadEnv.js';
import { isProxyEntry } from '#kit/sourceIp.js';

/** Reads and validates the environment once. The only place in the license service that touches process.env. */
const adminToken = z
  .string()
  .regex(/^[a-z0-9_.-]{1,40}:[0-9a-f]{64}$/, 'each entry must be name:sha256hex (see `license-admin hash-token`)');

const schema = z.object({
  NODE_ENV: z.enum(['production', 'development', 'test']).default('production'),
  HOST: z.string().default('0.0.0.0'),
  PORT: z.coerce.number().int().min(1).max(65535).default(8080),
  DATABASE_URL: z.string().url(),
  REDIS_URL: z.string().url(),
  /** Comma-separated `name:sha256(token)` pairs: the service never holds admin tokens in the clear. */
  ADMIN_TOKENS: z.string().transform((s, ctx) => {
    const entries = s.split(',').map((e) => e.trim()).filter(Boolean);
    const out: { name: string; hash: string }[] = [];
    for (const e of entries) {
      const r = adminToken.safeParse(e);
      if (!r.success) {
        ctx.addIssue({ code: 'custom', message: r.error.issues[0]?.message ?? 'invalid entry' });
        return z.NEVER;
      }
      const [name, hash] = e.split(':') as [string, string];
      out.push({ name, hash });
    }
    if (out.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'at least one admin token is required' });
      return z.NEVER;
    }
    return out;
  }),
  /** Directory of signing keys: <kid>.private.pem (mode 0600) and <kid>.public.pem. */
  SIGNING_KEYS_DIR: z.string().min(1),
  /** Which key signs new leases; the newest key in the directory when unset. */
  SIGNING_KEY_ID: z.string().optional(),
  LEASE_TTL_SECONDS: z.coerce.number().int().min(300).max(7 * 86400).default(6 * 3600),
  /** Stated in every lease: the appliance's grace period when the service cannot be reached. */
  GRACE_PERIOD_SECONDS: z.coerce.number().int().min(0).max(30 * 86400).default(7 * 86400),
  HEARTBEAT_INTERVAL_SECONDS: z.coerce.number().int().min(10).max(86400).default(15 * 60),
  STALE_AFTER_SECONDS: z.coerce.number().int().min(60).default(3600),
  MAX_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(5).max(3600).default(300),
  /** Peers whose X-Forwarded-For is believed: comma-separated IPs. Empty means the socket address only. */
  TRUSTED_PROXIES: z.string().default('').transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .refine((list) => list.every(isProxyEntry), 'comma-separated IP addresses or CIDR ranges such as 172.18.0.0/16'),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(10 * 1024 * 1024).default(64 * 1024),
  /** Failed attempts (bad key, bad admin token, bad signature) allowed per window, per IP and per key. */
  GUESS_LIMIT_PER_IP: z.coerce.number().int().min(1).default(20),
  GUESS_LIMIT_PER_KEY: z.coerce.number().int().min(1).default(10),
  GUESS_WINDOW_SECONDS: z.coerce.number().int().min(1).default(15 * 60),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = z.infer<typeof schema>;

export { ConfigError };

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  return loadEnv(schema, env);
}
