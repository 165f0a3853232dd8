import type Router from '@koa/router';
import type { Context } from 'koa';
import client from 'prom-client';
import { readLimited } from '#kit/http/jsonBody.js';
import { wakeIngest } from '../../commands/ingestWebhookEvent.js';
import type { Deps } from '../../deps.js';
import { AppError, bodyTooLarge, malformedJson } from '../../errors.js';
import { openConnection, type OpenConnection } from '../../messaging/connectionDirectory.js';
import { instagramAddressedTo } from '../../messaging/parseInstagram.js';
import { whatsAppAddressedTo } from '../../messaging/parseWhatsApp.js';
import { hasAccountUpdateFor } from '../../templates/accountUpdates.js';
import { sameSecret, verifyWebhookSignature } from '../../messaging/webhookSignature.js';
import { insertAudit } from '../../repositories/audit.js';
import { recordSignatureFailure, type Channel } from '../../repositories/connections.js';
import { insertWebhookEvent } from '../../repositories/webhookEvents.js';
import { ConnectionIdParam, InstagramEnvelope, VerifyQuery, WhatsAppEnvelope } from './schema.js';

const unknownConnection = () => new AppError(404, 'unknown_connection', 'no connection has this webhook URL');
const verifyTokenMismatch = () => new AppError(403, 'verify_token_mismatch', 'the verify token does not match this connection');
const invalidSignature = () => new AppError(401, 'invalid_signature', 'X-Hub-Signature-256 is missing or does not match the body');
const invalidPayload = (channel: Channel) =>
  new AppError(400, 'invalid_payload', `not a ${channel === 'whatsapp' ? 'WhatsApp Business Account' : 'Instagram'} webhook body`);

/** One audit row per connection per this many seconds for bad signatures: a flood must not fill the audit log. */
const SIGNATURE_AUDIT_EVERY_S = 60;

/**
 * Meta's webhooks, one URL per connection (`/webhooks/<channel>/<connection id>`).
 *
 * GET answers Meta's subscription check with the connection's verify token. POST is the hot path
 * (thousands per second at peak), kept to: the cached connection, the signature over the raw bytes,
 * one INSERT of those bytes into the webhook inbox, then 200. Processing happens in the worker
 * (commands/ingestWebhookEvent.ts); the queue job is only a wake-up, sent after the body is safe.
 * See repositories/webhookEvents.ts for why the inbox is a PostgreSQL table.
 */
export function webhookRoutes(deps: Deps, router: Router): void {
  const counter = webhookCounter(deps);
  for (const channel of ['whatsapp', 'instagram'] as const) {
    router.get(`/${channel}/:connectionId`, async (ctx) => {
      const connection = await connectionFor(deps, channel, ctx.params.connectionId ?? '');
      const q = VerifyQuery.safeParse(ctx.query);
      if (!q.success || !sameSecret(q.data['hub.verify_token'], connection.secrets.verifyToken)) {
        ctx.state.log.warn({ connectionId: connection.row.id }, 'webhook verification refused');
        throw verifyTokenMismatch();
      }
      ctx.state.log.info({ connectionId: connection.row.id }, 'webhook verified by Meta');
      ctx.type = 'text/plain';
      ctx.body = q.data['hub.challenge'];
    });

    router.post(`/${channel}/:connectionId`, async (ctx) => {
      const connection = await connectionFor(deps, channel, ctx.params.connectionId ?? '');
      const raw = await readBody(ctx, deps.config.BODY_LIMIT_BYTES).catch((err) => {
        counter.inc({ channel, outcome: 'too_large' });
        throw err;
      });

      if (!verifyWebhookSignature(raw, ctx.get('x-hub-signature-256') || undefined, connection.secrets.appSecret)) {
        counter.inc({ channel, outcome: 'invalid_signature' });
        await signatureFailed(deps, ctx, connection);
        throw invalidSignature();
      }

      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        counter.inc({ channel, outcome: 'malformed' });
        throw malformedJson();
      }
      const envelope = (channel === 'whatsapp' ? WhatsAppEnvelope : InstagramEnvelope).safeParse(body);
      if (!envelope.success) {
        counter.inc({ channel, outcome: 'malformed' });
        throw invalidPayload(channel);
      }
      const externalId = connection.row.external_id;
      // WhatsApp template status/quality and number quality webhooks are addressed to the WABA (entry id), not a number.
      const ours = channel === 'whatsapp'
        ? whatsAppAddressedTo(envelope.data, externalId) || hasAccountUpdateFor(envelope.data, connection.row.business_account_id)
        : instagramAddressedTo(envelope.data, externalId);
      if (!ours) {
        // Correctly signed but for another number/account of the same Meta app (or a field with no
        // messages). Anything but 2xx makes Meta retry for days and then disable the app's webhook.
        counter.inc({ channel, outcome: 'ignored' });
        const ignored = channel === 'whatsapp' ? 'unknown_phone_number_id' : 'unknown_account_id';
        ctx.state.log.warn({ connectionId: connection.row.id, ignored }, 'webhook for another number ignored');
        ctx.body = { received: true, stored: false, ignored };
        return;
      }

      await insertWebhookEvent(deps.db, { connectionId: connection.row.id, channel, raw });
      counter.inc({ channel, outcome: 'stored' });
      ctx.body = { received: true };
      // After the answer is written: the ack waits for PostgreSQL only, never for Redis.
      ctx.res.once('close', () => wakeIngest(deps));
    });
  }
}

async function connectionFor(deps: Deps, channel: Channel, id: string): Promise<OpenConnection> {
  if (!ConnectionIdParam.safeParse(id).success) throw unknownConnection();
  const connection = await openConnection(deps, id);
  if (!connection || connection.row.channel !== channel) throw unknownConnection();
  return connection;
}

function readBody(ctx: Context, limit: number): Promise<Buffer> {
  // A declared length over the limit is refused before reading a byte.
  if (Number(ctx.get('content-length') || 0) > limit) return Promise.reject(bodyTooLarge(limit));
  return readLimited(ctx.req, limit);
}

/**
 * Counts the failure on the connection (its health page shows it: usually a rotated app secret) and
 * audits it, at most once a minute per connection (Redis SET NX EX).
 */
async function signatureFailed(deps: Deps, ctx: Context, connection: OpenConnection): Promise<void> {
  const id = connection.row.id;
  ctx.state.log.warn({ connectionId: id, ip: ctx.state.ip }, 'webhook signature invalid');
  await recordSignatureFailure(deps.db, id, deps.now());
  let first: string | null = null;
  try {
    first = await deps.redis.set(`atendo:webhook-sig-audit:${id}`, '1', 'EX', SIGNATURE_AUDIT_EVERY_S, 'NX');
  } catch {
    return; // without Redis there is no throttle: the counter above still records it
  }
  if (first === 'OK') {
    await insertAudit(deps.db, {
      actorUserId: null, action: 'webhook.signature_invalid', subjectType: 'connection', subjectId: id, ip: ctx.state.ip,
      detail: { channel: connection.row.channel, hasSignature: Boolean(ctx.get('x-hub-signature-256')) },
    });
  }
}

/** atendo_webhooks_total{channel, outcome}: stored, ignored, invalid_signature, malformed, too_large. */
const counters = new WeakMap<client.Registry, client.Counter<'channel' | 'outcome'>>();
function webhookCounter(deps: Deps): client.Counter<'channel' | 'outcome'> {
  const registry = deps.metrics.registry;
  let c = counters.get(registry);
  if (!c) {
    c = new client.Counter({ name: 'atendo_webhooks_total', help: 'Webhook POSTs by outcome', labelNames: ['channel', 'outcome'], registers: [registry] });
    counters.set(registry, c);
  }
  return c;
}
