import { signal } from '@preact/signals';
import { api, whenUnauthorized } from '../lib/api.js';
import { navigate, route } from '../lib/router.js';

/**
 * @typedef {'admin'|'supervisor'|'attendant'} Role
 * @typedef {{ id: string, email: string, name: string, role: Role, teamIds: string[], disabled: boolean }} User
 */

/** The logged-in person; null before login or after the session ended. @type {import('@preact/signals').Signal<User | null>} */
export const me = signal(null);
/** True while the first /auth/me is in flight, so the login form does not flash. */
export const booting = signal(true);
/** Set when the server ended the session under us: the login page says so, and brings the person back. */
export const sessionExpired = signal(false);

/** Where to go back to after logging in again. */
let returnTo = '/inbox';

whenUnauthorized(() => {
  if (!me.value) return;
  // Drafts live in localStorage (lib/drafts.js), so nothing typed is lost on the way back to login.
  returnTo = route.value.path + (route.value.query.size ? `?${route.value.query}` : '');
  sessionExpired.value = true;
  me.value = null;
  navigate('/login', { replace: true });
});

export async function loadMe() {
  try {
    const { user } = await api('GET', '/api/auth/me');
    me.value = user;
  } catch {
    me.value = null;
  } finally {
    booting.value = false;
  }
}

/** @param {string} email @param {string} password */
export async function login(email, password) {
  const { user } = await api('POST', '/api/auth/login', { email, password });
  me.value = user;
  sessionExpired.value = false;
  const to = returnTo;
  returnTo = '/inbox';
  navigate(to === '/login' ? '/inbox' : to, { replace: true });
}

export async function logout() {
  await api('POST', '/api/auth/logout').catch(() => {});
  me.value = null;
  returnTo = '/inbox';
  navigate('/login', { replace: true });
}

/** Role helpers the navigation and pages share; the server decides for real. */
export const isAdmin = () => me.value?.role === 'admin';
export const isSupervisorOrAdmin = () => me.value?.role === 'admin' || me.value?.role === 'supervisor';
