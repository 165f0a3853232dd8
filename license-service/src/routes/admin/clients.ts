import Router from '@koa/router';
import type { Deps } from '../../deps.js';
import { notFound } from '../../errors.js';
import { createClient } from '../../commands/clients.js';
import { encodeCursor, toPage } from '#kit/cursor.js';
import { parse } from '#kit/http/validate.js';
import { presentClient } from '../../presenters/client.js';
import { presentLicense } from '../../presenters/license.js';
import { findClient, listClients } from '../../repositories/clients.js';
import { listLicenses } from '../../repositories/licenses.js';
import { adminActor } from './actor.js';
import { ClientCreate, ClientList, IdParam } from './schema.js';

export function clientsRoutes(deps: Deps, router: Router): void {
  router.get('/clients', async (ctx) => {
    const q = parse(ClientList, ctx.query);
    const rows = await listClients(deps.db, q);
    ctx.body = toPage(rows, q.limit, (r) => encodeCursor(r.created_at, r.id), presentClient);
  });

  router.get('/clients/:id', async (ctx) => {
    const client = await findClient(deps.db, parse(IdParam, ctx.params.id, 'id'));
    if (!client) throw notFound('client');
    const licenses = await listLicenses(deps.db, { clientId: client.id, limit: 200 });
    ctx.body = { ...presentClient(client), licenses: licenses.slice(0, 200).map(presentLicense) };
  });

  router.post('/clients', async (ctx) => {
    const input = parse(ClientCreate, ctx.state.body);
    const client = await deps.db.transaction((trx) => createClient(trx, adminActor(ctx), input));
    ctx.status = 201;
    ctx.body = presentClient(client);
  });
}
