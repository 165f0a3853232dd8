/**
 * A local stand-in for Meta's Graph API (WhatsApp Cloud API + Instagram Messaging) that speaks real HTTP with
 * Meta's payload and error shapes. Used by tests, benchmarks and the local demo; the appliance points its
 * Graph base URL here and calls `${url}/v23.0/...` exactly as it would call graph.facebook.com.
 *
 * Graph routes (any /vNN.N/ prefix):
 *   GET    /:phoneNumberId                 number info              POST /:phoneNumberId/messages   send (or mark read)
 *   POST   /:phoneNumberId/media           multipart upload         GET  /:mediaId                   media object
 *   DELETE /:mediaId                       delete media             GET  /:wabaId/phone_numbers, GET|POST /:wabaId/subscribed_apps
 *   GET    /:wabaId/message_templates      templates (cursor-paged)   GET  /me, /:igAccountId   IG account (or the WA token's system user)
 *   POST   /me/messages, /:igAccountId/messages                      Instagram send
 * Other routes: GET /media-download/:id (bearer of any WhatsApp number), GET /ig-cdn/:id (no auth),
 * GET /ig-cdn-redirect?to=<url> (a CDN answering 302 to `to`: how tests try redirects off the CDN),
 * and the control surface under /_sim/ (sent, calls, fail-next, reset, whatsapp-numbers, instagram-accounts, media,
 * templates, templates/seed, template-status, template-quality, phone-quality, whatsapp-status, instagram-user-message).
 * Template sends are checked against the WABA's templates as Meta does (templates.ts); a WhatsApp send's
 * biz_opaque_callback_data (≤ 512 characters) is echoed in its status webhooks; Instagram sends are held to
 * the messaging window of the users it was told wrote (instagramUserWrote).
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  GraphError, graphErrorBody, invalidParameter, invalidToken, outsideAllowedWindow, unknownObject, unknownPath, type GraphErrorSpec, type Product,
} from './graphErrors.js';
import { boundaryOf, parseMultipart } from './multipart.js';
import type { Shown } from './interactiveValidation.js';
import { validateInstagramBody, validateWhatsAppBody } from './sendValidation.js';
import {
  phoneQualityValue, seedTemplateInputs, templateQualityValue, templateStatusValue, TemplateStore,
  type AddTemplateInput, type QualityScore, type SimTemplate, type TemplateStatus,
} from './templates.js';
import {
  mediaSha256Hex, newGraphId, newIgMid, newWamid, postWebhook, igEnvelope, waEnvelope, waMessagesValue, waStatus,
} from './webhooks.js';

const MAX_BODY_BYTES = 100 * 1024 * 1024; // Meta's largest media (documents) is 100 MB
const HOUR_MS = 3_600_000;
/** Instagram: replies within 24 hours of the user's last message; a HUMAN_AGENT-tagged one within 7 days. */
const IG_WINDOW_MS = 24 * HOUR_MS;
const IG_HUMAN_AGENT_WINDOW_MS = 7 * 24 * HOUR_MS;
const VERSIONED = /^\/(v\d+\.\d+)(\/.*)?$/;

export interface SimCall {
  method: string; path: string; query: Record<string, string>; authorization: string | undefined; body: any; at: number;
}
export interface SimSent {
  channel: 'whatsapp' | 'instagram'; from: string; to: string; body: any; id: string;
  /** Reply buttons, list messages and quick replies as the customer saw them (text and choices). */
  shown?: Shown;
  /** WhatsApp: the send's biz_opaque_callback_data (echoed in its status webhooks). */
  callbackData?: string;
  /** Instagram: the message tag it went out with (HUMAN_AGENT), or null. */
  tag?: 'HUMAN_AGENT' | null;
}

export interface FailNextOptions {
  match?: { path?: RegExp; to?: string };
  times?: number;
  status: number; code: number; subcode?: number; message?: string; title?: string; details?: string;
  headers?: Record<string, string>;
}

export interface AutoStatusesOptions {
  webhookUrl: (phoneNumberId: string) => string;
  appSecret: (phoneNumberId: string) => string;
  steps?: Array<'sent' | 'delivered' | 'read'>;
  delayMs?: number;
}

export interface AutoInstagramEchoesOptions {
  webhookUrl: (accountId: string) => string;
  appSecret: (accountId: string) => string;
  delayMs?: number;
}

/** Where and how an on-demand webhook is posted (signed with the app secret, as Meta signs). */
export interface WebhookTarget { webhookUrl: string; appSecret: string }

export interface MetaSimulator {
  url: string;
  /**
   * A message template of a WABA (replaces one of the same name and language). Once a WABA has one, its
   * template sends are checked: unknown/unapproved 132001, paused 132015, disabled 132016, wrong counts 132000.
   */
  addTemplate(t: AddTemplateInput): SimTemplate;
  /** hello_world, pedido_pronto (body {{1}} {{2}}), promocao_mes (image header, body, URL button) and boleto_disponivel (document header). */
  seedTemplates(wabaId: string): SimTemplate[];
  /** Deletes a template (every language when none is given), as deleting it in WhatsApp Manager does. */
  removeTemplate(wabaId: string, name: string, language?: string): void;
  templates(wabaId: string): SimTemplate[];
  /** The WABA of a registered number. */
  wabaOf(phoneNumberId: string): string;
  /** Sets the template's status and posts the signed `message_template_status_update` webhook (event = status). */
  postTemplateStatus(o: WebhookTarget & { wabaId: string; name: string; language: string; status: TemplateStatus; reason?: string }): Promise<{ status: number; text: string }>;
  /** Sets the template's quality and posts `message_template_quality_update`. */
  postTemplateQuality(o: WebhookTarget & { wabaId: string; name: string; language: string; quality: QualityScore }): Promise<{ status: number; text: string }>;
  /**
   * Posts `phone_number_quality_update` for a number (event FLAGGED, UNFLAGGED, UPGRADE, DOWNGRADE…); FLAGGED
   * makes the number's quality_rating RED and UNFLAGGED GREEN in GET /{phone-number-id}.
   */
  postPhoneQuality(o: WebhookTarget & { phoneNumberId: string; event: string; currentLimit?: string }): Promise<{ status: number; text: string }>;
  addWhatsAppNumber(o: { phoneNumberId: string; accessToken: string; displayPhoneNumber?: string; verifiedName?: string; wabaId?: string }): void;
  addInstagramAccount(o: { accountId: string; accessToken: string; username?: string }): void;
  /** Stores bytes as a Meta media object; returns its media id. */
  addMedia(o: { bytes: Buffer; mimeType: string; id?: string; downloadFailures?: number; wrongSha?: boolean; contentType?: string; fileSize?: number }): string;
  /**
   * The next `times` (default 1) Graph calls (versioned paths only; downloads use addMedia's downloadFailures)
   * matching `match` answer with Meta's error shape. Checked after auth, so a call refused for its token does
   * not use one up. `match.to` compares with the WhatsApp `to` or Instagram `recipient.id` (digits-only equal counts).
   */
  failNext(o: FailNextOptions): void;
  /** Every call received (Graph calls, media downloads and CDN fetches; not /_sim), newest last. */
  calls: SimCall[];
  /** Accepted sends (not mark-as-read or sender actions). */
  sent: SimSent[];
  /** After each accepted WhatsApp send, post signed status webhooks (sent, delivered, read by default), delayMs apart. */
  autoStatuses(o: AutoStatusesOptions | null): void;
  /** Posts one signed status webhook for an accepted WhatsApp send (by its wamid), with its biz_opaque_callback_data as Meta echoes it. */
  postWhatsAppStatus(o: WebhookTarget & { messageId: string; status: 'sent' | 'delivered' | 'read' | 'failed'; errors?: Array<{ code: number; title: string; message?: string }> }): Promise<{ status: number; text: string }>;
  /**
   * The Instagram user wrote to the account at `at` (default: the simulator's clock): from then on sends to them
   * are held to Meta's window (24 h untagged, 7 days with HUMAN_AGENT). A user the simulator was never told of is
   * not window-checked (tests that post their own inbound webhooks).
   */
  instagramUserWrote(o: { accountId: string; userId: string; at?: Date }): void;
  /** The simulator's clock for the Instagram window (default Date.now): tests pass the appliance's test clock. */
  setClock(now: () => Date): void;
  /** After each accepted Instagram send, post the is_echo webhook Instagram sends for the business's own messages. */
  autoInstagramEchoes(o: AutoInstagramEchoesOptions | null): void;
  /** The unauthenticated CDN URL of a stored media object, as Instagram attachment URLs are. */
  igCdnUrl(mediaId: string): string;
  setLatency(ms: number): void;
  /** Clears calls, sent and queued failures, and cancels status/echo webhooks not yet posted. */
  reset(): void;
  close(): Promise<void>;
}

interface WaNumber { phoneNumberId: string; accessToken: string; displayPhoneNumber: string; verifiedName: string; wabaId: string; qualityRating: string }
interface IgAccount { accountId: string; accessToken: string; username: string }
interface Media {
  id: string; bytes: Buffer; mimeType: string; sha256: string; downloadFailures: number; contentType?: string; fileSize: number;
}
interface Failure { match: FailNextOptions['match']; remaining: number; spec: GraphErrorSpec }

interface Reply {
  status?: number;
  json?: unknown;
  bytes?: Buffer;
  contentType?: string;
  headers?: Record<string, string>;
  /** Runs once the response is fully written (so webhooks never overtake the send's answer). */
  after?: () => void;
}

interface Ctx {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType: string | undefined;
  token: string | undefined;
  raw: Buffer;
  body: any;
  product: Product;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function startMetaSimulator(o: { port?: number; host?: string } = {}): Promise<MetaSimulator> {
  const numbers = new Map<string, WaNumber>();
  const igAccounts = new Map<string, IgAccount>();
  const media = new Map<string, Media>();
  const templates = new TemplateStore();
  let failures: Failure[] = [];
  const calls: SimCall[] = [];
  const sent: SimSent[] = [];
  let latencyMs = 0;
  let statusConfig: AutoStatusesOptions | null = null;
  let echoConfig: AutoInstagramEchoesOptions | null = null;
  let clock: () => Date = () => new Date();
  /** `${accountId}:${userId}` → when that user last wrote (ms), for the Instagram window. */
  const igLastUserMessage = new Map<string, number>();
  let generation = 0; // bumped by reset/close so scheduled webhooks of an earlier test do not fire
  const timers = new Set<NodeJS.Timeout>();
  const systemUserId = newGraphId();
  let baseUrl = '';

  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => { timers.delete(t); fn(); }, ms);
    timers.add(t);
  };

  // ─────────── state ───────────

  const addMedia: MetaSimulator['addMedia'] = (m) => {
    const id = m.id ?? newGraphId();
    const realSha = mediaSha256Hex(m.bytes);
    const entry: Media = {
      id, bytes: m.bytes, mimeType: m.mimeType,
      sha256: m.wrongSha ? mediaSha256Hex(Buffer.concat([m.bytes, Buffer.from('tampered')])) : realSha,
      downloadFailures: m.downloadFailures ?? 0, fileSize: m.fileSize ?? m.bytes.length,
    };
    if (m.contentType !== undefined) entry.contentType = m.contentType;
    media.set(id, entry);
    return id;
  };

  const failNext: MetaSimulator['failNext'] = (f) => {
    const spec: GraphErrorSpec = { status: f.status, code: f.code };
    if (f.subcode !== undefined) spec.subcode = f.subcode;
    if (f.message !== undefined) spec.message = f.message;
    if (f.title !== undefined) spec.title = f.title;
    if (f.details !== undefined) spec.details = f.details;
    if (f.headers !== undefined) spec.headers = f.headers;
    failures.push({ match: f.match, remaining: f.times ?? 1, spec });
  };

  const reset = (): void => {
    calls.length = 0;
    sent.length = 0;
    failures = [];
    generation += 1;
    for (const t of timers) clearTimeout(t);
    timers.clear();
  };

  const waTokens = (): Set<string> => new Set([...numbers.values()].map((n) => n.accessToken));
  const igByToken = (token: string): IgAccount | undefined => [...igAccounts.values()].find((a) => a.accessToken === token);
  const knownToken = (token: string | undefined): token is string =>
    token !== undefined && (waTokens().has(token) || igByToken(token) !== undefined);

  // ─────────── failure injection ───────────

  function takeFailure(ctx: Ctx): GraphErrorSpec | undefined {
    const to = typeof ctx.body?.to === 'string' ? ctx.body.to : ctx.body?.recipient?.id;
    const digits = (s: unknown): string => String(s ?? '').replace(/\D/g, '');
    const index = failures.findIndex((f) =>
      (!f.match?.path || f.match.path.test(ctx.path)) &&
      (f.match?.to === undefined || f.match.to === to || (digits(f.match.to) !== '' && digits(f.match.to) === digits(to))));
    if (index === -1) return undefined;
    const failure = failures[index]!;
    failure.remaining -= 1;
    if (failure.remaining <= 0) failures.splice(index, 1);
    return failure.spec;
  }

  /** Auth passed: the object is known and the token may use it; now a queued failure may take this call. */
  function admit(ctx: Ctx, product: Product, allowed: boolean): void {
    ctx.product = product;
    if (!allowed) throw invalidToken();
    const failure = takeFailure(ctx);
    if (failure) throw new GraphError(failure);
  }

  // ─────────── WhatsApp ───────────

  function whatsappSend(ctx: Ctx, number: WaNumber): Reply {
    const request = validateWhatsAppBody(ctx.body);
    if (request.kind === 'status') return { json: { success: true } };
    if (request.type === 'template') templates.validateSend(number.wabaId, ctx.body.template);
    const waId = request.to.replace(/\D/g, '');
    const id = newWamid(waId);
    sent.push({
      channel: 'whatsapp', from: number.phoneNumberId, to: request.to, body: ctx.body, id,
      ...(request.shown ? { shown: request.shown } : {}), ...(request.callbackData !== undefined ? { callbackData: request.callbackData } : {}),
    });
    const isTemplate = request.type === 'template';
    return {
      json: {
        messaging_product: 'whatsapp',
        contacts: [{ input: request.to, wa_id: waId }],
        messages: [isTemplate ? { id, message_status: 'accepted' } : { id }],
      },
      after: () => scheduleStatuses(number, id, waId, isTemplate, request.callbackData),
    };
  }

  function scheduleStatuses(number: WaNumber, id: string, waId: string, isTemplate: boolean, callbackData: string | undefined): void {
    const config = statusConfig;
    if (!config) return;
    const gen = generation;
    const steps = [...(config.steps ?? ['sent', 'delivered', 'read'])];
    const delay = config.delayMs ?? 10;
    const conversation = {
      id: crypto.randomBytes(16).toString('hex'),
      expiration_timestamp: String(Math.floor(Date.now() / 1000) + 86_400),
      origin: { type: isTemplate ? 'utility' : 'service' },
    };
    const pricing = isTemplate
      ? { billable: true, pricing_model: 'PMP', type: 'regular', category: 'utility' }
      : { billable: false, pricing_model: 'PMP', type: 'free_customer_service', category: 'service' };
    const next = (): void => {
      const status = steps.shift();
      if (!status) return;
      later(delay, () => {
        if (gen !== generation) return;
        const statusObject = waStatus({
          id, recipientId: waId, status, timestamp: Date.now() / 1000,
          ...(status === 'read' ? {} : { conversation, pricing }),
          ...(callbackData !== undefined ? { bizOpaqueCallbackData: callbackData } : {}),
        });
        postWebhook(config.webhookUrl(number.phoneNumberId), statusBody(number, statusObject), config.appSecret(number.phoneNumberId))
          .catch(() => { /* the appliance may be down; Meta would retry later, the simulator does not */ })
          .finally(next);
      });
    };
    next();
  }

  function statusBody(number: WaNumber, statusObject: object): object {
    return waEnvelope([{
      wabaId: number.wabaId,
      changes: [{ value: waMessagesValue({ phoneNumberId: number.phoneNumberId, displayPhoneNumber: number.displayPhoneNumber, statuses: [statusObject] }) }],
    }]);
  }

  function whatsappUpload(ctx: Ctx): Reply {
    const boundary = boundaryOf(ctx.contentType);
    if (!boundary || !Buffer.isBuffer(ctx.body)) throw invalidParameter('The parameter file is required.');
    const parts = parseMultipart(ctx.raw, boundary);
    const field = (name: string): string | undefined => parts.find((p) => p.name === name && p.filename === undefined)?.data.toString('utf8');
    if (field('messaging_product') !== 'whatsapp') throw invalidParameter('The parameter messaging_product is required.');
    const file = parts.find((p) => p.name === 'file');
    if (!file || file.data.length === 0) throw invalidParameter('The parameter file is required.');
    const mimeType = field('type') ?? file.contentType ?? 'application/octet-stream';
    return { json: { id: addMedia({ bytes: file.data, mimeType }) } };
  }

  function numberInfo(number: WaNumber): Reply {
    return {
      json: {
        verified_name: number.verifiedName,
        display_phone_number: number.displayPhoneNumber,
        id: number.phoneNumberId,
        quality_rating: number.qualityRating,
        code_verification_status: 'VERIFIED',
        platform_type: 'CLOUD_API',
        throughput: { level: 'STANDARD' },
      },
    };
  }

  function mediaObject(m: Media): Reply {
    return {
      json: {
        messaging_product: 'whatsapp',
        url: `${baseUrl}/media-download/${encodeURIComponent(m.id)}?token=${crypto.randomBytes(12).toString('hex')}`,
        mime_type: m.mimeType,
        sha256: m.sha256,
        file_size: m.fileSize,
        id: m.id,
      },
    };
  }

  // ─────────── Instagram ───────────

  function instagramSend(ctx: Ctx, account: IgAccount): Reply {
    const request = validateInstagramBody(ctx.body);
    if (request.kind === 'action') return { json: { recipient_id: request.recipientId } };
    const wrote = igLastUserMessage.get(`${account.accountId}:${request.recipientId}`);
    if (wrote !== undefined && clock().getTime() - wrote > (request.tag === 'HUMAN_AGENT' ? IG_HUMAN_AGENT_WINDOW_MS : IG_WINDOW_MS)) throw outsideAllowedWindow();
    const mid = newIgMid();
    sent.push({ channel: 'instagram', from: account.accountId, to: request.recipientId, body: ctx.body, id: mid, tag: request.tag, ...(request.shown ? { shown: request.shown } : {}) });
    return {
      json: { recipient_id: request.recipientId, message_id: mid },
      after: () => scheduleEcho(account, request.recipientId, mid, ctx.body.message),
    };
  }

  function scheduleEcho(account: IgAccount, recipientId: string, mid: string, message: any): void {
    const config = echoConfig;
    if (!config) return;
    const gen = generation;
    later(config.delayMs ?? 10, () => {
      if (gen !== generation) return;
      const echo: Record<string, unknown> = { mid, is_echo: true };
      if (typeof message?.text === 'string') echo.text = message.text;
      if (message?.attachment) echo.attachments = [{ type: message.attachment.type, payload: { url: message.attachment.payload?.url } }];
      const body = igEnvelope([{
        accountId: account.accountId,
        messaging: [{ sender: { id: account.accountId }, recipient: { id: recipientId }, timestamp: Date.now(), message: echo }],
      }]);
      postWebhook(config.webhookUrl(account.accountId), body, config.appSecret(account.accountId)).catch(() => {});
    });
  }

  const igProfile = (a: IgAccount): Reply => ({ json: { id: a.accountId, username: a.username } });

  // ─────────── routing ───────────

  function graph(ctx: Ctx, rest: string): Reply {
    const segments = rest.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
    const [id, edge, ...extra] = segments;
    if (!id || extra.length > 0) throw unknownPath(rest || '/');
    // Meta rejects an unusable token before it looks at the object.
    if (!knownToken(ctx.token)) throw invalidToken();
    const token = ctx.token;
    const method = ctx.method;

    if (id === 'me') {
      const account = igByToken(token);
      if (!account) {
        // A WhatsApp system-user token: /me is that user.
        admit(ctx, 'whatsapp', true);
        if (method === 'GET' && !edge) return { json: { id: systemUserId, name: 'Atendo System User' } };
        throw unknownPath(rest);
      }
      return instagramRoute(ctx, account, edge, rest, true);
    }
    const number = numbers.get(id);
    if (number) {
      admit(ctx, 'whatsapp', token === number.accessToken);
      if (method === 'GET' && !edge) return numberInfo(number);
      if (method === 'POST' && edge === 'messages') return whatsappSend(ctx, number);
      if (method === 'POST' && edge === 'media') return whatsappUpload(ctx);
      if (!edge) throw unknownObject(id, method);
      throw unknownPath(rest);
    }
    const account = igAccounts.get(id);
    if (account) return instagramRoute(ctx, account, edge, rest, token === account.accessToken);
    const m = media.get(id);
    if (m) {
      admit(ctx, 'whatsapp', waTokens().has(token));
      if (edge) throw unknownPath(rest);
      if (method === 'GET') return mediaObject(m);
      if (method === 'DELETE') { media.delete(id); return { json: { success: true } }; }
      throw unknownObject(id, method);
    }
    const wabaNumbers = [...numbers.values()].filter((n) => n.wabaId === id);
    if (wabaNumbers.length > 0) {
      admit(ctx, 'whatsapp', wabaNumbers.some((n) => n.accessToken === token));
      if (edge === 'subscribed_apps') return { json: method === 'GET' ? { data: [] } : { success: true } };
      if (method === 'GET' && edge === 'phone_numbers') return { json: { data: wabaNumbers.map((n) => numberInfo(n).json) } };
      if (method === 'GET' && edge === 'message_templates') {
        return { json: templates.list(id, ctx.query, (q) => `${baseUrl}${/^\/v\d+\.\d+/.exec(ctx.path)?.[0] ?? ''}/${id}/message_templates?${new URLSearchParams(q)}`) };
      }
      throw unknownPath(rest);
    }
    ctx.product = igByToken(token) ? 'instagram' : 'whatsapp';
    throw unknownObject(id, method);
  }

  function instagramRoute(ctx: Ctx, account: IgAccount, edge: string | undefined, rest: string, allowed: boolean): Reply {
    admit(ctx, 'instagram', allowed);
    if (ctx.method === 'GET' && !edge) return igProfile(account);
    if (ctx.method === 'POST' && edge === 'messages') return instagramSend(ctx, account);
    if (edge === 'subscribed_apps') return { json: ctx.method === 'GET' ? { data: [] } : { success: true } };
    throw unknownPath(rest);
  }

  function download(ctx: Ctx, id: string, needsAuth: boolean): Reply {
    if (needsAuth && !(ctx.token !== undefined && waTokens().has(ctx.token))) throw invalidToken();
    const m = media.get(id);
    if (!m) return { status: 404, bytes: Buffer.from('Not Found'), contentType: 'text/plain' };
    if (m.downloadFailures > 0) {
      m.downloadFailures -= 1;
      return { status: 500, bytes: Buffer.from('Internal Server Error'), contentType: 'text/plain' };
    }
    return { bytes: m.bytes, contentType: m.contentType ?? m.mimeType };
  }

  // ─────────── control surface (/_sim) ───────────

  function control(method: string, path: string, body: any): Reply {
    const route = `${method} ${path}`;
    const need = (fields: string[], types: string): void => {
      const missing = fields.filter((f) => typeof body?.[f] !== types);
      if (missing.length > 0) throw new Error(`${route} needs ${types} ${missing.join(', ')}`);
    };
    switch (route) {
      case 'GET /_sim/sent': return { json: sent };
      case 'GET /_sim/calls':
        return { json: calls.map((c) => (Buffer.isBuffer(c.body) ? { ...c, body: { bytes: c.body.length } } : c)) };
      case 'POST /_sim/reset': reset(); return { json: { ok: true } };
      case 'POST /_sim/fail-next': {
        need(['status', 'code'], 'number');
        const match = body?.match ?? {};
        const pathPattern = match.path ?? body?.path;
        const to = match.to ?? body?.to;
        failNext({
          ...body,
          match: { ...(pathPattern ? { path: new RegExp(pathPattern) } : {}), ...(to !== undefined ? { to: String(to) } : {}) },
        });
        return { json: { ok: true } };
      }
      case 'POST /_sim/whatsapp-numbers':
        need(['phoneNumberId', 'accessToken'], 'string');
        sim.addWhatsAppNumber(body);
        return { json: { ok: true } };
      case 'POST /_sim/instagram-accounts':
        need(['accountId', 'accessToken'], 'string');
        sim.addInstagramAccount(body);
        return { json: { ok: true } };
      case 'POST /_sim/templates':
        need(['wabaId', 'name', 'language'], 'string');
        return { json: sim.addTemplate(body) };
      case 'POST /_sim/templates/seed':
        need(['wabaId'], 'string');
        return { json: sim.seedTemplates(body.wabaId) };
      case 'POST /_sim/template-status':
      case 'POST /_sim/template-quality':
      case 'POST /_sim/phone-quality': {
        need(['webhookUrl', 'appSecret'], 'string');
        const post = path.endsWith('template-status') ? sim.postTemplateStatus(body) : path.endsWith('template-quality') ? sim.postTemplateQuality(body) : sim.postPhoneQuality(body);
        return { json: { ok: true }, after: () => { post.catch(() => {}); } };
      }
      case 'POST /_sim/instagram-user-message':
        need(['accountId', 'userId'], 'string');
        sim.instagramUserWrote({ accountId: body.accountId, userId: body.userId, ...(body.at ? { at: new Date(body.at) } : {}) });
        return { json: { ok: true } };
      case 'POST /_sim/whatsapp-status': {
        need(['webhookUrl', 'appSecret', 'messageId', 'status'], 'string');
        const post = sim.postWhatsAppStatus(body);
        return { json: { ok: true }, after: () => { post.catch(() => {}); } };
      }
      case 'POST /_sim/media':
        need(['base64', 'mimeType'], 'string');
        return { json: { id: addMedia({ ...body, bytes: Buffer.from(String(body?.base64 ?? ''), 'base64') }) } };
      default: return { status: 404, json: { error: `unknown control route ${route}` } };
    }
  }

  // ─────────── HTTP plumbing ───────────

  function parseBody(raw: Buffer, contentType: string | undefined): any {
    if (raw.length === 0) return undefined;
    if (/multipart\/form-data/i.test(contentType ?? '')) return raw;
    const text = raw.toString('utf8');
    if (/application\/x-www-form-urlencoded/i.test(contentType ?? '')) return Object.fromEntries(new URLSearchParams(text));
    try { return JSON.parse(text); } catch { return raw; }
  }

  function write(res: http.ServerResponse, reply: Reply): void {
    const headers: Record<string, string | number> = { 'x-fb-trace-id': crypto.randomBytes(8).toString('base64url'), ...reply.headers };
    let payload: Buffer;
    if (reply.bytes) {
      payload = reply.bytes;
      headers['content-type'] = reply.contentType ?? 'application/octet-stream';
    } else {
      payload = Buffer.from(JSON.stringify(reply.json ?? null));
      headers['content-type'] = 'application/json; charset=UTF-8';
    }
    headers['content-length'] = payload.length;
    if (reply.after) res.once('finish', reply.after);
    res.writeHead(reply.status ?? 200, headers);
    res.end(payload);
  }

  function errorReply(spec: GraphErrorSpec, product: Product): Reply {
    const reply: Reply = { status: spec.status, json: graphErrorBody(spec, product) };
    if (spec.headers) reply.headers = spec.headers;
    return reply;
  }

  async function readBody(req: http.IncomingMessage): Promise<Buffer | null> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) return null;
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const query = Object.fromEntries(url.searchParams);
    const raw = await readBody(req);
    if (raw === null) {
      write(res, errorReply({ status: 413, code: 100, message: '(#100) Request body too large' }, 'whatsapp'));
      return;
    }
    const contentType = req.headers['content-type'];
    const body = parseBody(raw, contentType);
    if (path.startsWith('/_sim/')) {
      try {
        write(res, control(method, path, body));
      } catch (err) {
        write(res, { status: 400, json: { error: (err as Error).message } });
      }
      return;
    }

    calls.push({ method, path, query, authorization: req.headers.authorization, body, at: Date.now() });
    if (latencyMs > 0) await sleep(latencyMs);
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim();
    const ctx: Ctx = { method, path, query, contentType, token: bearer ?? query.access_token, raw, body, product: 'whatsapp' };
    try {
      const versioned = VERSIONED.exec(path);
      const mediaDownload = /^\/media-download\/([^/]+)$/.exec(path);
      const cdn = /^\/ig-cdn\/([^/]+)$/.exec(path);
      let reply: Reply;
      if (versioned) reply = graph(ctx, versioned[2] ?? '');
      else if (mediaDownload && method === 'GET') reply = download(ctx, decodeURIComponent(mediaDownload[1]!), true);
      else if (cdn && method === 'GET') reply = download(ctx, decodeURIComponent(cdn[1]!), false);
      else if (path === '/ig-cdn-redirect' && method === 'GET' && query.to) reply = { status: 302, headers: { location: query.to }, bytes: Buffer.alloc(0), contentType: 'text/plain' };
      else throw unknownPath(path);
      write(res, reply);
    } catch (err) {
      if (err instanceof GraphError) write(res, errorReply(err.spec, ctx.product));
      else write(res, errorReply({ status: 500, code: 1, message: `An unknown error occurred: ${(err as Error).message}` }, ctx.product));
    }
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(err));
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => { server.off('error', reject); resolve(); });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  baseUrl = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`;

  const sim: MetaSimulator = {
    url: baseUrl,
    addWhatsAppNumber(n) {
      numbers.set(n.phoneNumberId, {
        phoneNumberId: n.phoneNumberId,
        accessToken: n.accessToken,
        displayPhoneNumber: n.displayPhoneNumber ?? '15550783881',
        verifiedName: n.verifiedName ?? 'Atendo Demo',
        wabaId: n.wabaId ?? `1${n.phoneNumberId.replace(/\D/g, '').slice(0, 14).padStart(14, '0')}`,
        qualityRating: 'GREEN',
      });
    },
    addTemplate: (t) => templates.add(t),
    seedTemplates: (wabaId) => seedTemplateInputs(wabaId).map((t) => templates.add(t)),
    removeTemplate(wabaId, name, language) { templates.remove(wabaId, name, language); },
    templates: (wabaId) => templates.of(wabaId),
    wabaOf(phoneNumberId) {
      const n = numbers.get(phoneNumberId);
      if (!n) throw new Error(`unknown number ${phoneNumberId}`);
      return n.wabaId;
    },
    async postTemplateStatus(o) {
      const t = templates.find(o.wabaId, o.name, o.language);
      if (!t) throw new Error(`no template ${o.name} (${o.language}) in WABA ${o.wabaId}`);
      t.status = o.status;
      if (o.status === 'REJECTED') t.rejectedReason = o.reason ?? 'INVALID_FORMAT';
      const body = waEnvelope([{ wabaId: o.wabaId, changes: [{ field: 'message_template_status_update', value: templateStatusValue(t, o.status, o.reason) }] }]);
      return postWebhook(o.webhookUrl, body, o.appSecret);
    },
    async postTemplateQuality(o) {
      const t = templates.find(o.wabaId, o.name, o.language);
      if (!t) throw new Error(`no template ${o.name} (${o.language}) in WABA ${o.wabaId}`);
      const previous = t.quality;
      t.quality = o.quality;
      const body = waEnvelope([{ wabaId: o.wabaId, changes: [{ field: 'message_template_quality_update', value: templateQualityValue(t, previous, o.quality) }] }]);
      return postWebhook(o.webhookUrl, body, o.appSecret);
    },
    async postPhoneQuality(o) {
      const n = numbers.get(o.phoneNumberId);
      if (!n) throw new Error(`unknown number ${o.phoneNumberId}`);
      if (o.event === 'FLAGGED') n.qualityRating = 'RED';
      if (o.event === 'UNFLAGGED') n.qualityRating = 'GREEN';
      const body = waEnvelope([{ wabaId: n.wabaId, changes: [{ field: 'phone_number_quality_update', value: phoneQualityValue(n.displayPhoneNumber, o.event, o.currentLimit) }] }]);
      return postWebhook(o.webhookUrl, body, o.appSecret);
    },
    addInstagramAccount(a) {
      igAccounts.set(a.accountId, { accountId: a.accountId, accessToken: a.accessToken, username: a.username ?? `atendo_${a.accountId.slice(-4)}` });
    },
    addMedia,
    failNext,
    calls,
    sent,
    autoStatuses(config) { statusConfig = config; },
    async postWhatsAppStatus(o) {
      const s = sent.find((x) => x.channel === 'whatsapp' && x.id === o.messageId);
      if (!s) throw new Error(`no WhatsApp send ${o.messageId}`);
      const number = numbers.get(s.from)!;
      const statusObject = waStatus({
        id: s.id, recipientId: s.to.replace(/\D/g, ''), status: o.status, timestamp: Date.now() / 1000,
        ...(o.errors ? { errors: o.errors } : {}), ...(s.callbackData !== undefined ? { bizOpaqueCallbackData: s.callbackData } : {}),
      });
      return postWebhook(o.webhookUrl, statusBody(number, statusObject), o.appSecret);
    },
    instagramUserWrote(o) { igLastUserMessage.set(`${o.accountId}:${o.userId}`, (o.at ?? clock()).getTime()); },
    setClock(now) { clock = now; },
    autoInstagramEchoes(config) { echoConfig = config; },
    igCdnUrl: (mediaId) => `${baseUrl}/ig-cdn/${encodeURIComponent(mediaId)}`,
    setLatency(ms) { latencyMs = Math.max(0, ms); },
    reset,
    async close() {
      generation += 1;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return sim;
}
