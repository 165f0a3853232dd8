import Router from '@koa/router';
import Koa from 'koa';
import { errorHandler } from '#kit/http/errorHandler.js';
import { jsonBody } from '#kit/http/jsonBody.js';
import { requestContext } from '#kit/http/requestContext.js';
import type { Deps } from './deps.js';
import { dashboard } from './middlewares/dashboard.js';
import { httpMetrics } from './middlewares/httpMetrics.js';
import { licenseHeader } from './middlewares/licenseHeader.js';
import { sameOrigin } from './middlewares/sameOrigin.js';
import { requireSession } from './middlewares/session.js';
import { authRoutes } from './routes/auth/auth.js';
import { botCallbackRoutes, botRoutes } from './routes/bot/bot.js';
import { connectionsRoutes } from './routes/connections/connections.js';
import { contactsRoutes } from './routes/contacts/contacts.js';
import { audienceRoutes, contactImportRoutes } from './routes/audiences/audiences.js';
import { conversationsRoutes } from './routes/conversations/conversations.js';
import { directoryRoutes } from './routes/directory/directory.js';
import { mediaRoutes, publicMediaRoutes } from './routes/media/media.js';
import { outboundRoutes } from './routes/outbound/outbound.js';
import { uploadRoutes } from './routes/outbound/uploads.js';
import { quickRepliesRoutes } from './routes/quickReplies/quickReplies.js';
import { scheduledMessagesRoutes } from './routes/scheduledMessages/scheduledMessages.js';
import { flowsRoutes } from './routes/flows/flows.js';
import { businessHoursRoutes } from './routes/businessHours/businessHours.js';
import { campaignsRoutes } from './routes/campaigns/campaigns.js';
import { webhookRoutes } from './routes/webhooks/webhooks.js';
import { licenseRoutes } from './routes/license/license.js';
import { opsRoutes } from './routes/ops/ops.js';
import { teamsRoutes } from './routes/teams/teams.js';
import { templatesRoutes } from './routes/templates/templates.js';
import { usersRoutes } from './routes/users/users.js';

/** Builds the appliance's Koa app without listening: tests and the web process mount it. */
export function createApp(deps: Deps): Koa {
  const app = new Koa();
  app.proxy = false; // the client IP comes from kit/sourceIp with TRUSTED_PROXIES
  app.silent = true;

  const ops = new Router();
  opsRoutes(deps, ops);
  publicMediaRoutes(deps, ops);

  // Meta's webhooks: signed, not logged in; they read their own raw body (the signature is over it).
  const webhooks = new Router({ prefix: '/webhooks' });
  webhookRoutes(deps, webhooks);

  // Media uploads: logged in, but the body is the file itself, not JSON.
  const uploads = new Router({ prefix: '/api' });
  uploads.use(requireSession(deps));
  uploadRoutes(deps, uploads);
  contactImportRoutes(deps, uploads);

  // Login is the one API route without a session.
  const open = new Router({ prefix: '/api' });
  authRoutes(deps, open);
  botCallbackRoutes(deps, open);

  const api = new Router({ prefix: '/api' });
  api.use(requireSession(deps));
  usersRoutes(deps, api);
  teamsRoutes(deps, api);
  directoryRoutes(deps, api);
  licenseRoutes(deps, api);
  connectionsRoutes(deps, api);
  conversationsRoutes(deps, api);
  audienceRoutes(deps, api);
  contactsRoutes(deps, api);
  quickRepliesRoutes(deps, api);
  flowsRoutes(deps, api);
  businessHoursRoutes(deps, api);
  campaignsRoutes(deps, api);
  botRoutes(deps, api);
  outboundRoutes(deps, api);
  templatesRoutes(deps, api);
  scheduledMessagesRoutes(deps, api);
  mediaRoutes(deps, api);

  app.use(requestContext(deps.log, deps.config.TRUSTED_PROXIES, ['/health', '/ready', '/metrics']));
  app.use(httpMetrics(deps));
  app.use(errorHandler());
  app.use(licenseHeader(deps));
  app.use(sameOrigin(deps.config.PUBLIC_URL));
  app.use(dashboard(deps.log));
  app.use(webhooks.routes());
  app.use(uploads.routes());
  app.use(jsonBody(deps.config.BODY_LIMIT_BYTES));
  app.use(ops.routes());
  app.use(open.routes());
  app.use(api.routes());
  return app;
}
