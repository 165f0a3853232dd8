import { signal } from '@preact/signals';
import { api } from '../lib/api.js';

/**
 * @typedef {{ id: string, name: string }} TeamName
 * @typedef {{ id: string, name: string, role: string, teamIds: string[] }} UserName
 */

/** Teams and active people by name, for transfer pickers and "with Ana" labels. */
export const directory = signal(/** @type {{ teams: TeamName[], users: UserName[] }} */ ({ teams: [], users: [] }));
let loaded = /** @type {Promise<void> | null} */ (null);

/** Loads once per page life; `force` after a change elsewhere (a transfer to a new colleague). @param {boolean} [force] */
export function loadDirectory(force = false) {
  if (loaded && !force) return loaded;
  loaded = api('GET', '/api/directory')
    .then((d) => { directory.value = { teams: d.teams ?? [], users: d.users ?? [] }; })
    .catch(() => { loaded = null; });
  return loaded;
}

/** @param {string | null} id */
export const userName = (id) => (id ? directory.value.users.find((u) => u.id === id)?.name ?? null : null);
/** @param {string | null} id */
export const teamName = (id) => (id ? directory.value.teams.find((t) => t.id === id)?.name ?? null : null);
