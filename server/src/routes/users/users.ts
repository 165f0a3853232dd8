import Router from '@koa/router';
import type { Deps } from '../../deps.js';
import { notFound } from '../../errors.js';
import { changeUser, createUser, resetPassword } from '../../commands/users.js';
import { encodeCursor, toPage } from '#kit/cursor.js';
import { parse } from '#kit/http/validate.js';
import { authorize, authorizeRead, visibleTeamIds } from '../../policies/roles.js';
import { presentUser } from '../../presenters/user.js';
import { findUser, listUsers } from '../../repositories/users.js';
import { IdParam, PasswordReset, UserCreate, UserList, UserPatch } from './schema.js';

export function usersRoutes(deps: Deps, router: Router): void {
  router.get('/users', async (ctx) => {
    const actor = ctx.state.user!;
    authorize(actor, 'users.list');
    const q = parse(UserList, ctx.query);
    const rows = await listUsers(deps.db, { ...q, teamIds: visibleTeamIds(actor) ?? undefined });
    ctx.body = toPage(rows, q.limit, (r) => encodeCursor(r.created_at, r.id), presentUser);
  });

  router.get('/users/:id', async (ctx) => {
    const user = await findUser(deps.db, parse(IdParam, ctx.params.id, 'id'));
    if (!user) throw notFound('user');
    authorizeRead(ctx.state.user!, 'users.read', 'user', { id: user.id, teamIds: user.team_ids });
    ctx.body = presentUser(user);
  });

  router.post('/users', async (ctx) => {
    authorize(ctx.state.user!, 'users.manage');
    const input = parse(UserCreate, ctx.state.body);
    ctx.status = 201;
    ctx.body = presentUser(await createUser(deps, ctx.state.user!, input, ctx.state.ip));
  });

  router.patch('/users/:id', async (ctx) => {
    authorize(ctx.state.user!, 'users.manage');
    const id = parse(IdParam, ctx.params.id, 'id');
    const patch = parse(UserPatch, ctx.state.body);
    ctx.body = presentUser(await changeUser(deps, ctx.state.user!, id, patch, ctx.state.ip));
  });

  router.post('/users/:id/password', async (ctx) => {
    authorize(ctx.state.user!, 'users.manage');
    const id = parse(IdParam, ctx.params.id, 'id');
    const { password } = parse(PasswordReset, ctx.state.body);
    await resetPassword(deps, ctx.state.user!, id, password, ctx.state.ip);
    ctx.status = 204;
  });
}
