import type Router from '@koa/router';
import { parse } from '#kit/http/validate.js';
import { handBackToBot, takeOverFromBot } from '../../commands/botHandoff.js';
import { botOnCallback } from '../../commands/botTurn.js';
import { hashCallbackToken } from '../../commands/botWebhook.js';
import { previewFlow } from '../../commands/flowPreview.js';
import { flowWebhookSecret, SIGNATURE_HEADER } from '../../bots/webhookCall.js';
import type { Deps } from '../../deps.js';
import { AppError, notFound } from '../../errors.js';
import { authorize } from '../../policies/roles.js';
import { presentConversation } from '../../presenters/conversation.js';
import { findSessionByCallback, isLive } from '../../repositories/botSessions.js';
import { CallbackBody, CallbackToken, IdParam, PreviewBody } from './schema.js';

/** The bot as people in the dashboard meet it: take over, hand back, the flow preview and the webhook key. */
export function botRoutes(deps: Deps, router: Router): void {
  router.post('/conversations/:id/bot/take-over', async (ctx) => {
    ctx.body = presentConversation(await takeOverFromBot(deps, ctx.state.user!, parse(IdParam, ctx.params.id, 'id'), ctx.state.ip));
  });

  router.post('/conversations/:id/bot/hand-back', async (ctx) => {
    ctx.body = presentConversation(await handBackToBot(deps, ctx.state.user!, parse(IdParam, ctx.params.id, 'id'), ctx.state.ip));
  });

  /** Walks the flow's draft without sending anything: the editor's chat preview. */
  router.post('/flows/:id/preview', async (ctx) => {
    authorize(ctx.state.user!, 'flows.read');
    ctx.body = await previewFlow(deps, parse(IdParam, ctx.params.id, 'id'), parse(PreviewBody, ctx.state.body ?? {}));
  });

  /** The key flow webhooks are signed with, for the receiving side to check X-Atendo-Signature. */
  router.get('/bot/webhook-secret', async (ctx) => {
    authorize(ctx.state.user!, 'flows.manage');
    const secret = flowWebhookSecret(deps.config);
    if (!secret) throw new AppError(409, 'encryption_key_missing', 'set ENCRYPTION_KEY: flow webhooks are signed with a key derived from it');
    ctx.body = { secret, header: SIGNATURE_HEADER, algorithm: 'HMAC-SHA256 of the raw body, hex, prefixed sha256=' };
  });
}

/**
 * The async webhook's callback: no login, the one-time token in the URL is the credential (its hash is
 * stored; it is gone once the session moves on). 404 for a token that is unknown, used or expired.
 */
export function botCallbackRoutes(deps: Deps, router: Router): void {
  router.post('/bot/callbacks/:token', async (ctx) => {
    const token = parse(CallbackToken, ctx.params.token, 'token');
    const data = parse(CallbackBody, ctx.state.body);
    const session = await findSessionByCallback(deps.db, hashCallbackToken(token));
    if (!session || !isLive(session.status)) throw notFound('callback');
    if (!(await botOnCallback(deps, session, data ?? null))) throw notFound('callback');
    ctx.body = { ok: true };
  });
}
