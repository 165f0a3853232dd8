import Router from '@koa/router';
import type { Deps } from '../../deps.js';
import { notFound } from '../../errors.js';
import { changeLicensePlan, changeLicenseStatus, issueLicense, rebindLicense, renewLicense } from '../../commands/licenses.js';
import { encodeCursor, toPage } from '#kit/cursor.js';
import { parse } from '#kit/http/validate.js';
import { presentLicense, presentLicenseWithClient } from '../../presenters/license.js';
import { findLicenseWithClient, listLicenses } from '../../repositories/licenses.js';
import { adminActor } from './actor.js';
import { ChangePlan, IdParam, LicenseIssue, LicenseList, Rebind, Renew, StatusChange } from './schema.js';

export function licensesRoutes(deps: Deps, router: Router): void {
  router.get('/licenses', async (ctx) => {
    const q = parse(LicenseList, ctx.query);
    const rows = await listLicenses(deps.db, q);
    ctx.body = toPage(rows, q.limit, (r) => encodeCursor(r.created_at, r.id), presentLicenseWithClient);
  });

  router.get('/licenses/:id', async (ctx) => {
    const license = await findLicenseWithClient(deps.db, parse(IdParam, ctx.params.id, 'id'));
    if (!license) throw notFound('license');
    ctx.body = presentLicenseWithClient(license);
  });

  /** The only answer that ever contains the key. */
  router.post('/licenses', async (ctx) => {
    const input = parse(LicenseIssue, ctx.state.body);
    const { license, key } = await deps.db.transaction((trx) =>
      issueLicense(trx, adminActor(ctx), { ...input, boundIp: input.boundIp ?? null }, deps.now()),
    );
    ctx.status = 201;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { ...presentLicense(license), key };
  });

  for (const change of ['suspend', 'resume', 'revoke'] as const) {
    router.post(`/licenses/:id/${change}`, async (ctx) => {
      const id = parse(IdParam, ctx.params.id, 'id');
      const { reason } = parse(StatusChange, ctx.state.body);
      const license = await deps.db.transaction((trx) => changeLicenseStatus(trx, adminActor(ctx), id, change, reason ?? null));
      ctx.body = presentLicense(license);
    });
  }

  router.post('/licenses/:id/renew', async (ctx) => {
    const id = parse(IdParam, ctx.params.id, 'id');
    const input = parse(Renew, ctx.state.body);
    const license = await deps.db.transaction((trx) => renewLicense(trx, adminActor(ctx), id, input, deps.now()));
    ctx.body = presentLicense(license);
  });

  router.post('/licenses/:id/plan', async (ctx) => {
    const id = parse(IdParam, ctx.params.id, 'id');
    const { planId } = parse(ChangePlan, ctx.state.body);
    const license = await deps.db.transaction((trx) => changeLicensePlan(trx, adminActor(ctx), id, planId));
    ctx.body = presentLicense(license);
  });

  router.post('/licenses/:id/rebind', async (ctx) => {
    const id = parse(IdParam, ctx.params.id, 'id');
    const input = parse(Rebind, ctx.state.body);
    const license = await deps.db.transaction((trx) => rebindLicense(trx, adminActor(ctx), id, input));
    ctx.body = presentLicense(license);
  });
}
