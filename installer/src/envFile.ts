import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** The install's settings and secrets: <dir>/.env, mode 0600, KEY=value lines (Docker Compose reads it too). */
export type EnvValues = Record<string, string>;

/** Generated once, never overwritten by a re-run; `rotate-secrets` is the only way to change them. */
export const SECRET_NAMES = ['POSTGRES_PASSWORD', 'REDIS_PASSWORD', 'SESSION_SECRET', 'ENCRYPTION_KEY'] as const;
export type SecretName = (typeof SECRET_NAMES)[number];

/** Letters and digits only: safe inside URLs, shell words, YAML and env files without any quoting. */
export function newSecret(name: SecretName): string {
  if (name === 'ENCRYPTION_KEY') return crypto.randomBytes(32).toString('hex');
  return crypto.randomBytes(32).toString('base64url').replace(/[-_]/g, '').slice(0, 40);
}

export function envPath(dir: string): string {
  return path.join(dir, '.env');
}

export function readEnv(dir: string): EnvValues | null {
  let text: string;
  try {
    text = fs.readFileSync(envPath(dir), 'utf8');
  } catch {
    return null;
  }
  const out: EnvValues = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

/** Writes the whole file atomically with 0600 (temp file + rename, so a crash never leaves half of it). */
export function writeEnv(dir: string, values: EnvValues): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const body = `# Atendo settings and secrets. Written by the installer; keep this file private (0600).\n${
    Object.entries(values).map(([k, v]) => `${k}=${v}`).join('\n')}\n`;
  const tmp = `${envPath(dir)}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, body, { mode: 0o600 });
  fs.renameSync(tmp, envPath(dir));
}

export function secretsOf(env: EnvValues): string[] {
  return SECRET_NAMES.map((n) => env[n]).filter((v): v is string => Boolean(v));
}
