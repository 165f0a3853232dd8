import type Router from '@koa/router';
import { parse } from '#kit/http/validate.js';
import {
  changeConnection, connectionHealth, createConnection, removeConnection, testConnection,
} from '../../commands/connections.js';
import type { Deps } from '../../deps.js';
import { notFound } from '../../errors.js';
import { authorize } from '../../policies/roles.js';
import { presentConnection } from '../../presenters/connection.js';
import { findConnection, listConnections } from '../../repositories/connections.js';
import { CreateConnectionBody, IdParam, UpdateConnectionBody } from './schema.js';

export function connectionsRoutes(deps: Deps, router: Router): void {
  const present = (row: Parameters<typeof presentConnection>[0]) => presentConnection(row, deps.config.PUBLIC_URL);

  // Everyone lists them (the inbox filters by connection); secrets are never part of a connection's view.
  router.get('/connections', async (ctx) => {
    ctx.body = { items: (await listConnections(deps.db)).map(present) };
  });

  router.get('/connections/:id', async (ctx) => {
    const row = await findConnection(deps.db, parse(IdParam, ctx.params.id, 'id'));
    if (!row) throw notFound('connection');
    ctx.body = present(row);
  });

  router.post('/connections', async (ctx) => {
    authorize(ctx.state.user!, 'connections.manage');
    const input = parse(CreateConnectionBody, ctx.state.body);
    ctx.status = 201;
    ctx.body = present(await createConnection(deps, ctx.state.user!, input, ctx.state.ip));
  });

  router.patch('/connections/:id', async (ctx) => {
    authorize(ctx.state.user!, 'connections.manage');
    const id = parse(IdParam, ctx.params.id, 'id');
    const patch = parse(UpdateConnectionBody, ctx.state.body);
    ctx.body = present(await changeConnection(deps, ctx.state.user!, id, patch, ctx.state.ip));
  });

  router.delete('/connections/:id', async (ctx) => {
    authorize(ctx.state.user!, 'connections.manage');
    await removeConnection(deps, ctx.state.user!, parse(IdParam, ctx.params.id, 'id'), ctx.state.ip);
    ctx.status = 204;
  });

  router.post('/connections/:id/test', async (ctx) => {
    authorize(ctx.state.user!, 'connections.manage');
    ctx.body = present(await testConnection(deps, ctx.state.user!, parse(IdParam, ctx.params.id, 'id'), ctx.state.ip));
  });

  router.get('/connections/:id/health', async (ctx) => {
    authorize(ctx.state.user!, 'connections.health');
    ctx.body = await connectionHealth(deps, parse(IdParam, ctx.params.id, 'id'));
  });
}
