import crypto from 'node:crypto';
import type { Config } from '../config.js';

/**
 * The webhook node's HTTP call: a JSON body signed with HMAC-SHA256 (header X-Atendo-Signature:
 * sha256=<hex of the raw body>, as Meta signs its webhooks), carrying the conversation, the contact and
 * the flow's variables. Sync calls wait for a JSON answer; async calls also carry a one-time callback URL
 * the automation (n8n, Make, your own code) posts to when it is done.
 */
export const SIGNATURE_HEADER = 'x-atendo-signature';
const MAX_ANSWER_BYTES = 1_000_000;
const SYNC_MAX_MS = 30_000;

/** The key the appliance signs flow webhooks with, derived from ENCRYPTION_KEY (shown to admins). */
export function flowWebhookSecret(config: Config): string | null {
  if (!config.ENCRYPTION_KEY) return null;
  return crypto.createHmac('sha256', Buffer.from(config.ENCRYPTION_KEY, 'hex')).update('atendo:flow-webhooks').digest('hex');
}

export function signBody(secret: string, body: string): string {
  return `sha256=${crypto.createHmac('sha256', secret).update(body).digest('hex')}`;
}

export type WebhookAnswer = { ok: true; data: unknown } | { ok: false; error: string };

export function webhookUrlAllowed(url: string, config: Config): boolean {
  let u: URL;
  try { u = new URL(url); } catch { return false; }
  if (u.protocol === 'https:') return true;
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
  return u.protocol === 'http:' && loopback && config.NODE_ENV !== 'production';
}

export async function callFlowWebhook(config: Config, url: string, payload: unknown, timeoutMs: number): Promise<WebhookAnswer> {
  const secret = flowWebhookSecret(config);
  if (!secret) return { ok: false, error: 'encryption_key_missing' };
  if (!webhookUrlAllowed(url, config)) return { ok: false, error: 'webhook_url_not_allowed' };
  const body = JSON.stringify(payload);
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Atendo-Flows/1', [SIGNATURE_HEADER]: signBody(secret, body) },
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(Math.min(timeoutMs, SYNC_MAX_MS)),
    });
    const text = await res.text();
    if (!res.ok) return { ok: false, error: `http_${res.status}` };
    if (Buffer.byteLength(text) > MAX_ANSWER_BYTES) return { ok: false, error: 'answer_too_large' };
    if (!text.trim()) return { ok: true, data: null };
    try { return { ok: true, data: JSON.parse(text) }; } catch { return { ok: false, error: 'answer_not_json' }; }
  } catch (err) {
    return { ok: false, error: (err as Error).name === 'TimeoutError' ? 'timeout' : 'unreachable' };
  }
}
