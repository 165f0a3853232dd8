import { signal } from '@preact/signals';

/** The page's path and query, as the address bar shows them. */
export const route = signal({ path: location.pathname, query: new URLSearchParams(location.search) });

/**
 * Goes to a dashboard address without reloading.
 * @param {string} to path with an optional query
 * @param {{ replace?: boolean }} [opts]
 */
export function navigate(to, opts = {}) {
  if (to === location.pathname + location.search) return;
  if (opts.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  sync();
}

function sync() {
  route.value = { path: location.pathname, query: new URLSearchParams(location.search) };
}
window.addEventListener('popstate', sync);

/**
 * Matches a path against a pattern such as `/inbox/:id`; returns the named parts or null.
 * @param {string} pattern
 * @param {string} path
 * @returns {Record<string, string> | null}
 */
export function match(pattern, path) {
  const p = pattern.split('/');
  const s = path.replace(/\/$/, '').split('/');
  if (p.length !== s.length) return null;
  /** @type {Record<string, string>} */
  const params = {};
  for (let i = 0; i < p.length; i++) {
    const part = p[i] ?? '';
    const seg = s[i] ?? '';
    if (part.startsWith(':')) params[part.slice(1)] = decodeURIComponent(seg);
    else if (part !== seg) return null;
  }
  return params;
}

/**
 * Lets plain links (`<a href="/inbox">`) navigate in place; a modified click still opens a new tab.
 * @param {MouseEvent} e
 */
export function onLinkClick(e) {
  const a = /** @type {HTMLElement} */ (e.target).closest('a');
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const href = a.getAttribute('href');
  if (!href || !href.startsWith('/') || a.target || a.hasAttribute('download') || href.startsWith('/api/')) return;
  e.preventDefault();
  navigate(href);
}
