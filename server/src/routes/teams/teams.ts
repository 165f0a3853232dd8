import Router from '@koa/router';
import type { Deps } from '../../deps.js';
import { notFound } from '../../errors.js';
import { changeTeamName, createTeam } from '../../commands/teams.js';
import { parse } from '#kit/http/validate.js';
import { authorize, authorizeRead, visibleTeamIds } from '../../policies/roles.js';
import { presentTeam } from '../../presenters/team.js';
import { presentUser } from '../../presenters/user.js';
import { findTeam, listTeams } from '../../repositories/teams.js';
import { listUsers } from '../../repositories/users.js';
import { IdParam, TeamBody } from './schema.js';

export function teamsRoutes(deps: Deps, router: Router): void {
  /** Admins see every team; everyone else sees the teams they belong to. */
  router.get('/teams', async (ctx) => {
    const visible = visibleTeamIds(ctx.state.user!);
    ctx.body = { items: (await listTeams(deps.db, visible ?? undefined)).map(presentTeam) };
  });

  router.get('/teams/:id', async (ctx) => {
    const id = parse(IdParam, ctx.params.id, 'id');
    authorizeRead(ctx.state.user!, 'teams.read', 'team', { teamIds: [id] });
    const team = await findTeam(deps.db, id);
    if (!team) throw notFound('team');
    const members = await listUsers(deps.db, { teamIds: [id], limit: 200 });
    ctx.body = { ...presentTeam({ ...team, member_count: members.length }), members: members.slice(0, 200).map(presentUser) };
  });

  router.post('/teams', async (ctx) => {
    authorize(ctx.state.user!, 'teams.manage');
    const { name } = parse(TeamBody, ctx.state.body);
    ctx.status = 201;
    ctx.body = presentTeam(await createTeam(deps, ctx.state.user!, name, ctx.state.ip));
  });

  router.patch('/teams/:id', async (ctx) => {
    authorize(ctx.state.user!, 'teams.manage');
    const id = parse(IdParam, ctx.params.id, 'id');
    const { name } = parse(TeamBody, ctx.state.body);
    ctx.body = presentTeam(await changeTeamName(deps, ctx.state.user!, id, name, ctx.state.ip));
  });
}
