import type { Deps } from '../deps.js';
import { AppError, conflict, notFound, validationFailed } from '../errors.js';
import { hashPassword } from '../lib/password.js';
import { assertWritable } from '../policies/license.js';
import { assertCanAddActiveUser } from '../policies/plan.js';
import type { Actor } from '../policies/roles.js';
import { insertAudit } from '../repositories/audit.js';
import { revokeUserSessions } from '../repositories/sessions.js';
import { countExistingTeams } from '../repositories/teams.js';
import {
  countAdmins, findUser, findUserByEmail, insertUser, setUserTeams, updateUser, type Role, type UserWithTeams,
} from '../repositories/users.js';
import { endUserSessions } from './sessions.js';

async function assertTeamsExist(deps: Deps, teamIds: string[]): Promise<void> {
  const unique = [...new Set(teamIds)];
  if ((await countExistingTeams(deps.db, unique)) !== unique.length) throw validationFailed('teamIds: unknown team');
}

export async function createUser(
  deps: Deps,
  actor: Actor,
  input: { email: string; name: string; role: Role; password: string; teamIds: string[] },
  ip: string,
): Promise<UserWithTeams> {
  const snap = await deps.license.snapshot();
  assertWritable(snap);
  if (await findUserByEmail(deps.db, input.email)) throw conflict('email_taken', `a user with ${input.email} exists`);
  await assertTeamsExist(deps, input.teamIds);
  const passwordHash = await hashPassword(input.password);
  const id = await deps.db.transaction(async (trx) => {
    await assertCanAddActiveUser(trx, snap);
    const user = await insertUser(trx, { email: input.email, name: input.name, role: input.role, password_hash: passwordHash });
    await setUserTeams(trx, user.id, [...new Set(input.teamIds)]);
    await insertAudit(trx, { actorUserId: actor.id, action: 'user.create', subjectType: 'user', subjectId: user.id, ip, detail: { role: input.role, teamIds: input.teamIds } });
    return user.id;
  });
  return (await findUser(deps.db, id))!;
}

/**
 * Changes a user. Re-enabling counts against the plan's user limit; disabling is always allowed (even
 * read-only, so an admin can get back under a downgraded plan). Disabling, a role change or a team
 * change ends the user's sessions and sockets, so nothing keeps the old rights.
 */
export async function changeUser(
  deps: Deps,
  actor: Actor,
  id: string,
  patch: { name?: string; role?: Role; teamIds?: string[]; disabled?: boolean },
  ip: string,
): Promise<UserWithTeams> {
  const before = await findUser(deps.db, id);
  if (!before) throw notFound('user');
  const snap = await deps.license.snapshot();
  const onlyDisabling = patch.disabled === true && patch.name === undefined && patch.role === undefined && patch.teamIds === undefined;
  if (!onlyDisabling) assertWritable(snap);
  const enabling = patch.disabled === false && before.disabled_at !== null;
  const losesAdmin = before.role === 'admin' && !before.disabled_at && (patch.disabled === true || (patch.role && patch.role !== 'admin'));
  if (losesAdmin && (await countAdmins(deps.db)) <= 1) throw conflict('last_admin', 'the last active admin cannot be disabled or demoted');
  if (patch.teamIds) await assertTeamsExist(deps, patch.teamIds);
  await deps.db.transaction(async (trx) => {
    if (enabling) await assertCanAddActiveUser(trx, snap);
    await updateUser(trx, id, {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.role !== undefined ? { role: patch.role } : {}),
      ...(patch.disabled !== undefined ? { disabled_at: patch.disabled ? (before.disabled_at ?? deps.now()) : null } : {}),
    });
    if (patch.teamIds) await setUserTeams(trx, id, [...new Set(patch.teamIds)]);
    await insertAudit(trx, {
      actorUserId: actor.id, action: 'user.update', subjectType: 'user', subjectId: id, ip,
      detail: { before: { name: before.name, role: before.role, teamIds: before.team_ids, disabled: !!before.disabled_at }, patch },
    });
  });
  const rightsChanged = patch.disabled === true || (patch.role !== undefined && patch.role !== before.role) || patch.teamIds !== undefined;
  if (rightsChanged) await endUserSessions(deps, id, patch.disabled ? 'disabled' : 'rights_changed');
  return (await findUser(deps.db, id))!;
}

export async function resetPassword(deps: Deps, actor: Actor, id: string, password: string, ip: string): Promise<void> {
  const user = await findUser(deps.db, id);
  if (!user) throw notFound('user');
  const passwordHash = await hashPassword(password);
  await deps.db.transaction(async (trx) => {
    await updateUser(trx, id, { password_hash: passwordHash });
    await insertAudit(trx, { actorUserId: actor.id, action: 'user.password_reset', subjectType: 'user', subjectId: id, ip });
    await revokeUserSessions(trx, id, 'password_reset');
  });
  // Only after the commit: a socket reconnecting earlier would still find its session alive.
  deps.sockets?.disconnectUser(id);
}

/**
 * The installer's first admin. There is no default password anywhere: the person installing chooses it.
 * Running it again with the same email changes nothing; once an admin exists, others are made in the app.
 */
export async function createFirstAdmin(deps: Deps, input: { email: string; name: string; password: string }): Promise<{ created: boolean; userId: string }> {
  const existing = await findUserByEmail(deps.db, input.email);
  if (existing?.role === 'admin') return { created: false, userId: existing.id };
  if ((await countAdmins(deps.db)) > 0) throw new AppError(409, 'admin_exists', 'an admin already exists; create more users from the dashboard');
  if (existing) throw conflict('email_taken', `a user with ${input.email} exists`);
  const user = await insertUser(deps.db, { email: input.email, name: input.name, role: 'admin', password_hash: await hashPassword(input.password) });
  await insertAudit(deps.db, { actorUserId: null, action: 'user.create_first_admin', subjectType: 'user', subjectId: user.id });
  return { created: true, userId: user.id };
}
