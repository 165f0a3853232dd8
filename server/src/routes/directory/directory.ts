import type Router from '@koa/router';
import type { Deps } from '../../deps.js';
import { authorize } from '../../policies/roles.js';
import { presentDirectory } from '../../presenters/directory.js';
import { listTeams } from '../../repositories/teams.js';
import { listActiveUsers } from '../../repositories/users.js';

export function directoryRoutes(deps: Deps, router: Router): void {
  /** All teams and active users by name: transfer targets and assignee names, whatever the role. */
  router.get('/directory', async (ctx) => {
    authorize(ctx.state.user!, 'directory.read');
    const [teams, users] = await Promise.all([listTeams(deps.db), listActiveUsers(deps.db)]);
    ctx.body = presentDirectory(teams, users);
  });
}
