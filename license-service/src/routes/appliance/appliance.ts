import Router from '@koa/router';
import type { Deps } from '../../deps.js';
import { activate } from '../../commands/activation.js';
import { heartbeat } from '../../commands/heartbeat.js';
import { invalidSignature } from '../../errors.js';
import { SIGNATURE_HEADER } from '#protocol/requestSigning.js';
import { parse } from '#kit/http/validate.js';
import { ActivateBody, HeartbeatBody } from './schema.js';

/** The appliance protocol (protocol/PROTOCOL.md): whoami, activate, heartbeat, keys. */
export function applianceRoutes(deps: Deps, router: Router): void {
  router.get('/whoami', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { ip: ctx.state.ip, serviceTime: deps.now().toISOString() };
  });

  router.get('/keys', (ctx) => {
    ctx.body = {
      keys: deps.keyring.all.map((k) => ({
        kid: k.kid,
        alg: k.privateKey.asymmetricKeyType === 'ed25519' ? 'EdDSA' : 'RS256',
        publicKeyPem: k.publicKeyPem,
        active: k === deps.keyring.active,
      })),
    };
  });

  router.post('/activate', async (ctx) => {
    const body = parse(ActivateBody, ctx.state.body);
    const signature = ctx.get(SIGNATURE_HEADER);
    if (!signature) throw invalidSignature();
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await activate(deps, { body, rawBody: ctx.state.rawBody!, signature, ip: ctx.state.ip });
  });

  router.post('/heartbeat', async (ctx) => {
    const body = parse(HeartbeatBody, ctx.state.body);
    const signature = ctx.get(SIGNATURE_HEADER);
    if (!signature) throw invalidSignature();
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await heartbeat(deps, { body, rawBody: ctx.state.rawBody!, signature, ip: ctx.state.ip });
  });
}
